#pragma once
// Verification of the enveloped XML signature of one SAML element, defending against
// signature wrapping (Somorovsky et al., "On Breaking SAML", 2012, XSW1-XSW8) and the usual
// XML-DSig pitfalls. xmlsec does the cryptography (c14n, digest, RSA); these checks decide what
// it is allowed to do and what the result means. For `element`:
//  1. it is samlp:Response, saml:Assertion, samlp:AuthnRequest, samlp:LogoutRequest or
//     samlp:LogoutResponse, with a non-empty ID;
//  2. the ID table holds only those elements' ID attributes; a document with an ID/Id value
//     twice or with xml:id is refused (xml/id_registry);
//  3. exactly one ds:Signature is a direct child of the element (SAML core §5.4.1);
//  4. SignedInfo has exclusive c14n (no comments) and RSA-SHA256 (RSA-SHA1 only with
//     allow_rsa_sha1), with nothing inside SignatureMethod (no HMACOutputLength);
//  5. exactly one ds:Reference, whose URI is "#" + the element's ID (SAML core §5.4.2);
//  6. its transforms are enveloped-signature (required) and optionally exclusive c14n
//     (InclusiveNamespaces is the only child allowed), each at most once: no XPath, XSLT,
//     Base64, inclusive c14n or anything else (SAML core §5.4.4); its digest is SHA-256;
//  7. the Signature holds no ds:Object (no Manifest, no place to hide a wrapped element);
//  8. xmlsec verifies with each trusted certificate's key set directly on the context (no keys
//     manager, KeyInfo key data disabled), so a key or certificate in ds:KeyInfo is never used;
//     only same-document references and the transforms above are enabled in xmlsec as well;
//  9. xmlsec's status is "succeeded" and exactly one reference was processed and succeeded.
// The result is a handle to the verified element: callers read values only below it.
#include <string>

#include "base/result.hpp"
#include "xml/document.hpp"
#include "xml/trusted_certs.hpp"

namespace atrium::xml {

struct verify_options {
  bool allow_rsa_sha1 = false;  // legacy peers only; off by default (SHA-1 is broken)
};

// An element whose signature verified. Only xml::verifier makes one.
class verified_element {
 public:
  const xmlNode* node() const { return node_; }
  std::string id() const;
  // The fingerprint of the trusted certificate that verified it.
  const std::string& certificate_fingerprint() const { return fingerprint_; }

 private:
  friend class verifier;
  verified_element(const xmlNode* n, std::string fp) : node_(n), fingerprint_(std::move(fp)) {}
  const xmlNode* node_;
  std::string fingerprint_;
};

class verifier {
 public:
  explicit verifier(trusted_certs certs, verify_options options = {})
      : certs_(std::move(certs)), options_(options) {}

  // Checks 1-9 above. errc::unauthenticated when the signature does not verify or breaks the
  // profile; errc::validation when the document is malformed for signing (duplicate IDs).
  result<verified_element> verify(document& doc, xmlNode* element) const;

  const trusted_certs& certificates() const { return certs_; }
  const verify_options& options() const { return options_; }

 private:
  trusted_certs certs_;
  verify_options options_;
};

// True when `element` has a ds:Signature child.
bool has_signature(const xmlNode* element);

}  // namespace atrium::xml
