#include "crypto/tls_cert.hpp"

#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>

#include <cstdio>
#include <functional>
#include <memory>

#include "crypto/openssl_ptr.hpp"

namespace atrium::crypto {

namespace {

// Writes with fopen on a descriptor created with the given mode, so the key is never readable
// by others, not even for a moment.
result<void> write_pem(const std::filesystem::path& file, mode_t mode, const std::function<int(FILE*)>& write) {
  int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) return fail(errc::internal, "cannot create " + file.string());
  FILE* f = ::fdopen(fd, "w");
  if (!f) {
    ::close(fd);
    return fail(errc::internal, "cannot open " + file.string());
  }
  bool ok = write(f) == 1;
  ok = (std::fflush(f) == 0) && ok;
  std::fclose(f);
  if (!ok) return fail(errc::internal, "cannot write " + file.string());
  return {};
}

}  // namespace

result<bool> ensure_self_signed_cert(const std::filesystem::path& cert_file,
                                     const std::filesystem::path& key_file,
                                     const std::vector<std::string>& dns_names,
                                     const std::vector<std::string>& ip_addresses) {
  if (std::filesystem::exists(cert_file) && std::filesystem::exists(key_file)) return false;
  std::error_code ec;
  std::filesystem::create_directories(cert_file.parent_path(), ec);
  std::filesystem::create_directories(key_file.parent_path(), ec);

  pkey_ptr key(EVP_EC_gen("P-256"));
  if (!key) return fail(errc::internal, "cannot generate an EC P-256 key");
  x509_ptr cert(X509_new());
  X509_set_version(cert.get(), 2);
  unsigned char serial[16];
  FILE* urandom = std::fopen("/dev/urandom", "rb");
  if (!urandom || std::fread(serial, 1, sizeof serial, urandom) != sizeof serial) {
    if (urandom) std::fclose(urandom);
    return fail(errc::internal, "cannot read random serial");
  }
  std::fclose(urandom);
  serial[0] &= 0x7f;
  BIGNUM* bn = BN_bin2bn(serial, sizeof serial, nullptr);
  BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get()));
  BN_free(bn);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -300);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 825L * 24 * 3600);
  X509_set_pubkey(cert.get(), key.get());
  X509_NAME* name = X509_get_subject_name(cert.get());
  std::string cn = dns_names.empty() ? "localhost" : dns_names.front();
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("Atrium"), -1, -1, 0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
  X509_set_issuer_name(cert.get(), name);
  std::string san;
  for (const auto& d : dns_names) san += (san.empty() ? "" : ",") + std::string("DNS:") + d;
  for (const auto& ip : ip_addresses) san += (san.empty() ? "" : ",") + std::string("IP:") + ip;
  if (auto r = add_extension(cert.get(), NID_basic_constraints, "critical,CA:FALSE"); !r) return std::unexpected(r.error());
  if (auto r = add_extension(cert.get(), NID_key_usage, "critical,digitalSignature"); !r) return std::unexpected(r.error());
  if (auto r = add_extension(cert.get(), NID_ext_key_usage, "serverAuth"); !r) return std::unexpected(r.error());
  if (!san.empty())
    if (auto r = add_extension(cert.get(), NID_subject_alt_name, san.c_str()); !r) return std::unexpected(r.error());
  if (X509_sign(cert.get(), key.get(), EVP_sha256()) == 0) return fail(errc::internal, "cannot sign the certificate");

  if (auto r = write_pem(key_file, 0600, [&](FILE* f) {
        return PEM_write_PrivateKey(f, key.get(), nullptr, nullptr, 0, nullptr, nullptr);
      });
      !r)
    return std::unexpected(r.error());
  if (auto r = write_pem(cert_file, 0644, [&](FILE* f) { return PEM_write_X509(f, cert.get()); }); !r)
    return std::unexpected(r.error());
  return true;
}

}  // namespace atrium::crypto
