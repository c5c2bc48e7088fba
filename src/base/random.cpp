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

std::string random_source::uuid7(std::chrono::sys_time<std::chrono::milliseconds> now) {
  std::array<unsigned char, 16> b{};
  fill(b.data(), b.size());
  auto ms = static_cast<uint64_t>(now.time_since_epoch().count());
  for (int i = 0; i < 6; ++i) b[i] = static_cast<unsigned char>(ms >> (8 * (5 - i)));
  b[6] = static_cast<unsigned char>((b[6] & 0x0f) | 0x70);
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
