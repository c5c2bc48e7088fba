#pragma once
// Randomness is injected (architecture guide). The production source is libsodium's CSPRNG,
// which lives in crypto/ (crypto::sodium_random); base only names the interface.
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
  std::string uuid7(std::chrono::sys_time<std::chrono::milliseconds> now);
  // Upper-case letters and digits (A-Z2-7, RFC 4648 base32 alphabet), n characters.
  std::string base32(std::size_t n);
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
