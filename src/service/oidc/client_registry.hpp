#pragma once
// RegisterClient of the sso-oidc API (issue 16 item 1): public clients only (the AWS CLI and
// SDKs), each with a client id and a secret that is shown once and stored as its SHA-256, for
// 90 days (clientSecretExpiresAt). The CLI caches its registration across logins and after
// logout until under 15 minutes remain, so nothing but expiry ends a registration.
// Authorization-code clients (newer CLIs) register loopback redirect URIs (RFC 8252 §7.3).
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.hpp"
#include "base/random.hpp"
#include "service/audit/audited_store.hpp"
#include "service/audit/call_context.hpp"
#include "service/oidc/oauth_error.hpp"
#include "store/oidc_repository.hpp"

namespace atrium::service::oidc {

struct client_registration {
  std::string name;
  std::string type;
  std::vector<std::string> scopes;
  std::vector<std::string> grant_types;
  std::vector<std::string> redirect_uris;
  std::string issuer_url;
};

struct registered_client {
  std::string client_id;
  std::string client_secret;  // shown once
  sys_time issued_at{};
  sys_time expires_at{};
};

class client_registry {
 public:
  client_registry(audited_store& store, const clock& clk, random_source& rnd)
      : store_(store), clock_(clk), random_(rnd) {}

  // Audited as RegisterClient (ctx names it; the secret appears as HIDDEN_DUE_TO_SECURITY_REASONS).
  oauth_result<registered_client> register_client(const call_context& ctx, const client_registration& r);
  // The client of an id and secret, inside the caller's transaction: invalid_client when the id
  // is unknown, the registration expired or the secret is wrong (constant-time compare).
  oauth_result<store::oidc_client_record> authenticate(store::transaction& tx, std::string_view client_id,
                                                       std::string_view client_secret) const;
  // The grant types a client may use: as registered, or device code + refresh for clients that
  // registered none (AWS CLI v2 before the authorization code flow).
  static bool allows_grant(const store::oidc_client_record& c, std::string_view grant_type);

 private:
  oauth_result<void> check(const client_registration& r) const;
  audited_store& store_;
  const clock& clock_;
  random_source& random_;
};

}  // namespace atrium::service::oidc
