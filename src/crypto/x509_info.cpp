#include "crypto/x509_info.hpp"

#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <ctime>

#include "crypto/openssl_ptr.hpp"
#include "base/try.hpp"
#include "crypto/primitives.hpp"

namespace atrium::crypto {

namespace {

result<sys_time> asn1_time(const ASN1_TIME* t) {
  std::tm tm{};
  if (!t || ASN1_TIME_to_tm(t, &tm) != 1) return invalid("The certificate has an unreadable validity date.");
  return std::chrono::time_point_cast<sys_time::duration>(std::chrono::system_clock::from_time_t(timegm(&tm)));
}

std::string bio_text(BIO* b) {
  char* data = nullptr;
  long n = BIO_get_mem_data(b, &data);
  return n > 0 ? std::string(data, static_cast<std::size_t>(n)) : std::string();
}

}  // namespace

result<certificate_info> read_certificate_pem(std::string_view pem) {
  constexpr std::string_view begin = "-----BEGIN CERTIFICATE-----";
  auto first = pem.find(begin);
  if (first == std::string_view::npos) return invalid("The certificate is not PEM (no -----BEGIN CERTIFICATE-----).");
  if (pem.find(begin, first + begin.size()) != std::string_view::npos)
    return invalid("Give one certificate per PEM value.");
  bio_ptr in(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  x509_ptr cert(in ? PEM_read_bio_X509(in.get(), nullptr, nullptr, nullptr) : nullptr);
  if (!cert) return invalid("The certificate is not a readable PEM X.509 certificate.");
  certificate_info out;
  TRY(nb, asn1_time(X509_get0_notBefore(cert.get())));
  TRY(na, asn1_time(X509_get0_notAfter(cert.get())));
  out.not_before = nb;
  out.not_after = na;
  bio_ptr name(BIO_new(BIO_s_mem()));
  X509_NAME_print_ex(name.get(), X509_get_subject_name(cert.get()), 0, XN_FLAG_RFC2253);
  out.subject = bio_text(name.get());
  if (EVP_PKEY* key = X509_get0_pubkey(cert.get())) {
    out.rsa = EVP_PKEY_base_id(key) == EVP_PKEY_RSA;
    out.key_bits = EVP_PKEY_get_bits(key);
  }
  unsigned char* der = nullptr;
  int len = i2d_X509(cert.get(), &der);
  if (len <= 0) return invalid("The certificate cannot be encoded.");
  out.sha256_fingerprint = sha256_hex(std::string_view(reinterpret_cast<const char*>(der), static_cast<std::size_t>(len)));
  OPENSSL_free(der);
  bio_ptr outpem(BIO_new(BIO_s_mem()));
  PEM_write_bio_X509(outpem.get(), cert.get());
  out.pem = bio_text(outpem.get());
  return out;
}

}  // namespace atrium::crypto
