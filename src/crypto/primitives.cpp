#include "crypto/primitives.hpp"

#include <fcntl.h>
#include <sodium.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <stdexcept>

#include "base/strings.hpp"

namespace atrium::crypto {

void init() {
  static const int once = [] {
    if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
    return 0;
  }();
  (void)once;
}

void sodium_random::fill(void* out, std::size_t n) { randombytes_buf(out, n); }

bool constant_time_equal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

// SHA-256 and HMAC-SHA256 through libsodium: OpenSSL 3's EVP_Digest and HMAC look the
// algorithm up in the provider tables on every call (EVP_MD_fetch, EVP_MAC_fetch), which was
// half their cost in a SigV4 verification (five HMACs and two hashes per signed request; issue
// 18's profile of DescribeUser). Same algorithms, same bytes (FIPS 180-4, RFC 2104).
std::string sha256(std::string_view data) {
  std::string out(crypto_hash_sha256_BYTES, '\0');
  crypto_hash_sha256(reinterpret_cast<unsigned char*>(out.data()), reinterpret_cast<const unsigned char*>(data.data()),
                     data.size());
  return out;
}

std::string sha256_hex(std::string_view data) { return hex_encode(sha256(data)); }

std::string hmac_sha256(std::string_view key, std::string_view data) {
  std::string out(crypto_auth_hmacsha256_BYTES, '\0');
  crypto_auth_hmacsha256_state st;
  crypto_auth_hmacsha256_init(&st, reinterpret_cast<const unsigned char*>(key.data()), key.size());
  crypto_auth_hmacsha256_update(&st, reinterpret_cast<const unsigned char*>(data.data()), data.size());
  crypto_auth_hmacsha256_final(&st, reinterpret_cast<unsigned char*>(out.data()));
  sodium_memzero(&st, sizeof st);
  return out;
}

secret_box::secret_box(std::string key) : key_(std::move(key)) {
  if (key_.size() != crypto_secretbox_KEYBYTES)
    throw std::invalid_argument("secret_box key must be 32 bytes");
}

result<secret_box> secret_box::load_or_create(const std::filesystem::path& key_file) {
  init();
  std::error_code ec;
  if (key_file.has_parent_path()) std::filesystem::create_directories(key_file.parent_path(), ec);
  int fd = ::open(key_file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd >= 0) {
    std::string key(crypto_secretbox_KEYBYTES, '\0');
    randombytes_buf(key.data(), key.size());
    bool ok = ::write(fd, key.data(), key.size()) == static_cast<ssize_t>(key.size()) && ::fsync(fd) == 0;
    ::close(fd);
    if (!ok) return fail(errc::internal, "cannot write master key " + key_file.string());
    return secret_box(std::move(key));
  }
  if (errno != EEXIST)
    return fail(errc::internal, "cannot create master key " + key_file.string() + ": " + std::strerror(errno));
  std::ifstream in(key_file, std::ios::binary);
  std::string key((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (key.size() != crypto_secretbox_KEYBYTES)
    return fail(errc::internal, "master key " + key_file.string() + " is not 32 bytes");
  return secret_box(std::move(key));
}

secret_box secret_box::derive(std::string_view context, uint64_t subkey_id) const {
  static_assert(crypto_kdf_KEYBYTES == crypto_secretbox_KEYBYTES && crypto_kdf_BYTES_MAX >= crypto_secretbox_KEYBYTES);
  if (context.size() != crypto_kdf_CONTEXTBYTES) throw std::invalid_argument("a key derivation context is 8 characters");
  init();
  std::string sub(crypto_secretbox_KEYBYTES, '\0');
  char ctx[crypto_kdf_CONTEXTBYTES];
  std::copy(context.begin(), context.end(), ctx);
  crypto_kdf_derive_from_key(reinterpret_cast<unsigned char*>(sub.data()), sub.size(), subkey_id, ctx,
                             reinterpret_cast<const unsigned char*>(key_.data()));
  return secret_box(std::move(sub));
}

std::string secret_box::seal(std::string_view plain) const {
  std::string out(crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + plain.size(), '\0');
  auto* nonce = reinterpret_cast<unsigned char*>(out.data());
  randombytes_buf(nonce, crypto_secretbox_NONCEBYTES);
  crypto_secretbox_easy(nonce + crypto_secretbox_NONCEBYTES,
                        reinterpret_cast<const unsigned char*>(plain.data()), plain.size(), nonce,
                        reinterpret_cast<const unsigned char*>(key_.data()));
  return base64_encode(out);
}

result<std::string> secret_box::open(std::string_view sealed) const {
  auto raw = base64_decode(sealed);
  if (!raw || raw->size() < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES)
    return fail(errc::internal, "sealed secret is malformed");
  const auto* nonce = reinterpret_cast<const unsigned char*>(raw->data());
  std::string plain(raw->size() - crypto_secretbox_NONCEBYTES - crypto_secretbox_MACBYTES, '\0');
  if (crypto_secretbox_open_easy(reinterpret_cast<unsigned char*>(plain.data()),
                                 nonce + crypto_secretbox_NONCEBYTES,
                                 raw->size() - crypto_secretbox_NONCEBYTES, nonce,
                                 reinterpret_cast<const unsigned char*>(key_.data())) != 0)
    return fail(errc::internal, "sealed secret does not open with this master key");
  return plain;
}

}  // namespace atrium::crypto
