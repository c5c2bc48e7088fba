#include "crypto/password_hash.hpp"

#include <sodium.h>

#include <mutex>

#include "crypto/argon2_work_area.hpp"
#include "crypto/primitives.hpp"

// Libsodium 1.0.18's own argon2 code, vendored with a reusable work area
// (third_party/libsodium-argon2; its names carry an atrium_sodium_ prefix). These are the
// functions crypto_pwhash_str_alg and crypto_pwhash_str_verify call inside libsodium.
extern "C" {
int atrium_sodium_argon2id_hash_encoded(uint32_t t_cost, uint32_t m_cost, uint32_t parallelism, const void* pwd,
                                        size_t pwdlen, const void* salt, size_t saltlen, size_t hashlen,
                                        char* encoded, size_t encodedlen);
int atrium_sodium_argon2id_verify(const char* encoded, const void* pwd, size_t pwdlen);
int atrium_sodium_pick_best_fill_segment(void);
}

namespace atrium::crypto {

namespace {
constexpr std::size_t hash_bytes = 32;  // libsodium's STR_HASHBYTES: the PHC strings keep their shape

// libsodium's sodium_init picks the fill function (SSSE3/AVX2/AVX-512) for its own copy; ours
// picks once the same way.
void init_argon2() {
  init();
  static std::once_flag once;
  std::call_once(once, [] { atrium_sodium_pick_best_fill_segment(); });
}

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
  init_argon2();
  if (auto r = check_cost(c); !r) return std::unexpected(r.error());
  if (password.size() > max_password_bytes) return fail(errc::validation, "The password is too long.");
  // The bounds crypto_pwhash_argon2id_str checks before hashing (check_cost is stricter below).
  if (memlimit(c) > crypto_pwhash_argon2id_MEMLIMIT_MAX || c.iterations > crypto_pwhash_argon2id_OPSLIMIT_MAX)
    return fail(errc::validation, "argon2 cost above libsodium's limits");
  unsigned char salt[crypto_pwhash_argon2id_SALTBYTES];
  randombytes_buf(salt, sizeof salt);
  char out[crypto_pwhash_STRBYTES] = {};
  if (atrium_sodium_argon2id_hash_encoded(c.iterations, static_cast<uint32_t>(memlimit(c) / 1024), 1, password.data(),
                                          password.size(), salt, sizeof salt, hash_bytes, out, sizeof out) != 0)
    return fail(errc::internal, "argon2id hashing failed (out of memory)");
  return std::string(out);
}

bool verify_password(std::string_view stored, std::string_view password) {
  init_argon2();
  if (password.size() > max_password_bytes) return false;
  // libsodium wants a NUL-terminated string; only argon2id strings are accepted at all.
  if (!stored.starts_with("$argon2id$") || stored.size() >= crypto_pwhash_STRBYTES) return false;
  std::string s(stored);
  return atrium_sodium_argon2id_verify(s.c_str(), password.data(), password.size()) == 0;
}

bool needs_rehash(std::string_view stored, const argon2_cost& c) {
  init();
  if (!stored.starts_with("$argon2id$") || stored.size() >= crypto_pwhash_STRBYTES) return true;
  std::string s(stored);
  // 0: same parameters; 1: other parameters; -1: not a string of this algorithm.
  return crypto_pwhash_str_needs_rehash(s.c_str(), c.iterations, memlimit(c)) != 0;
}

}  // namespace atrium::crypto
