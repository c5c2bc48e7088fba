// MFA use cases against the real SQLite store with a manual clock: settings round trip and
// audit, authenticator apps (±1 step, replay refused, at most two, sealed secrets), device
// rename/delete and the user-delete cascade. Security keys: webauthn_ceremonies_test.
#include "service/signin/mfa_service.hpp"

#include <gtest/gtest.h>

#include "crypto/totp.hpp"
#include "mfa_fixture.hpp"

namespace atrium::service {
namespace {

class mfa_service_test : public mfa_testing::mfa_fixture {};

TEST_F(mfa_service_test, settings_round_trip_and_are_audited) {
  auto d = mfa_->settings();
  ASSERT_TRUE(d);
  EXPECT_EQ(d->mode, mfa_mode::context_aware);
  EXPECT_TRUE(d->totp_allowed && d->webauthn_allowed);
  mfa_settings s;
  s.mode = mfa_mode::always_on;
  s.totp_allowed = false;
  s.without_device = no_device_policy::email_code;
  s.users_manage_devices = false;
  ASSERT_TRUE(mfa_->set_settings(ctx_, s));
  auto back = mfa_->settings();
  ASSERT_TRUE(back);
  EXPECT_EQ(back->mode, mfa_mode::always_on);
  EXPECT_FALSE(back->totp_allowed);
  EXPECT_TRUE(back->webauthn_allowed);
  EXPECT_EQ(back->without_device, no_device_policy::email_code);
  EXPECT_FALSE(back->users_manage_devices);
  auto recs = audit("PutMfaDeviceManagementForDirectory");
  ASSERT_EQ(recs.size(), 1u);
  EXPECT_NE(recs[0].json.find("email-code"), std::string::npos);
  // No type at all is refused; authenticator apps now refused at registration.
  s.webauthn_allowed = false;
  EXPECT_EQ(mfa_->set_settings(ctx_, s).error().code, errc::validation);
  EXPECT_EQ(mfa_->begin_totp("u-1", "jane").error().code, errc::access_denied);
}

TEST_F(mfa_service_test, parse_and_print_setting_words) {
  EXPECT_EQ(*parse_mfa_mode("Always-On"), mfa_mode::always_on);
  EXPECT_FALSE(parse_mfa_mode("sometimes"));
  EXPECT_EQ(*parse_no_device_policy("block"), no_device_policy::block);
  EXPECT_STREQ(to_string(no_device_policy::require_registration), "require-registration");
  EXPECT_STREQ(to_string(mfa_kind::webauthn), "WEBAUTHN");
}

TEST_F(mfa_service_test, totp_enrollment_checks_a_code_and_seals_the_secret) {
  auto e = mfa_->begin_totp("u-1", "jane@example.com");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->secret_base32.size(), 32u);
  EXPECT_TRUE(e->otpauth_uri.starts_with("otpauth://totp/Atrium:jane%40example.com?secret=" + e->secret_base32));
  EXPECT_TRUE(e->qr_svg.starts_with("<svg"));
  auto secret = *crypto::totp::from_base32(e->secret_base32);
  auto wrong = mfa_->finish_totp(ctx_, "u-1", e->enrollment_id, "000000" == crypto::totp::code_at(secret, clk_.now()) ? "111111" : "000000", "Phone");
  EXPECT_EQ(wrong.error().code, errc::unauthenticated);
  // Another user cannot finish jane's registration.
  EXPECT_FALSE(mfa_->finish_totp(ctx_, "u-2", e->enrollment_id, crypto::totp::code_at(secret, clk_.now()), "Phone"));
  auto d = mfa_->finish_totp(ctx_, "u-1", e->enrollment_id, crypto::totp::code_at(secret, clk_.now()), " Phone ");
  ASSERT_TRUE(d) << d.error().message;
  EXPECT_EQ(d->name, "Phone");
  EXPECT_EQ(d->kind, mfa_kind::totp);
  // The enrollment is used up.
  EXPECT_FALSE(mfa_->finish_totp(ctx_, "u-1", e->enrollment_id, crypto::totp::code_at(secret, clk_.now()), "Again"));
  // Stored sealed, never in plain or base32.
  std::string stored;
  ASSERT_TRUE(db_->read([&](store::transaction& tx) -> result<void> {
    stored = (*tx.mfa_devices().get(d->id))->sealed_secret;
    return {};
  }));
  EXPECT_EQ(stored.find(e->secret_base32), std::string::npos);
  EXPECT_EQ(*box_.open(stored), secret);
  EXPECT_EQ(audit("CompleteVirtualMfaDeviceRegistration").size(), 1u);
  EXPECT_EQ(audit("CompleteVirtualMfaDeviceRegistration")[0].json.find(e->secret_base32), std::string::npos);
}

TEST_F(mfa_service_test, totp_enrollment_expires) {
  auto e = mfa_->begin_totp("u-1", "jane");
  ASSERT_TRUE(e);
  auto secret = *crypto::totp::from_base32(e->secret_base32);
  clk_.advance(std::chrono::minutes(6));
  auto r = mfa_->finish_totp(ctx_, "u-1", e->enrollment_id, crypto::totp::code_at(secret, clk_.now()), "");
  EXPECT_EQ(r.error().code, errc::validation);
}

TEST_F(mfa_service_test, totp_accepts_one_step_each_way_and_refuses_replays) {
  auto secret = add_app("u-1");
  auto step = crypto::totp::step_of(clk_.now());
  clk_.advance(std::chrono::seconds(90));  // three steps on: the enrollment's step is past
  auto now_step = crypto::totp::step_of(clk_.now());
  ASSERT_EQ(now_step, step + 3);
  EXPECT_FALSE(*mfa_->verify_totp(ctx_, "u-1", crypto::totp::code_at_step(secret, now_step - 2)));
  EXPECT_FALSE(*mfa_->verify_totp(ctx_, "u-1", crypto::totp::code_at_step(secret, now_step + 2)));
  EXPECT_TRUE(*mfa_->verify_totp(ctx_, "u-1", crypto::totp::code_at_step(secret, now_step - 1)));
  // The same code again, and any code of that step or an earlier one: replays.
  EXPECT_FALSE(*mfa_->verify_totp(ctx_, "u-1", crypto::totp::code_at_step(secret, now_step - 1)));
  EXPECT_TRUE(*mfa_->verify_totp(ctx_, "u-1", crypto::totp::code_at_step(secret, now_step + 1)));
  EXPECT_FALSE(*mfa_->verify_totp(ctx_, "u-1", crypto::totp::code_at_step(secret, now_step)));
  // Another user's code does not sign this one in; malformed input is simply wrong.
  EXPECT_FALSE(*mfa_->verify_totp(ctx_, "u-2", crypto::totp::code_at_step(secret, now_step + 1)));
  EXPECT_FALSE(*mfa_->verify_totp(ctx_, "u-1", "abc"));
  auto devs = mfa_->devices("u-1");
  ASSERT_EQ(devs->size(), 1u);
  EXPECT_TRUE(devs->front().last_used.has_value());
}

TEST_F(mfa_service_test, the_enrollment_code_cannot_sign_in) {
  auto secret = add_app("u-1");
  EXPECT_FALSE(*mfa_->verify_totp(ctx_, "u-1", crypto::totp::code_at(secret, clk_.now())));
}

TEST_F(mfa_service_test, at_most_two_authenticator_apps) {
  auto first = add_app("u-1", "Phone");
  auto second = add_app("u-1");
  EXPECT_NE(first, second);  // each app has its own secret
  EXPECT_EQ(mfa_->begin_totp("u-1", "jane").error().code, errc::quota_exceeded);
  auto devs = mfa_->devices("u-1");
  ASSERT_EQ(devs->size(), 2u);
  EXPECT_EQ(devs->at(1).name, "Authenticator app 1");
  // Either app signs in.
  clk_.advance(std::chrono::seconds(60));
  EXPECT_TRUE(*mfa_->verify_totp(ctx_, "u-1", crypto::totp::code_at(second, clk_.now())));
  clk_.advance(std::chrono::seconds(30));
  EXPECT_TRUE(*mfa_->verify_totp(ctx_, "u-1", crypto::totp::code_at(first, clk_.now())));
}

TEST_F(mfa_service_test, two_registrations_in_flight_still_stop_at_two) {
  add_app("u-1");
  auto a = mfa_->begin_totp("u-1", "jane");
  auto b = mfa_->begin_totp("u-1", "jane");
  ASSERT_TRUE(a && b);
  auto code = [&](const totp_enrollment& e) {
    return crypto::totp::code_at(*crypto::totp::from_base32(e.secret_base32), clk_.now());
  };
  EXPECT_TRUE(mfa_->finish_totp(ctx_, "u-1", a->enrollment_id, code(*a), "Second"));
  EXPECT_EQ(mfa_->finish_totp(ctx_, "u-1", b->enrollment_id, code(*b), "Third").error().code, errc::quota_exceeded);
}

TEST_F(mfa_service_test, rename_and_delete) {
  add_app("u-1", "Phone");
  add_app("u-1", "Tablet");
  auto devs = *mfa_->devices("u-1");
  EXPECT_EQ(mfa_->rename(ctx_, "u-1", devs[0].id, "Tablet").error().code, errc::conflict);
  EXPECT_EQ(mfa_->rename(ctx_, "u-1", devs[0].id, "").error().code, errc::validation);
  EXPECT_EQ(mfa_->rename(ctx_, "u-1", devs[0].id, std::string(65, 'x')).error().code, errc::validation);
  EXPECT_EQ(mfa_->rename(ctx_, "u-1", devs[0].id, "bad\nname").error().code, errc::validation);
  EXPECT_EQ(mfa_->rename(ctx_, "u-2", devs[0].id, "Mine").error().code, errc::not_found);
  ASSERT_TRUE(mfa_->rename(ctx_, "u-1", devs[0].id, "Old phone"));
  EXPECT_EQ(mfa_->devices("u-1")->at(0).name, "Old phone");
  EXPECT_EQ(mfa_->remove(ctx_, "u-2", devs[0].id).error().code, errc::not_found);
  ASSERT_TRUE(mfa_->remove(ctx_, "u-1", devs[0].id));
  EXPECT_EQ(mfa_->devices("u-1")->size(), 1u);
  EXPECT_EQ(mfa_->remove(ctx_, "u-1", devs[0].id).error().code, errc::not_found);
  EXPECT_EQ(audit("UpdateMfaDeviceForUser").size(), 1u);
  EXPECT_EQ(audit("DeleteMfaDeviceForUser").size(), 1u);
}

TEST_F(mfa_service_test, deleting_the_user_deletes_its_devices) {
  add_app("u-1");
  ASSERT_TRUE(db_->write([&](store::transaction& tx) -> result<void> {
    auto r = tx.users().remove("u-1");
    if (!r) return std::unexpected(r.error());
    return {};
  }));
  EXPECT_TRUE(mfa_->devices("u-1")->empty());
}

}  // namespace
}  // namespace atrium::service
