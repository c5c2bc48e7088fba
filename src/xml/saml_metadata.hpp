#pragma once
// Reading a service provider's SAML 2.0 metadata (saml-metadata-2.0-os §2.3.2 EntityDescriptor,
// §2.4.4 SPSSODescriptor): what the guide's "Application metadata" upload gives the IdP — the
// entity ID (the audience), the assertion consumer services of the HTTP-POST binding, the
// signing certificates of its AuthnRequests and whether it signs them, and the NameID formats
// it asks for. The bytes are parsed with document::parse (no DTD, no entities, no network,
// limits). A signature on the metadata is not checked: the administrator who uploads the file
// is the trust anchor, as in the guide's console.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"
#include "xml/document.hpp"

namespace atrium::xml {

inline constexpr const char* ns_md = "urn:oasis:names:tc:SAML:2.0:metadata";

struct sp_acs {
  std::string location;
  int index = 0;
  bool is_default = false;
};

struct sp_metadata {
  std::string entity_id;
  std::vector<sp_acs> acs;                      // HTTP-POST only, document order
  std::vector<std::string> signing_certificates;  // PEM (KeyDescriptor use="signing" or no use)
  bool authn_requests_signed = false;
  std::vector<std::string> name_id_formats;
};

// The document's root must be md:EntityDescriptor with an entityID and exactly one
// md:SPSSODescriptor supporting the SAML 2.0 protocol, with at least one HTTP-POST
// AssertionConsumerService (errc::validation naming what is missing).
result<sp_metadata> read_sp_metadata(std::string_view bytes, const parse_limits& limits = {});

// An identity provider's metadata (saml-metadata-2.0-os §2.4.3 IDPSSODescriptor), as the
// guide's "Identity provider metadata" upload gives Atrium as SP (issue 17): the entity ID (the
// Issuer of its Responses), the SingleSignOnService of the HTTP-Redirect binding (where
// AuthnRequests go), its signing certificates and whether it wants AuthnRequests signed.
struct idp_metadata {
  std::string entity_id;
  std::string sso_url;                            // HTTP-Redirect SingleSignOnService
  std::vector<std::string> signing_certificates;  // PEM (KeyDescriptor use="signing" or no use)
  bool want_authn_requests_signed = false;
};

// The root must be md:EntityDescriptor (or an md:EntitiesDescriptor holding exactly one
// EntityDescriptor with an IDPSSODescriptor) with an entityID, one IDPSSODescriptor supporting
// SAML 2.0, an HTTP-Redirect SingleSignOnService and at least one signing certificate.
result<idp_metadata> read_idp_metadata(std::string_view bytes, const parse_limits& limits = {});

// The PEM form of a base64 DER certificate (ds:X509Certificate text, whitespace allowed).
result<std::string> certificate_pem_of_base64(std::string_view base64_der);

}  // namespace atrium::xml
