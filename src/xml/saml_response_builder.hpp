#pragma once
// Building the samlp:Response with one saml:Assertion that Atrium as IdP sends (SAML core
// §2.3.3, §3.3.3; SAML profiles §4.1.4.2 Web Browser SSO, bearer subject confirmation), signed
// with xml::signer. Pure: ids come from the injected random source, times from the values.
#include <optional>
#include <string>
#include <vector>

#include "base/clock.hpp"
#include "base/random.hpp"
#include "base/result.hpp"
#include "xml/saml_types.hpp"
#include "xml/signer.hpp"

namespace atrium::xml {

struct response_values {
  std::string issuer;        // the IdP's entity id (Response and Assertion Issuer)
  std::string destination;   // the SP's assertion consumer service URL (Response/@Destination)
  std::string recipient;     // SubjectConfirmationData/@Recipient (normally the same URL)
  std::string audience;      // the SP's entity id (AudienceRestriction/Audience)
  std::optional<std::string> in_response_to;  // the AuthnRequest's ID; none when IdP-initiated
  std::string name_id;
  std::string name_id_format = "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified";
  std::string session_index;
  sys_time issue_instant{};      // Response and Assertion IssueInstant
  sys_time authn_instant{};      // AuthnStatement/@AuthnInstant
  sys_time not_before{};         // Conditions/@NotBefore
  sys_time not_on_or_after{};    // Conditions/@NotOnOrAfter and SubjectConfirmationData's
  std::optional<sys_time> session_not_on_or_after;
  std::string authn_context_class_ref = "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport";
  std::vector<saml_attribute> attributes;
};

enum class sign_target { assertion, response, both };

// The Response as XML text, signed as asked (the Assertion first when both). Every value is
// escaped; values that are empty where SAML needs them, not UTF-8, or hold control characters
// are refused (errc::validation). IDs are "_" + 32 hex characters (SAML core §1.3.4).
result<std::string> build_response(const response_values& values, random_source& random, const signer& sign_with,
                                   sign_target target);

// The same Response unsigned (for tests and for peers that sign elsewhere).
result<std::string> build_response_xml(const response_values& values, random_source& random);

}  // namespace atrium::xml
