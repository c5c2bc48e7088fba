// Forced MFA registration during sign-in (guide "Configure MFA device enforcement": "Require
// them to register an MFA device at sign in"). The new device is verified by registration
// itself; the UserAuthentication event then says DeviceEnrollmentRequired "true" and lists
// only the factors challenged before (the guide's example: "PASSWORD").
#include <algorithm>

#include "service/signin/sign_in_service.hpp"
#include "service/signin/sign_in_workflow.hpp"

namespace atrium::service {

namespace {
bool allows(const std::vector<std::string>& methods, std::string_view m) {
  return std::find(methods.begin(), methods.end(), m) != methods.end();
}
}  // namespace

result<totp_enrollment> sign_in_service::register_totp_begin(const sign_in_client& c, const std::string& workflow_id) {
  auto w = find(workflow_id);
  if (!w) return expired();
  std::lock_guard lock(w->mu);
  if (w->step != sign_in_step::register_mfa || !allows(w->methods, "TOTP")) return out_of_order();
  return mfa_.begin_totp(w->user_id, w->user_name);
}

result<sign_in_answer> sign_in_service::register_totp_finish(const sign_in_client& c, const std::string& workflow_id,
                                                             const std::string& enrollment_id, std::string_view code,
                                                             std::string_view name) {
  auto w = find(workflow_id);
  if (!w) return expired();
  std::lock_guard lock(w->mu);
  if (w->step != sign_in_step::register_mfa || !allows(w->methods, "TOTP")) return out_of_order();
  if (auto ok = admit_attempt(*w, c); !ok) return std::unexpected(ok.error());
  auto device = mfa_.finish_totp(user_context(c, w->user_name), w->user_id, enrollment_id, code, name);
  if (!device) {
    // A wrong code counts like any wrong code; other refusals (quota, bad name) do not.
    if (device.error().code == errc::validation || device.error().code == errc::unauthenticated)
      count_failure(*w, c);
    return std::unexpected(device.error());
  }
  return complete(*w, c, false);
}

result<std::string> sign_in_service::register_webauthn_begin(const sign_in_client& c,
                                                                const std::string& workflow_id) {
  auto w = find(workflow_id);
  if (!w) return expired();
  std::lock_guard lock(w->mu);
  if (w->step != sign_in_step::register_mfa || !allows(w->methods, "WEBAUTHN")) return out_of_order();
  return mfa_.begin_webauthn_registration(w->user_id, w->user_name, w->display_name);
}

result<sign_in_answer> sign_in_service::register_webauthn_finish(const sign_in_client& c,
                                                                 const std::string& workflow_id,
                                                                 std::string_view credential_json,
                                                                 std::string_view name) {
  auto w = find(workflow_id);
  if (!w) return expired();
  std::lock_guard lock(w->mu);
  if (w->step != sign_in_step::register_mfa || !allows(w->methods, "WEBAUTHN")) return out_of_order();
  if (auto ok = admit_attempt(*w, c); !ok) return std::unexpected(ok.error());
  auto device = mfa_.finish_webauthn_registration(user_context(c, w->user_name), w->user_id, credential_json, name);
  if (!device) {
    if (device.error().code == errc::validation || device.error().code == errc::unauthenticated)
      count_failure(*w, c);
    return std::unexpected(device.error());
  }
  return complete(*w, c, false);
}

}  // namespace atrium::service
