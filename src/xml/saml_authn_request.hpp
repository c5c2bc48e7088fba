#pragma once
// Reading a samlp:AuthnRequest (SAML core §3.4.1) that a service provider sent Atrium as IdP,
// over HTTP-Redirect (SAML bindings §3.4.4.1: base64 of raw DEFLATE) or HTTP-POST (§3.5.4:
// base64). The request is schema-validated before any value is read. Signature checks are the
// caller's: verify_redirect_signature for Redirect, xml::verifier on the root for POST.
#include <optional>
#include <string>
#include <string_view>

#include "base/clock.hpp"
#include "base/result.hpp"
#include "xml/document.hpp"
#include "xml/saml_bindings.hpp"
#include "xml/schema.hpp"

namespace atrium::xml {

struct authn_request {
  std::string id;
  sys_time issue_instant{};
  std::string issuer;                              // required by SAML profiles §4.1.4.1
  std::optional<std::string> destination;
  std::optional<std::string> acs_url;              // AssertionConsumerServiceURL
  std::optional<int> acs_index;                    // AssertionConsumerServiceIndex
  std::optional<std::string> protocol_binding;
  std::optional<std::string> name_id_format;       // NameIDPolicy/@Format
  bool force_authn = false;
  bool is_passive = false;
  bool has_signature = false;                      // an enveloped ds:Signature is present
};

// Schema validation, then the fields of the document's root samlp:AuthnRequest: Version must
// be 2.0 (§3.2.2.2 VersionMismatch otherwise), ID and IssueInstant present, Issuer present,
// AssertionConsumerServiceIndex not together with AssertionConsumerServiceURL or
// ProtocolBinding (§3.4.1).
result<authn_request> read_authn_request(const document& doc, const saml_schema& schema);

// decode_message + read_authn_request. The document is returned too, for a POST signature.
struct parsed_authn_request {
  authn_request request;
  document doc;
};
result<parsed_authn_request> parse_authn_request(std::string_view message, saml_binding binding,
                                                 const saml_schema& schema, const parse_limits& limits = {});

}  // namespace atrium::xml
