#pragma once
// CreateToken of the sso-oidc API and the bearer tokens of the portal API (issue 16 items 1, 3).
//
// Grants: the device code (RFC 8628 §3.4-3.5: authorization_pending until the user decides,
// slow_down when polled faster than the interval, which then grows by 5 s for the rest of the
// code's life, expired_token after 10 minutes, access_denied when denied, single use), the
// authorization code (RFC 6749 §4.1.3 with PKCE S256, RFC 7636 §4.6: the same client and
// redirect URI, single use; a second use revokes what the first produced, RFC 6749 §4.1.2) and
// the refresh token (RFC 6749 §6; rotated on every use: the old one is spent, and spending it
// again revokes its whole family, RFC 9700 §4.14.2).
//
// Every approval makes a grant bound to the portal session it was approved in; its tokens expire
// with that session (portal.session_hours, 8 hours by default) and end at once when the session
// ends (sign-out, Logout, the user deleted) or the user is disabled: validation reads the token,
// its grant, the session and the user in one snapshot, and nothing is cached.
#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.hpp"
#include "base/random.hpp"
#include "domain/identity.hpp"
#include "service/audit/audited_store.hpp"
#include "service/audit/call_context.hpp"
#include "service/oidc/client_registry.hpp"
#include "service/oidc/oauth_error.hpp"
#include "store/oidc_repository.hpp"

namespace atrium::service::oidc {

struct token_request {
  std::string grant_type;
  std::string client_id;
  std::string client_secret;
  std::string device_code;
  std::string code;
  std::string refresh_token;
  std::string redirect_uri;
  std::string code_verifier;
  std::vector<std::string> scopes;  // optional; must be within the client's
};

struct issued_tokens {
  std::string access_token;
  std::string refresh_token;  // empty for clients registered without scopes (legacy CLI profiles)
  int64_t expires_in = 0;     // seconds
};

// An authenticated portal API caller.
struct bearer {
  domain::user user;
  store::oidc_grant_record grant;
};

struct token_settings {
  std::string account_id;  // the deployment's account: CloudTrail's accountId of user events
};

class token_service {
 public:
  token_service(audited_store& store, client_registry& clients, const clock& clk, random_source& rnd,
                token_settings s);

  // CreateToken. A successful call is audited with the user as userIdentity (ctx's `who` is
  // replaced); a refused one is left to the door. Polling bookkeeping and refresh-token family
  // revocation commit even though the call fails.
  oauth_result<issued_tokens> create(const call_context& ctx, const token_request& r);
  // The x-amz-sso_bearer_token header -> its user and grant; errc::unauthenticated otherwise.
  result<bearer> authenticate(std::string_view header_value);
  // Logout: ends the sign-in session the token belongs to, and with it every token of it (and
  // the portal's browser session). Audited (ctx names it).
  result<void> logout(const call_context& ctx, const bearer& b);
  // CloudTrail's userIdentity of a user of this deployment (type Unknown, as the guide's records).
  principal user_principal(const domain::user& u) const;
  // Deletes expired clients, authorizations, grants and attempt windows (a detached write, at most
  // every 10 minutes).
  void purge_expired();

 private:
  struct grant_outcome;
  result<void> run_grant(store::transaction& tx, const store::oidc_client_record& client, const token_request& r,
                         grant_outcome& out);
  result<void> device_grant(store::transaction& tx, const store::oidc_client_record& client, const token_request& r,
                            grant_outcome& out);
  result<void> code_grant(store::transaction& tx, const store::oidc_client_record& client, const token_request& r,
                          grant_outcome& out);
  result<void> refresh_grant(store::transaction& tx, const store::oidc_client_record& client, const token_request& r,
                             grant_outcome& out);
  // A new grant for an approved authorization: checks the user and the session, then issues.
  result<void> issue_for(store::transaction& tx, const store::oidc_client_record& client, const std::string& user_id,
                         const std::string& session_id, const std::vector<std::string>& scopes, grant_outcome& out);
  // New access (and refresh) tokens under an existing grant.
  result<void> issue_tokens(store::transaction& tx, const store::oidc_client_record& client,
                            const store::oidc_grant_record& grant, grant_outcome& out);

  audited_store& store_;
  client_registry& clients_;
  const clock& clock_;
  random_source& random_;
  token_settings s_;
  std::atomic<int64_t> last_purge_ms_{0};
};

}  // namespace atrium::service::oidc
