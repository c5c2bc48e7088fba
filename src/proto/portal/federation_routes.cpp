// The landing page's ways into an account (docs/console-access.md), both POST with the session
// and X-CSRF-Token the door has already checked (a disabled user or an ended session has no
// session), both {"accountId", "roleName"} (the permission set's name):
//  - portal/console: "Management console" -> {"destination", "samlResponse", "relayState"},
//    which the page posts as a form to the destination (SAML bindings §3.5.4);
//  - portal/credentials: the role's temporary credentials (STS AssumeRoleWithSAML) in the sso
//    portal API's GetRoleCredentials shape {"roleCredentials": {accessKeyId, secretAccessKey,
//    sessionToken, expiration (epoch milliseconds)}}, for "Command line or programmatic access".
// The service checks the assignment. A refusal is answered 403 AccessDenied (nothing signed)
// and recorded as the failed Federate / GetRoleCredentials event.
#include "proto/kit/door_call.hpp"
#include "proto/portal/portal_door.hpp"
#include "proto/portal/portal_http.hpp"

namespace atrium::proto::portal {

namespace {

constexpr std::size_t max_account_id = 12;
constexpr std::size_t max_role_name = 32;

}  // namespace

response portal_door::federation_route(call& c, bool console) {
  const auto& user = c.session->user;
  auto account = text_field(c.body, "accountId", max_account_id);
  auto role = account ? text_field(c.body, "roleName", max_role_name) : account;
  auto base = svc_.sign_in.user_context(c.client, user.user_name);
  base.who.principal_id = user.id;  // the portal's API events name the directory user (guide)
  base.session_id = c.session->record.id;  // an external IdP's attributes of this session apply
  auto event = console ? service::aws_federation::console_event : service::aws_federation::credentials_event;
  auto ctx = svc_.federation.event_context(base, event, user.id, account ? *account : "", role ? *role : "");
  response r;
  auto refused = [&r](const error& e) {
    r = e.code == errc::access_denied ? error_answer(403, "AccessDenied", e.message) : from_error(e);
    r.error_message = e.message;  // CloudTrail's errorMessage (the answer hides internal ones)
  };
  if (!account || !role) {
    refused(account ? role.error() : account.error());
  } else if (console) {
    if (auto s = svc_.federation.console_session(ctx, user.id, *account, *role); !s) refused(s.error());
    else r = json_answer({{"destination", s->destination}, {"samlResponse", s->saml_response}, {"relayState", s->relay_state}});
  } else {
    if (auto k = svc_.federation.role_credentials(ctx, user.id, *account, *role); !k) {
      refused(k.error());
    } else {
      r = json_answer({{"roleCredentials",
                        {{"accessKeyId", k->access_key_id}, {"secretAccessKey", k->secret_access_key},
                         {"sessionToken", k->session_token}, {"expiration", epoch_millis(k->expiration)}}}});
    }
  }
  return finish_call(svc_.audit, ctx, std::move(r), "portal");
}

}  // namespace atrium::proto::portal
