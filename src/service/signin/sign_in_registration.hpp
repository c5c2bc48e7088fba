#pragma once
// Forced MFA registration during sign-in (guide "Configure MFA device enforcement": "Require
// them to register an MFA device at sign in"): the register-mfa step of a sign_in_service
// workflow. The new device is verified by registration itself; the UserAuthentication event
// then says DeviceEnrollmentRequired "true" and lists only the factors challenged before (the
// guide's example: "PASSWORD"). sign_in_service holds one (registration()).
#include <string>
#include <string_view>

#include "base/result.hpp"
#include "service/signin/mfa_service.hpp"
#include "service/signin/sign_in_service.hpp"

namespace atrium::service {

class sign_in_registration {
 public:
  sign_in_registration(sign_in_service& flow, mfa_service& mfa);

  // Each needs the workflow at step register-mfa with the type among the allowed methods
  // (else errc::validation, out of order); a wrong code or credential counts in the throttle.
  result<totp_enrollment> begin_totp(const sign_in_client& c, const std::string& workflow_id);
  result<sign_in_answer> finish_totp(const sign_in_client& c, const std::string& workflow_id,
                                     const std::string& enrollment_id, std::string_view code, std::string_view name);
  result<std::string> begin_webauthn(const sign_in_client& c, const std::string& workflow_id);
  result<sign_in_answer> finish_webauthn(const sign_in_client& c, const std::string& workflow_id,
                                         std::string_view credential_json, std::string_view name);

 private:
  sign_in_service& flow_;
  mfa_service& mfa_;
};

}  // namespace atrium::service
