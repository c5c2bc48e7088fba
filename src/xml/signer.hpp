#pragma once
// Enveloped XML signatures of SAML elements with xmlsec (nothing hand-rolled: xmlsec does the
// canonicalisation, digest and RSA signature). The profile is the one SAML core §5.4 asks for:
// one Reference to the element's ID ("#<ID>", §5.4.2), transforms enveloped-signature then
// exclusive c14n (§5.4.3-§5.4.4), exclusive c14n for SignedInfo, RSA-SHA256 (RFC 6931 §2.3.2),
// SHA-256 digests, and KeyInfo/X509Data/X509Certificate with the signing certificate (§5.4.5).
//
// The key is loaded once; a signer is cheap to copy and may sign from several threads at once
// (each signature has its own xmlsec context; the OpenSSL key is only read).
#include <memory>
#include <string>
#include <string_view>

#include "base/result.hpp"
#include "xml/document.hpp"

namespace atrium::xml {

class signer {
 public:
  // The IdP key pair as crypto::idp_keys makes it (PKCS#8 PEM key, PEM certificate). The key
  // must be RSA (>= 2048 bits) and match the certificate. The key is never logged.
  static result<signer> from_pem(std::string_view private_key_pem, std::string_view certificate_pem);

  // Signs `element` (which must carry an ID attribute) in place: the ds:Signature becomes the
  // child right after its saml:Issuer (SAML core §5.4.1: the position the schema gives
  // Signature in Response, Assertion and requests), or its first child when there is none.
  result<void> sign(document& doc, xmlNode* element) const;

  // RSA-SHA256 over `octets` (the HTTP-Redirect binding's detached signature, SAML bindings
  // §3.4.4.1). Returns the raw signature bytes.
  result<std::string> sign_octets(std::string_view octets) const;

  // The certificate's base64 DER (what ds:X509Certificate holds).
  const std::string& certificate_base64() const;

 private:
  struct state;
  explicit signer(std::shared_ptr<const state> s) : state_(std::move(s)) {}
  std::shared_ptr<const state> state_;
};

}  // namespace atrium::xml
