#include "crypto/tls_cert.hpp"

#include <gtest/gtest.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>

#include <cstdio>
#include <string>

#include <unistd.h>

namespace atrium::crypto {

TEST(tls_cert, creates_once_with_private_key_mode_and_sans) {
  auto dir = std::filesystem::temp_directory_path() / ("atrium-cert-test-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  auto cert = dir / "tls" / "cert.pem", key = dir / "tls" / "key.pem";
  auto made = ensure_self_signed_cert(cert, key, {"localhost", "atrium.test"}, {"127.0.0.1"});
  ASSERT_TRUE(made);
  EXPECT_TRUE(*made);
  struct stat st {};
  ASSERT_EQ(::stat(key.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto again = ensure_self_signed_cert(cert, key, {"localhost"}, {});
  ASSERT_TRUE(again);
  EXPECT_FALSE(*again) << "existing files are kept";

  FILE* f = std::fopen(cert.c_str(), "r");
  ASSERT_NE(f, nullptr);
  X509* x = PEM_read_X509(f, nullptr, nullptr, nullptr);
  std::fclose(f);
  ASSERT_NE(x, nullptr);
  EXPECT_EQ(X509_check_host(x, "atrium.test", 0, 0, nullptr), 1);
  EXPECT_EQ(X509_check_ip_asc(x, "127.0.0.1", 0), 1);
  EXPECT_NE(X509_check_host(x, "other.test", 0, 0, nullptr), 1);
  EVP_PKEY* pub = X509_get0_pubkey(x);
  EXPECT_EQ(X509_verify(x, pub), 1) << "self-signed";
  X509_free(x);
  std::filesystem::remove_all(dir);
}

}  // namespace atrium::crypto
