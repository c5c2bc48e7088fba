// The IdP signing certificate: RSA, self-signed, five years, and its DER for metadata.
#include "crypto/idp_keys.hpp"

#include <gtest/gtest.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "base/strings.hpp"
#include "crypto/primitives.hpp"

namespace atrium::crypto {
namespace {

TEST(IdpKeys, MakesASelfSignedRsaCertificate) {
  init();
  auto now = sys_time(std::chrono::sys_days(std::chrono::year(2026) / 11 / 25));
  auto k = make_idp_key_pair("Atrium IdP ssoins-0123456789abcdef", now, std::chrono::days(5 * 365), 2048);
  ASSERT_TRUE(k) << k.error().message;
  EXPECT_EQ(k->not_after - k->not_before, std::chrono::days(5 * 365));
  EXPECT_EQ(k->sha256_fingerprint.size(), 64u);
  EXPECT_NE(k->private_key_pem.find("BEGIN PRIVATE KEY"), std::string::npos);
  BIO* b = BIO_new_mem_buf(k->certificate_pem.data(), static_cast<int>(k->certificate_pem.size()));
  X509* cert = PEM_read_bio_X509(b, nullptr, nullptr, nullptr);
  BIO_free(b);
  ASSERT_NE(cert, nullptr);
  EVP_PKEY* pub = X509_get0_pubkey(cert);
  EXPECT_EQ(EVP_PKEY_get_base_id(pub), EVP_PKEY_RSA);
  EXPECT_EQ(EVP_PKEY_get_bits(pub), 2048);
  EXPECT_EQ(X509_verify(cert, pub), 1) << "self-signed";
  X509_free(cert);
  auto b64 = pem_certificate_base64(k->certificate_pem);
  ASSERT_TRUE(b64);
  EXPECT_EQ(hex_encode(sha256(*base64_decode(*b64))), k->sha256_fingerprint);
}

TEST(IdpKeys, RefusesBadParameters) {
  auto now = sys_time(std::chrono::sys_days(std::chrono::year(2026) / 11 / 25));
  EXPECT_FALSE(make_idp_key_pair("x", now, std::chrono::days(1), 1024));
  EXPECT_FALSE(make_idp_key_pair("", now));
  EXPECT_FALSE(pem_certificate_base64("no pem here"));
  EXPECT_FALSE(pem_certificate_base64("-----BEGIN CERTIFICATE-----\n!!\n-----END CERTIFICATE-----"));
}

}  // namespace
}  // namespace atrium::crypto
