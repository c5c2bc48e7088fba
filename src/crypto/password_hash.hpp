#pragma once
// Password hashing (OWASP Password Storage Cheat Sheet: argon2id, at least m=19 MiB, t=2, p=1).
// Hashing and verification run libsodium 1.0.18's own argon2 code, vendored with one change: the
// work area is a reused idle region (crypto/argon2_work_area.hpp,
// third_party/libsodium-argon2), not a fresh 19 MiB mapping per hash; _str_needs_rehash is the
// shared libsodium's. Nothing here hashes by hand. The stored form is the PHC string libsodium produces
// ("$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>"), which carries its own salt and cost, so a
// change of the configured cost applies to new hashes and old ones still verify.
#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.hpp"

namespace atrium::crypto {

struct argon2_cost {
  uint64_t memory_kib = 19456;  // libsodium's parallelism is fixed at p=1
  uint32_t iterations = 2;
};

// Checks the cost against libsodium's bounds (and our floor: 8 MiB, t>=1). errc::validation.
result<void> check_cost(const argon2_cost& c);
// A new argon2id PHC string with a fresh random salt. errc::internal when libsodium cannot
// allocate the memory.
result<std::string> hash_password(std::string_view password, const argon2_cost& c);
// True when `password` matches the stored PHC string (constant-time inside libsodium). A stored
// string that is not an argon2id hash simply does not match.
bool verify_password(std::string_view stored, std::string_view password);
// True when the stored hash was made with another algorithm or cost than `c` (rehash it at the
// next successful sign-in).
bool needs_rehash(std::string_view stored, const argon2_cost& c);

}  // namespace atrium::crypto
