#pragma once
// The device authorization grant (RFC 8628; issue 16 items 1-2): StartDeviceAuthorization hands
// a client a device code (a secret it polls the token endpoint with) and a user code (what the
// user types on the portal's verification page), both for 10 minutes; the signed-in user looks
// the code up, sees the client's name, and approves or denies once. Wrong codes count against
// the session and the source address (code_attempts).
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.hpp"
#include "base/random.hpp"
#include "service/audit/audited_store.hpp"
#include "service/audit/call_context.hpp"
#include "service/oidc/approver.hpp"
#include "service/oidc/client_registry.hpp"
#include "service/oidc/code_attempts.hpp"
#include "service/oidc/oauth_error.hpp"

namespace atrium::service::oidc {

struct device_start {
  std::string device_code;
  std::string user_code;  // XXXX-XXXX
  int64_t expires_in = 0;
  int64_t interval = 1;
};

// What the verification page shows before the user decides.
struct pending_device {
  std::string user_code;  // XXXX-XXXX
  std::string client_name;
  std::vector<std::string> scopes;
  sys_time expires_at{};
};

class device_authorizations {
 public:
  // `start_url`: the portal URL clients must name (sso_start_url); compared without trailing '/'
  // or '#'.
  device_authorizations(audited_store& store, client_registry& clients, code_attempts& attempts, const clock& clk,
                        random_source& rnd, std::string start_url);

  // StartDeviceAuthorization, audited (ctx names it).
  oauth_result<device_start> start(const call_context& ctx, std::string_view client_id, std::string_view client_secret,
                                   std::string_view start_url);
  // The pending request of a typed user code. A code that is malformed, unknown, expired or
  // decided already is errc::not_found and counts as a wrong code; errc::throttled when the
  // session or address typed too many.
  result<pending_device> lookup(const approver& who, std::string_view typed_code);
  // Approves or denies the pending request, once; audited (ctx names the event).
  result<pending_device> decide(const call_context& ctx, const approver& who, std::string_view typed_code, bool approve);
  void set_start_url(std::string url);
  const std::string& start_url() const { return start_url_; }

 private:
  result<store::oidc_authorization_record> pending_of(store::transaction& tx, std::string_view typed_code);
  audited_store& store_;
  client_registry& clients_;
  code_attempts& attempts_;
  const clock& clock_;
  random_source& random_;
  std::string start_url_;
};

// A start URL without trailing '/' and '#' ("https://h/portal/#" -> "https://h/portal").
std::string normalized_start_url(std::string_view url);

}  // namespace atrium::service::oidc
