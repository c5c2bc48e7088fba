// webauthn_ceremonies against the real SQLite store with a manual clock, through a software
// authenticator: registration, credential-id uniqueness, assertion, single use and expiry of
// challenges, signCount regression, the allowed-types setting.
#include "service/signin/webauthn_ceremonies.hpp"

#include <gtest/gtest.h>

#include "mfa_fixture.hpp"
#include "soft_authenticator.hpp"

namespace atrium::service {
namespace {

using mfa_testing::as_json;
using mfa_testing::origin;
class webauthn_ceremonies_test : public mfa_testing::mfa_fixture {};

TEST_F(webauthn_ceremonies_test, security_key_registration_and_sign_in) {
  atrium::testing::soft_authenticator key("localhost", origin, "credential-one");
  auto opts = as_json(mfa_->webauthn().begin_registration("u-1", "jane", "Jane Doe"));
  ASSERT_TRUE(opts) << opts.error().message;
  EXPECT_EQ((*opts)["rp"]["id"], "localhost");
  EXPECT_EQ((*opts)["user"]["id"], base64url_encode("u-1"));
  EXPECT_EQ((*opts)["pubKeyCredParams"][0]["alg"], -7);
  auto d = mfa_->webauthn().finish_registration(ctx_, "u-1", key.create(*opts), "YubiKey");
  ASSERT_TRUE(d) << d.error().message;
  EXPECT_EQ(d->kind, mfa_kind::webauthn);
  EXPECT_EQ(audit("CompleteWebAuthnDeviceRegistration").size(), 1u);
  // The registration challenge is single-use.
  EXPECT_FALSE(mfa_->webauthn().finish_registration(ctx_, "u-1", key.create(*opts), "Again"));

  auto a = as_json(mfa_->webauthn().begin_assertion("u-1"));
  ASSERT_TRUE(a);
  EXPECT_EQ((*a)["allowCredentials"][0]["id"], base64url_encode("credential-one"));
  EXPECT_TRUE(*mfa_->webauthn().finish_assertion(ctx_, "u-1", key.get(*a, "u-1")));
  // The assertion challenge is single-use too.
  EXPECT_FALSE(*mfa_->webauthn().finish_assertion(ctx_, "u-1", key.get(*a)));
  // Another user cannot answer with jane's key, and a wrong user handle fails.
  auto b = as_json(mfa_->webauthn().begin_assertion("u-1"));
  EXPECT_FALSE(*mfa_->webauthn().finish_assertion(ctx_, "u-1", key.get(*b, "u-2")));
  // A phishing origin fails.
  auto c = as_json(mfa_->webauthn().begin_assertion("u-1"));
  key.origin_override = "https://evil.example";
  EXPECT_FALSE(*mfa_->webauthn().finish_assertion(ctx_, "u-1", key.get(*c)));
  key.origin_override.clear();
  // An expired challenge fails.
  auto e = as_json(mfa_->webauthn().begin_assertion("u-1"));
  clk_.advance(std::chrono::minutes(6));
  EXPECT_FALSE(*mfa_->webauthn().finish_assertion(ctx_, "u-1", key.get(*e)));
}

TEST_F(webauthn_ceremonies_test, credential_ids_are_unique_across_users) {
  atrium::testing::soft_authenticator key("localhost", origin, "shared-id");
  auto o1 = as_json(mfa_->webauthn().begin_registration("u-1", "jane", ""));
  ASSERT_TRUE(mfa_->webauthn().finish_registration(ctx_, "u-1", key.create(*o1), ""));
  atrium::testing::soft_authenticator same("localhost", origin, "shared-id");
  auto o2 = as_json(mfa_->webauthn().begin_registration("u-2", "john", ""));
  EXPECT_EQ(mfa_->webauthn().finish_registration(ctx_, "u-2", same.create(*o2), "").error().code, errc::conflict);
  EXPECT_EQ(mfa_->devices("u-1")->at(0).name, "Security key 1");
}

TEST_F(webauthn_ceremonies_test, sign_count_regression_is_refused_and_flagged) {
  atrium::testing::soft_authenticator key("localhost", origin, "counter-key");
  auto o = as_json(mfa_->webauthn().begin_registration("u-1", "jane", ""));
  auto d = mfa_->webauthn().finish_registration(ctx_, "u-1", key.create(*o), "Key");
  ASSERT_TRUE(d);
  key.counter = 10;
  auto a = as_json(mfa_->webauthn().begin_assertion("u-1"));
  EXPECT_TRUE(*mfa_->webauthn().finish_assertion(ctx_, "u-1", key.get(*a)));  // counter 11
  key.counter = 4;  // a clone that fell behind
  auto b = as_json(mfa_->webauthn().begin_assertion("u-1"));
  EXPECT_FALSE(*mfa_->webauthn().finish_assertion(ctx_, "u-1", key.get(*b)));  // counter 5 <= 11
  std::optional<store::mfa_device_record> rec;
  ASSERT_TRUE(db_->read([&](store::transaction& tx) -> result<void> {
    rec = *tx.mfa_devices().get(d->id);
    return {};
  }));
  EXPECT_EQ(rec->sign_count, 11);
  EXPECT_TRUE(rec->flagged.has_value());
}

TEST_F(webauthn_ceremonies_test, security_keys_need_the_type_allowed) {
  mfa_settings s;
  s.webauthn_allowed = false;
  ASSERT_TRUE(mfa_->set_settings(ctx_, s));
  EXPECT_EQ(as_json(mfa_->webauthn().begin_registration("u-1", "jane", "")).error().code, errc::access_denied);
  EXPECT_EQ(as_json(mfa_->webauthn().begin_registration("nobody", "x", "")).error().code, errc::not_found);
}

}  // namespace
}  // namespace atrium::service
