#include "crypto/idp_keys.hpp"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509v3.h>

#include <memory>

#include "base/strings.hpp"
#include "crypto/openssl_ptr.hpp"
#include "crypto/primitives.hpp"

namespace atrium::crypto {

namespace {

std::string bio_text(BIO* b) {
  char* data = nullptr;
  long n = BIO_get_mem_data(b, &data);
  return n > 0 ? std::string(data, static_cast<std::size_t>(n)) : std::string{};
}

}  // namespace

result<idp_key_pair> make_idp_key_pair(std::string_view common_name, sys_time now, std::chrono::days validity, int rsa_bits) {
  if (rsa_bits != 2048 && rsa_bits != 3072 && rsa_bits != 4096) return fail(errc::validation, "RSA key size must be 2048, 3072 or 4096");
  if (common_name.empty() || common_name.size() > 64) return fail(errc::validation, "certificate common name must be 1-64 characters");
  pkey_ptr key(EVP_RSA_gen(static_cast<unsigned>(rsa_bits)));
  if (!key) return fail(errc::internal, "cannot generate an RSA key");
  x509_ptr cert(X509_new());
  X509_set_version(cert.get(), 2);
  unsigned char serial[16];
  sodium_random().fill(serial, sizeof serial);
  serial[0] &= 0x7f;  // a positive serial
  BIGNUM* bn = BN_bin2bn(serial, sizeof serial, nullptr);
  BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get()));
  BN_free(bn);
  auto secs = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  ASN1_TIME_set(X509_getm_notBefore(cert.get()), static_cast<time_t>(secs));
  ASN1_TIME_set(X509_getm_notAfter(cert.get()),
                static_cast<time_t>(secs + std::chrono::duration_cast<std::chrono::seconds>(validity).count()));
  X509_set_pubkey(cert.get(), key.get());
  X509_NAME* name = X509_get_subject_name(cert.get());
  std::string cn(common_name);
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("Atrium"), -1, -1, 0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
  X509_set_issuer_name(cert.get(), name);
  if (auto r = add_extension(cert.get(), NID_basic_constraints, "critical,CA:FALSE"); !r) return std::unexpected(r.error());
  if (auto r = add_extension(cert.get(), NID_key_usage, "critical,digitalSignature"); !r) return std::unexpected(r.error());
  if (X509_sign(cert.get(), key.get(), EVP_sha256()) == 0) return fail(errc::internal, "cannot sign the certificate");

  idp_key_pair out;
  bio_ptr cb(BIO_new(BIO_s_mem())), kb(BIO_new(BIO_s_mem()));
  if (!cb || !kb || PEM_write_bio_X509(cb.get(), cert.get()) != 1 ||
      PEM_write_bio_PrivateKey(kb.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1)
    return fail(errc::internal, "cannot encode the IdP certificate");
  out.certificate_pem = bio_text(cb.get());
  out.private_key_pem = bio_text(kb.get());
  out.not_before = sys_time(std::chrono::seconds(secs));
  out.not_after = out.not_before + std::chrono::duration_cast<std::chrono::seconds>(validity);
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int md_len = 0;
  if (X509_digest(cert.get(), EVP_sha256(), md, &md_len) != 1) return fail(errc::internal, "cannot hash the certificate");
  out.sha256_fingerprint = hex_encode(std::string_view(reinterpret_cast<const char*>(md), md_len));
  return out;
}

result<std::string> pem_certificate_base64(std::string_view pem) {
  constexpr std::string_view begin = "-----BEGIN CERTIFICATE-----", end = "-----END CERTIFICATE-----";
  auto b = pem.find(begin), e = pem.find(end);
  if (b == std::string_view::npos || e == std::string_view::npos || e < b) return fail(errc::validation, "not a PEM certificate");
  std::string out;
  for (char c : pem.substr(b + begin.size(), e - b - begin.size()))
    if (c != '\n' && c != '\r' && c != ' ') out += c;
  if (out.empty() || !base64_decode(out)) return fail(errc::validation, "bad base64 in the PEM certificate");
  return out;
}

}  // namespace atrium::crypto
