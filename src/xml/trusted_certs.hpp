#pragma once
// The certificates whose keys a verifier trusts (the peer's signing certificates from its
// metadata or the administrator's configuration). Only these keys ever verify a signature: a
// key or certificate carried in the message's ds:KeyInfo is never used (xml/verifier).
#include <openssl/types.h>
#include <xmlsec/xmlsec.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"

namespace atrium::xml {

class trusted_certs {
 public:
  struct entry;  // one certificate: its xmlsec key, its OpenSSL public key, its fingerprint

  // PEM certificates ("-----BEGIN CERTIFICATE-----"); RSA keys of at least 2048 bits.
  static result<trusted_certs> from_pem(const std::vector<std::string>& certificate_pems);
  static result<trusted_certs> from_pem(std::string_view certificate_pem);

  std::size_t size() const { return entries_.size(); }
  const std::vector<std::shared_ptr<const entry>>& entries() const { return entries_; }

 private:
  std::vector<std::shared_ptr<const entry>> entries_;
};

struct trusted_certs::entry {
  xmlSecKeyPtr key = nullptr;     // public key only, loaded from the certificate
  EVP_PKEY* public_key = nullptr;  // the same key for detached (HTTP-Redirect) signatures
  std::string sha256_fingerprint;  // lower-case hex over the DER certificate
  entry() = default;
  entry(const entry&) = delete;
  entry& operator=(const entry&) = delete;
  ~entry();
};

}  // namespace atrium::xml
