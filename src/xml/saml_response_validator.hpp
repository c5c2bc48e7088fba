#pragma once
// Atrium as SAML service provider (issue 17): validating the samlp:Response an external IdP
// posts to the assertion consumer service (SAML profiles §4.1.4.3 and §4.1.4.2, SAML core
// §2.4-§2.7 and §3.2.2), in this order, before any value is returned:
//  - the message is schema-valid and a samlp:Response of Version 2.0;
//  - the document holds exactly one saml:Assertion (anywhere: CVE-2021-28091 style multiple
//    assertions are refused) and it is a direct child of the Response; EncryptedAssertion is
//    refused (decryption is not supported);
//  - the Response or the Assertion (or both) is signed, and every signature present verifies
//    with xml::verifier (trusted certificates only, wrapping defences); an unsigned Response
//    around an unsigned Assertion is refused;
//  - Response: Destination equals the ACS URL (required when the Response is signed, SAML
//    bindings §3.5.5.2), Status is Success (otherwise the status codes and message are
//    reported), Issuer (when present) is the IdP, InResponseTo matches the request sent (or is
//    absent for an allowed unsolicited response), IssueInstant is not in the future;
//  - Assertion (read only from the verified node): Version 2.0, Issuer is the IdP, a NameID, a
//    bearer SubjectConfirmation whose data has Recipient = ACS URL, NotOnOrAfter in the future,
//    NotBefore (if any) passed and InResponseTo matching; Conditions with NotBefore /
//    NotOnOrAfter holding now and every AudienceRestriction naming this SP; an AuthnStatement
//    whose SessionNotOnOrAfter (if any) is in the future.
// Every time comparison allows `clock_skew` either way.
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.hpp"
#include "base/result.hpp"
#include "xml/document.hpp"
#include "xml/saml_types.hpp"
#include "xml/schema.hpp"
#include "xml/verifier.hpp"

namespace atrium::xml {

struct response_expectations {
  std::string idp_entity_id;  // the Issuer expected
  std::string sp_entity_id;   // the Audience expected
  std::string acs_url;        // Destination and Recipient expected
  std::optional<std::string> in_response_to;  // the ID of the AuthnRequest sent, if any
  bool allow_unsolicited = false;             // IdP-initiated responses (no InResponseTo)
  sys_time now{};
  std::chrono::seconds clock_skew{60};
};

struct validated_assertion {
  std::string response_id;
  std::string assertion_id;
  std::string issuer;
  std::string name_id;
  std::string name_id_format;  // empty when the NameID has no Format
  std::optional<std::string> in_response_to;
  std::optional<std::string> session_index;
  sys_time authn_instant{};
  std::optional<sys_time> session_not_on_or_after;
  sys_time not_on_or_after{};  // the earliest of Conditions and the bearer confirmation
  std::string authn_context_class_ref;
  std::vector<saml_attribute> attributes;
  bool response_signed = false;
  bool assertion_signed = false;
};

// Validates a parsed Response document (see above). errc::unauthenticated for signature and
// trust failures, errc::validation for malformed or non-matching messages.
result<validated_assertion> validate_response(document& doc, const response_expectations& expect,
                                              const verifier& verify, const saml_schema& schema);

// The HTTP-POST form value SAMLResponse (SAML bindings §3.5.4: base64), decoded then validated.
result<validated_assertion> validate_post_response(std::string_view saml_response, const response_expectations& expect,
                                                   const verifier& verify, const saml_schema& schema,
                                                   const parse_limits& limits = {});

}  // namespace atrium::xml
