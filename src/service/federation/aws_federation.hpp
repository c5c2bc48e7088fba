#pragma once
// From (user, account, permission set) to an AWS session (issue 15 item 2, issue 16 item 4;
// docs/console-access.md). Both use cases sign the same kind of SAML Response
// (federation/aws_assertion.hpp) with the IdP's active key:
//  - console_session: what the portal's "Management console" posts to AWS's sign-in endpoint;
//  - role_credentials: the Response exchanged at STS AssumeRoleWithSAML for the role's
//    temporary credentials (the sso portal API's GetRoleCredentials, the CLI's credentials).
//
// Access (both): the user exists and is enabled; the permission set named `role_name` is
// assigned to the user in `account_id` directly or through a group (nested groups count); the
// account is in the organization; the permission set is provisioned there (the role exists).
// Anything else is errc::access_denied with one message that tells nothing about what exists.
// A malformed account id or role name is errc::validation.
//
// Audit: a success writes one CloudTrail record (eventSource sso.amazonaws.com, eventName
// "Federate" or "GetRoleCredentials", userIdentity type Unknown with the user's id and name,
// requestParameters {accountId, roleName}, responseElements null: what is returned is a
// credential). A refusal is recorded by the calling door, like every refused call (door kit
// finish_call), with the context `event_context` gives.
#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "base/clock.hpp"
#include "base/random.hpp"
#include "base/result.hpp"
#include "service/audit/audited_store.hpp"
#include "service/audit/call_context.hpp"
#include "service/federation/active_signer.hpp"
#include "service/federation/saml_role_exchange.hpp"
#include "service/sso_admin/idp_signing.hpp"

namespace atrium::service {

// What the browser POSTs to the AWS sign-in endpoint (SAML bindings §3.5 HTTP-POST).
struct aws_role_session {
  std::string destination;    // federation.aws_signin_url
  std::string saml_response;  // base64 of the signed samlp:Response
  std::string relay_state;    // the permission set's relay state, or empty
};

struct federation_settings {
  std::string idp_entity_id;  // the Issuer: the entityID of the metadata in every account
  std::string signin_url = "https://signin.aws.amazon.com/saml";  // federation.aws_signin_url
  std::string audience = "urn:amazon:webservices";                 // federation.audience
  std::string partition = "aws";
  std::string region = "us-east-1";  // CloudTrail awsRegion
  // provisioner.kind: with "record-only" no role exists in any account, so role_credentials
  // says so instead of asking STS.
  std::string provisioner_kind = "record-only";
};

class aws_federation {
 public:
  static constexpr std::string_view console_event = "Federate";
  static constexpr std::string_view credentials_event = "GetRoleCredentials";

  // `sts` may be null (record-only deployments): role_credentials then refuses with the reason.
  aws_federation(audited_store& store, const clock& clk, random_source& rnd, idp_signing& idp,
                 federation_settings settings, saml_role_exchange* sts);

  result<aws_role_session> console_session(const call_context& ctx, std::string_view user_id,
                                           std::string_view account_id, std::string_view role_name);
  result<aws_role_credentials> role_credentials(const call_context& ctx, std::string_view user_id,
                                                std::string_view account_id, std::string_view role_name);

  // The call context of one of the two events (sso.amazonaws.com, read-only, requestParameters
  // {accountId, roleName}, userIdentity type Unknown with principalId = the user's id when the
  // caller left it empty): the service audits with it, and a door records its refusals with it.
  call_context event_context(call_context ctx, std::string_view event, std::string_view user_id,
                             std::string_view account_id, std::string_view role_name) const;

  const federation_settings& settings() const { return settings_; }
  active_signer& signer() { return signer_; }

 private:
  struct grant;  // what the checks found (aws_federation.cpp)
  // `session_id`: the portal session whose IdP attributes override the configured ones (may be empty).
  result<grant> authorize(std::string_view user_id, std::string_view account_id, std::string_view role_name,
                          const std::string& session_id);
  result<std::string> signed_response(const grant& g);

  audited_store& store_;
  const clock& clock_;
  random_source& random_;
  active_signer signer_;
  federation_settings settings_;
  saml_role_exchange* sts_;
};

}  // namespace atrium::service
