#include "base/random.hpp"

#include <array>
#include <cstdint>

namespace atrium {

std::string random_source::hex(std::size_t bytes) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string raw(bytes, '\0');
  fill(raw.data(), bytes);
  std::string out;
  out.reserve(bytes * 2);
  for (unsigned char c : raw) {
    out.push_back(digits[c >> 4]);
    out.push_back(digits[c & 15]);
  }
  return out;
}

namespace {

std::string uuid_text(const std::array<unsigned char, 16>& b) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  for (std::size_t i = 0; i < b.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    out.push_back(digits[b[i] >> 4]);
    out.push_back(digits[b[i] & 15]);
  }
  return out;
}

}  // namespace

std::string random_source::uuid4() {
  std::array<unsigned char, 16> b{};
  fill(b.data(), b.size());
  b[6] = static_cast<unsigned char>((b[6] & 0x0f) | 0x40);
  b[8] = static_cast<unsigned char>((b[8] & 0x3f) | 0x80);
  return uuid_text(b);
}

// RFC 9562 §6.2, method 1: rand_a (12 bits) is a counter, started at a random value with its top
// bit clear (at least 2,048 ids per millisecond before it overflows) and incremented for each
// further id of the same millisecond; on overflow the timestamp is advanced by one (§6.2: "the
// generator can ... increment the timestamp"). A clock set back more than that starts afresh at
// its own time: the id tells the truth about when it was made rather than staying monotonic.
uint64_t random_source::next_uuid7_stamp(uint64_t ms, uint64_t fresh_counter) {
  uint64_t last = last_uuid7_.load(std::memory_order_relaxed);
  for (;;) {
    uint64_t next = ms << 12 | fresh_counter;
    if ((last >> 12) >= ms && (last >> 12) - ms <= 1) {  // same millisecond, or one we ran ahead into
      next = last + 1;                                   // a counter overflow carries into the time
    }
    if (last_uuid7_.compare_exchange_weak(last, next, std::memory_order_relaxed)) return next;
  }
}

std::string random_source::uuid7(std::chrono::sys_time<std::chrono::milliseconds> now) {
  std::array<unsigned char, 16> b{};
  fill(b.data(), b.size());
  auto ms = static_cast<uint64_t>(now.time_since_epoch().count()) & ((uint64_t{1} << 48) - 1);
  uint64_t fresh_counter = (uint64_t{b[6]} << 8 | b[7]) & 0x7ff;
  uint64_t stamp = next_uuid7_stamp(ms, fresh_counter);
  uint64_t stamp_ms = stamp >> 12;
  for (int i = 0; i < 6; ++i) b[i] = static_cast<unsigned char>(stamp_ms >> (8 * (5 - i)));
  b[6] = static_cast<unsigned char>(0x70 | ((stamp >> 8) & 0x0f));
  b[7] = static_cast<unsigned char>(stamp & 0xff);
  b[8] = static_cast<unsigned char>((b[8] & 0x3f) | 0x80);
  return uuid_text(b);
}

std::string random_source::base32(std::size_t n) {
  static constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  std::string raw(n, '\0');
  fill(raw.data(), n);
  for (auto& c : raw) c = alphabet[static_cast<unsigned char>(c) & 31];
  return raw;
}

void seeded_random::fill(void* out, std::size_t n) {
  auto* p = static_cast<unsigned char*>(out);
  for (std::size_t i = 0; i < n; ++i) {
    state_ ^= state_ << 13;
    state_ ^= state_ >> 7;
    state_ ^= state_ << 17;
    p[i] = static_cast<unsigned char>(state_ >> 24);
  }
}

}  // namespace atrium
