#pragma once
// Automatic provisioning (the guide's "Automatic provisioning" and the access-token
// procedures): enable/disable, and the SCIM bearer tokens — at most two at a time, each valid
// one year, listed with id, creation, expiry and last use; expiry within 90 days is reported.
// The token is "<id>.<secret>": the id finds the row, only SHA-256(secret) is stored, and the
// comparison is constant-time. The token is shown once, when it is created.
#include <chrono>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "base/clock.hpp"
#include "base/random.hpp"
#include "service/audit/audited_store.hpp"
#include "service/audit/call_context.hpp"

namespace atrium::service {

struct token_policy {
  int max_tokens = 2;                            // the guide: "up to two access tokens at a time"
  std::chrono::days validity{365};               // "generated with a validity of one year"
  std::chrono::days warn_before{90};             // reminders start 90 days before expiry
  std::chrono::seconds last_used_resolution{60}; // last-use is written at most this often
};

struct scim_token_info {
  std::string id;
  sys_time created_at{};
  sys_time expires_at{};
  std::optional<sys_time> last_used_at;
  std::string created_by;
};

struct issued_token {
  scim_token_info info;
  std::string token;  // "<id>.<secret>": shown once, never stored, never logged
};

struct provisioning_status {
  bool enabled = false;
  std::vector<scim_token_info> tokens;
};

class scim_provisioning {
 public:
  scim_provisioning(audited_store& store, const clock& clk, random_source& rnd, token_policy policy = {});

  // Enables automatic provisioning and issues its first token (the console shows the endpoint
  // and a new token). Already enabled: errc::conflict.
  result<issued_token> enable(const call_context& ctx);
  // Refused (errc::conflict) while tokens exist: the guide has them deleted first.
  result<std::monostate> disable(const call_context& ctx);
  result<provisioning_status> describe(const call_context& ctx);
  // errc::conflict when provisioning is disabled; errc::quota_exceeded at max_tokens.
  result<issued_token> create_token(const call_context& ctx);
  result<std::monostate> delete_token(const call_context& ctx, const std::string& token_id);

  // Checks a bearer token for the SCIM door. Every failure is errc::unauthenticated with the
  // same message (no hint whether the id exists); last use is recorded without waiting.
  result<scim_token_info> authenticate(std::string_view bearer);

  bool expires_soon(const scim_token_info& t) const;
  const token_policy& policy() const { return policy_; }

 private:
  result<issued_token> issue(store::transaction& tx, const call_context& ctx);

  audited_store& store_;
  const clock& clock_;
  random_source& random_;
  token_policy policy_;
};

inline constexpr const char* provisioning_setting = "scim.provisioning";  // "enabled" | "disabled"

}  // namespace atrium::service
