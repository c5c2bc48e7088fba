#pragma once
// The SAML Response Atrium sends to AWS for a permission set's role: what AWS's sign-in endpoint
// and STS AssumeRoleWithSAML read (IAM User Guide, "Configure SAML assertions for the
// authentication response"; user guide "Set session duration", "Attributes for access
// control"). Pure: values in, xml::response_values out; xml/ builds and signs the XML.
//  - IdP-initiated (no InResponseTo); Destination and SubjectConfirmationData/@Recipient are the
//    sign-in URL (also what the role's trust policy compares as SAML:aud);
//  - Audience urn:amazon:webservices (another partition's when configured);
//  - NameID persistent: the user's identity store id, which never changes;
//  - NotOnOrAfter five minutes after issue (AWS refuses an assertion once it has passed);
//  - attributes Role ("<role ARN>,<SAML provider ARN>"), RoleSessionName (the user name),
//    SessionDuration (the permission set's, in seconds), and PrincipalTag:<key> for each
//    attribute for access control the user has a value for (session tags, aws:PrincipalTag).
#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.hpp"
#include "base/random.hpp"
#include "domain/access_control_attributes.hpp"
#include "xml/saml_response_builder.hpp"

namespace atrium::service {

inline constexpr std::string_view aws_attr_role = "https://aws.amazon.com/SAML/Attributes/Role";
inline constexpr std::string_view aws_attr_session_name = "https://aws.amazon.com/SAML/Attributes/RoleSessionName";
inline constexpr std::string_view aws_attr_session_duration = "https://aws.amazon.com/SAML/Attributes/SessionDuration";
inline constexpr std::string_view aws_attr_principal_tag = "https://aws.amazon.com/SAML/Attributes/PrincipalTag:";
inline constexpr std::string_view nameid_persistent = "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent";

struct aws_assertion_values {
  std::string issuer;      // Atrium's IdP entity id (the entityID of the metadata in the account)
  std::string signin_url;  // https://signin.aws.amazon.com/saml or the configured one
  std::string audience = "urn:amazon:webservices";
  std::string user_id;     // the persistent NameID
  std::string user_name;   // becomes RoleSessionName (aws_role_session_name)
  std::string role_arn;
  std::string provider_arn;
  std::chrono::seconds session_duration{3600};
  std::vector<domain::resolved_attribute> principal_tags;
  sys_time now{};
  std::chrono::seconds lifetime{300};
};

// RoleSessionName allows 2-64 characters of [\w+=,.@-] (STS AssumeRoleWithSAML). A user name
// of that set is used as it is; any other character becomes '_', longer names are cut at 64
// and a one-character name gets a '_' so that every user can federate.
std::string aws_role_session_name(std::string_view user_name);

// The Response values; `random` gives the SessionIndex.
xml::response_values aws_response_values(const aws_assertion_values& v, random_source& random);

}  // namespace atrium::service
