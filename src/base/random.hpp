#pragma once
// Randomness is injected (architecture guide). The production source is libsodium's CSPRNG,
// which lives in crypto/ (crypto::sodium_random); base only names the interface.
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <chrono>
#include <string>

namespace atrium {

class random_source {
 public:
  virtual ~random_source() = default;
  virtual void fill(void* out, std::size_t n) = 0;

  std::string hex(std::size_t bytes);
  // RFC 4122 version-4 UUID, lower-case.
  std::string uuid4();
  // RFC 9562 version-7 UUID: 48 bits of Unix milliseconds, then random bits. Same text form as
  // uuid4, but ids made one after another sort near each other, so a B-tree keyed by them
  // appends instead of touching a random page per insert (what made SQLite write amplify).
  // Within one millisecond the ids of one source still sort in the order they were made (RFC
  // 9562 §6.2 method 1: a 12-bit counter in rand_a; see random.cpp): the provisioning queue runs
  // requests in request-id order, and a create and a delete of the same assignment can be made
  // in one millisecond. The server makes its ids from one source (app/runtime.cpp); across nodes
  // ids of one millisecond are unordered, as the nodes' clocks are anyway.
  std::string uuid7(std::chrono::sys_time<std::chrono::milliseconds> now);
  // Upper-case letters and digits (A-Z2-7, RFC 4648 base32 alphabet), n characters.
  std::string base32(std::size_t n);

 private:
  uint64_t next_uuid7_stamp(uint64_t ms, uint64_t fresh_counter);
  std::atomic<uint64_t> last_uuid7_{0};  // millisecond << 12 | counter of the last uuid7
};

// Deterministic source for tests (xorshift); never used by the server.
class seeded_random final : public random_source {
 public:
  explicit seeded_random(uint64_t seed) : state_(seed ? seed : 1) {}
  void fill(void* out, std::size_t n) override;

 private:
  uint64_t state_;
};

}  // namespace atrium
