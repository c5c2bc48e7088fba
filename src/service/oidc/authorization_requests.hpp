#pragma once
// The authorization code grant with PKCE (RFC 6749 §4.1, RFC 7636; issue 16 item 1), what newer
// AWS CLIs use: the client sends the browser to GET /authorize with its id, a loopback
// redirect URI, a state and an S256 challenge; Atrium keeps the request (10 minutes) and hands
// the browser to the portal, where the signed-in user approves or denies it once; the portal then
// sends the browser back to the loopback URI with a single-use code (5 minutes) or
// error=access_denied, and the state unchanged.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.hpp"
#include "base/random.hpp"
#include "service/audit/audited_store.hpp"
#include "service/audit/call_context.hpp"
#include "service/oidc/approver.hpp"
#include "service/oidc/oauth_error.hpp"

namespace atrium::service::oidc {

struct authorize_request {
  std::string response_type;
  std::string client_id;
  std::string redirect_uri;
  std::string state;
  std::vector<std::string> scopes;
  std::string code_challenge;
  std::string code_challenge_method;
};

struct pending_request {
  std::string client_name;
  std::vector<std::string> scopes;
  std::string redirect_uri;
  sys_time expires_at{};
};

class authorization_requests {
 public:
  authorization_requests(audited_store& store, const clock& clk, random_source& rnd)
      : store_(store), clock_(clk), random_(rnd) {}

  // Checks and stores the request; returns the request id the portal's URL carries. Errors
  // invalid_client and invalid_redirect_uri must not be sent to the redirect URI (RFC 6749
  // §4.1.2.1); the others may.
  oauth_result<std::string> begin(const call_context& ctx, const authorize_request& r);
  // errc::not_found when the request is unknown, expired or decided.
  result<pending_request> lookup(std::string_view request_id);
  // The URL the browser goes to next: the redirect URI with code and state, or with
  // error=access_denied and state. Audited (ctx names the event).
  result<std::string> decide(const call_context& ctx, const approver& who, std::string_view request_id, bool approve);

 private:
  audited_store& store_;
  const clock& clock_;
  random_source& random_;
};

// `base` with `params` appended as a query (after '?' or '&'), each value percent-encoded.
std::string with_query(std::string_view base, const std::vector<std::pair<std::string, std::string>>& params);

}  // namespace atrium::service::oidc
