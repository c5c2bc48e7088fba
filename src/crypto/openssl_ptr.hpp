#pragma once
// Owning pointers for the OpenSSL objects the crypto layer creates (the architecture guide's
// "OpenSSL RAII"), shared so that each .cpp does not declare its own copies.
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <memory>

#include "base/result.hpp"

namespace atrium::crypto {

template <class T, void (*F)(T*)>
struct openssl_free {
  void operator()(T* p) const { F(p); }
};
using pkey_ptr = std::unique_ptr<EVP_PKEY, openssl_free<EVP_PKEY, EVP_PKEY_free>>;
using x509_ptr = std::unique_ptr<X509, openssl_free<X509, X509_free>>;
using bio_ptr = std::unique_ptr<BIO, openssl_free<BIO, BIO_free_all>>;
using x509_extension_ptr = std::unique_ptr<X509_EXTENSION, openssl_free<X509_EXTENSION, X509_EXTENSION_free>>;

// Adds an X.509 v3 extension given in OpenSSL's config syntax ("critical,CA:FALSE") to a
// self-signed certificate (issuer = subject = `cert`).
result<void> add_extension(X509* cert, int nid, const char* value);

}  // namespace atrium::crypto
