#pragma once
// What an administrator's X.509 certificate says (issue 17: the external IdP's signing
// certificates, uploaded in metadata or pasted as PEM): subject, validity, key type and size,
// fingerprint. Nothing is trusted here; the caller decides what it accepts.
#include <string>
#include <string_view>

#include "base/clock.hpp"
#include "base/result.hpp"

namespace atrium::crypto {

struct certificate_info {
  std::string subject;  // RFC 2253 form, e.g. "CN=idp.example.com,O=Example"
  sys_time not_before{};
  sys_time not_after{};
  bool rsa = false;
  int key_bits = 0;
  std::string sha256_fingerprint;  // lower-case hex over the DER
  std::string pem;                 // canonical PEM (one certificate)
};

// Exactly one PEM certificate (anything else: errc::validation saying what is wrong).
result<certificate_info> read_certificate_pem(std::string_view pem);

}  // namespace atrium::crypto
