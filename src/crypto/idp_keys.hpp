#pragma once
// Atrium's SAML IdP signing key and self-signed certificate (user guide "Manage your IAM
// Identity Center certificates"; SAML 2.0 metadata KeyDescriptor use="signing"): RSA 3072,
// SHA-256, valid five years. The private key leaves this module only as PEM text for the
// caller to seal (crypto::secret_box) before it is stored.
#include <chrono>
#include <string>
#include <string_view>

#include "base/clock.hpp"
#include "base/result.hpp"

namespace atrium::crypto {

struct idp_key_pair {
  std::string certificate_pem;
  std::string private_key_pem;  // never logged; sealed at rest
  sys_time not_before{};
  sys_time not_after{};
  std::string sha256_fingerprint;  // hex of SHA-256 over the DER certificate, lower-case
};

// `common_name` becomes the subject and issuer CN (e.g. "Atrium IdP ssoins-…").
result<idp_key_pair> make_idp_key_pair(std::string_view common_name, sys_time now,
                                       std::chrono::days validity = std::chrono::days(5 * 365), int rsa_bits = 3072);

// The base64 of the DER certificate inside a PEM block (what <ds:X509Certificate> holds).
result<std::string> pem_certificate_base64(std::string_view certificate_pem);

}  // namespace atrium::crypto
