// sign_in_registration: the register-mfa step of the sign-in workflow.
#include "service/signin/sign_in_registration.hpp"

#include <algorithm>

#include "base/try.hpp"

#include "service/signin/sign_in_workflow.hpp"
#include "service/signin/webauthn_ceremonies.hpp"

namespace atrium::service {

namespace {
bool allows(const std::vector<std::string>& methods, std::string_view m) {
  return std::find(methods.begin(), methods.end(), m) != methods.end();
}
}  // namespace

sign_in_registration::sign_in_registration(sign_in_service& flow, mfa_service& mfa) : flow_(flow), mfa_(mfa) {}

result<totp_enrollment> sign_in_registration::begin_totp(const sign_in_client& c, const std::string& workflow_id) {
  TRY(w, flow_.find(workflow_id));
  if (w->step != sign_in_step::register_mfa || !allows(w->methods, "TOTP")) return out_of_order();
  return mfa_.begin_totp(w->user_id, w->user_name);
}

result<sign_in_answer> sign_in_registration::finish_totp(const sign_in_client& c, const std::string& workflow_id,
                                                             const std::string& enrollment_id, std::string_view code,
                                                             std::string_view name) {
  TRY(w, flow_.find(workflow_id));
  if (w->step != sign_in_step::register_mfa || !allows(w->methods, "TOTP")) return out_of_order();
  if (auto ok = flow_.admit_attempt(*w, c); !ok) return std::unexpected(ok.error());
  auto device = mfa_.finish_totp(flow_.user_context(c, w->user_name), w->user_id, enrollment_id, code, name);
  if (!device) {
    // A wrong code counts like any wrong code; other refusals (quota, bad name) do not.
    if (device.error().code == errc::validation || device.error().code == errc::unauthenticated)
      flow_.count_failure(*w, c);
    return std::unexpected(device.error());
  }
  return flow_.complete(*w, c, false);
}

result<std::string> sign_in_registration::begin_webauthn(const sign_in_client& c,
                                                                const std::string& workflow_id) {
  TRY(w, flow_.find(workflow_id));
  if (w->step != sign_in_step::register_mfa || !allows(w->methods, "WEBAUTHN")) return out_of_order();
  return mfa_.webauthn().begin_registration(w->user_id, w->user_name, w->display_name);
}

result<sign_in_answer> sign_in_registration::finish_webauthn(const sign_in_client& c,
                                                                 const std::string& workflow_id,
                                                                 std::string_view credential_json,
                                                                 std::string_view name) {
  TRY(w, flow_.find(workflow_id));
  if (w->step != sign_in_step::register_mfa || !allows(w->methods, "WEBAUTHN")) return out_of_order();
  if (auto ok = flow_.admit_attempt(*w, c); !ok) return std::unexpected(ok.error());
  auto device = mfa_.webauthn().finish_registration(flow_.user_context(c, w->user_name), w->user_id, credential_json, name);
  if (!device) {
    if (device.error().code == errc::validation || device.error().code == errc::unauthenticated)
      flow_.count_failure(*w, c);
    return std::unexpected(device.error());
  }
  return flow_.complete(*w, c, false);
}

}  // namespace atrium::service
