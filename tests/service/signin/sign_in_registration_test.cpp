// sign_in_registration: the register-mfa step of the sign-in workflow (guide "Configure MFA
// device enforcement": "Require them to register an MFA device at sign in") against the real
// store and services.
#include "service/signin/sign_in_registration.hpp"

#include <gtest/gtest.h>

#include "crypto/totp.hpp"
#include "sign_in_fixture.hpp"

namespace atrium::service {
namespace {

using sign_in_testing::json;

class sign_in_registration_test : public sign_in_testing::sign_in_fixture {};

TEST_F(sign_in_registration_test, forced_registration_sets_device_enrollment_required) {
  set_mode(mfa_mode::context_aware, no_device_policy::require_registration);
  auto s = svc_->start(client_, "user1");
  auto r = svc_->password(client_, s->workflow_id, "Correct-Horse-9");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->next, sign_in_step::register_mfa);
  auto e = svc_->registration().begin_totp(client_, s->workflow_id);
  ASSERT_TRUE(e) << e.error().message;
  auto key = crypto::totp::from_base32(e->secret_base32);
  auto done = svc_->registration().finish_totp(client_, s->workflow_id, e->enrollment_id,
                                               crypto::totp::code_at(*key, clk_.now()), "phone");
  ASSERT_TRUE(done) << done.error().message;
  EXPECT_EQ(done->next, sign_in_step::done);
  auto ev = events();
  ASSERT_EQ(ev.size(), 3u);
  expect_guide_shape(ev[2], "UserAuthentication", "user1");
  EXPECT_EQ(ev[2]["additionalEventData"], json({{"AuthWorkflowID", std::string(sign_in_service::auth_workflow_id(s->workflow_id))},
                                                {"LoginTo", "https://portal.example.com/portal/"},
                                                {"CredentialType", "PASSWORD"},
                                                {"DeviceEnrollmentRequired", "true"}}));
}

}  // namespace
}  // namespace atrium::service
