#pragma once
// Thin, safe wrappers over libsodium and OpenSSL used across the server.
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "base/random.hpp"
#include "base/result.hpp"

namespace atrium::crypto {

// Must be called once before any other function here (sodium_init); idempotent.
void init();

// libsodium's CSPRNG (randombytes_buf).
class sodium_random final : public random_source {
 public:
  void fill(void* out, std::size_t n) override;
};

// Constant-time comparison (sodium_memcmp); false when lengths differ.
bool constant_time_equal(std::string_view a, std::string_view b);

std::string sha256(std::string_view data);                            // raw 32 bytes
std::string sha256_hex(std::string_view data);
std::string hmac_sha256(std::string_view key, std::string_view data);  // raw 32 bytes

// Authenticated encryption of secrets at rest (XSalsa20-Poly1305, crypto_secretbox_easy) under
// a 32-byte master key. seal() output = nonce || ciphertext, base64-encoded.
class secret_box {
 public:
  explicit secret_box(std::string key);  // exactly crypto_secretbox_KEYBYTES bytes
  // Reads the key file, or creates it (mode 0600, 32 random bytes) when it does not exist.
  static result<secret_box> load_or_create(const std::filesystem::path& key_file);
  std::string seal(std::string_view plain) const;
  result<std::string> open(std::string_view sealed) const;
  // A box under a purpose key derived from this one (libsodium crypto_kdf_derive_from_key:
  // BLAKE2b keyed with this key over `context` and `subkey_id`). `context` is exactly 8
  // characters naming the purpose ("signin01"). Every node holding the same key derives the
  // same purpose key; a value sealed under one purpose never opens under another or under the
  // key itself. Throws std::invalid_argument for a context of another length (a programming error).
  secret_box derive(std::string_view context, uint64_t subkey_id) const;

 private:
  std::string key_;
};

}  // namespace atrium::crypto
