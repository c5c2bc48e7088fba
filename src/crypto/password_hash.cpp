#include "crypto/password_hash.hpp"

#include <sodium.h>

#include "crypto/primitives.hpp"

namespace atrium::crypto {

namespace {
constexpr uint64_t min_memory_kib = 8 * 1024;
constexpr std::size_t max_password_bytes = 4096;  // the policy allows 64 characters: room for UTF-8

std::size_t memlimit(const argon2_cost& c) { return static_cast<std::size_t>(c.memory_kib) * 1024; }
}  // namespace

result<void> check_cost(const argon2_cost& c) {
  if (c.memory_kib < min_memory_kib || c.memory_kib > (uint64_t{1} << 32))
    return fail(errc::validation, "argon2 memory must be between 8192 KiB and 4 TiB");
  if (c.iterations < 1)
    return fail(errc::validation, "argon2 iterations must be at least 1");
  return {};
}

result<std::string> hash_password(std::string_view password, const argon2_cost& c) {
  init();
  if (auto r = check_cost(c); !r) return std::unexpected(r.error());
  if (password.size() > max_password_bytes) return fail(errc::validation, "The password is too long.");
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, password.data(), password.size(), c.iterations, memlimit(c),
                            crypto_pwhash_ALG_ARGON2ID13) != 0)
    return fail(errc::internal, "argon2id hashing failed (out of memory)");
  return std::string(out);
}

bool verify_password(std::string_view stored, std::string_view password) {
  init();
  if (password.size() > max_password_bytes) return false;
  // libsodium wants a NUL-terminated string; only argon2id strings are accepted at all.
  if (!stored.starts_with("$argon2id$") || stored.size() >= crypto_pwhash_STRBYTES) return false;
  std::string s(stored);
  return crypto_pwhash_str_verify(s.c_str(), password.data(), password.size()) == 0;
}

bool needs_rehash(std::string_view stored, const argon2_cost& c) {
  init();
  if (!stored.starts_with("$argon2id$") || stored.size() >= crypto_pwhash_STRBYTES) return true;
  std::string s(stored);
  // 0: same parameters; 1: other parameters; -1: not a string of this algorithm.
  return crypto_pwhash_str_needs_rehash(s.c_str(), c.iterations, memlimit(c)) != 0;
}

}  // namespace atrium::crypto
