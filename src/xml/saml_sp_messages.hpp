#pragma once
// What Atrium writes as SAML 2.0 service provider (issue 17): its AuthnRequest (SAML core
// §3.4.1, sent with the HTTP-Redirect binding, SAML bindings §3.4) and its metadata
// (saml-metadata-2.0-os §2.4.4 SPSSODescriptor). Values are escaped with xml::escape; nothing
// read from a peer goes in unchecked (the IdP's SSO URL comes from the administrator).
#include <string>

#include "base/clock.hpp"
#include "base/random.hpp"

namespace atrium::xml {

inline constexpr const char* name_id_email = "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress";
inline constexpr const char* name_id_unspecified = "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified";

struct authn_request_values {
  std::string id;           // "_" + 32 hex (make_message_id)
  std::string sp_entity_id;  // Issuer
  std::string acs_url;       // AssertionConsumerServiceURL, HTTP-POST
  std::string destination;   // the IdP's SSO URL
  sys_time issue_instant{};
};

// "_" followed by 32 lower-case hex digits (an xs:ID: starts with a letter or '_').
std::string make_message_id(random_source& random);

// samlp:AuthnRequest with NameIDPolicy emailAddress (AllowCreate false: users are provisioned
// first, the guide's "no just-in-time creation"). Unsigned: the Redirect binding signs the
// query (§3.4.4.1), not the XML.
std::string build_authn_request(const authn_request_values& v);

struct sp_metadata_values {
  std::string entity_id;
  std::string acs_url;
  std::string signing_certificate_base64;  // ds:X509Certificate text
};

// md:EntityDescriptor with one SPSSODescriptor: AuthnRequestsSigned and WantAssertionsSigned
// true, a signing KeyDescriptor, NameIDFormat emailAddress, one HTTP-POST ACS (index 0).
std::string build_sp_metadata(const sp_metadata_values& v);

}  // namespace atrium::xml
