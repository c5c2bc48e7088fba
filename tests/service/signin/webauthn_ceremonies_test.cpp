// webauthn_ceremonies against the real SQLite store with a manual clock, through a software
// authenticator: registration, credential-id uniqueness, assertion, single use and expiry of
// challenges (kept in the store: sealed, shared by two nodes, purged), signCount regression,
// the allowed-types setting.
#include "service/signin/webauthn_ceremonies.hpp"

#include <gtest/gtest.h>

#include "mfa_fixture.hpp"
#include "soft_authenticator.hpp"
#include "store/webauthn_challenge_repository.hpp"

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

// The challenges are in the store: a ceremony begun through one node's service finishes
// through another's over the same database, and still only once.
TEST_F(webauthn_ceremonies_test, a_ceremony_begun_on_one_node_finishes_on_another) {
  mfa_options o;
  o.rp_id = "localhost";
  o.origin = origin;
  mfa_service other_node(*audited_, box_, clk_, rnd_, o);
  atrium::testing::soft_authenticator key("localhost", origin, "two-nodes");
  auto opts = as_json(mfa_->webauthn().begin_registration("u-1", "jane", ""));
  ASSERT_TRUE(opts);
  auto d = other_node.webauthn().finish_registration(ctx_, "u-1", key.create(*opts), "Key");
  ASSERT_TRUE(d) << d.error().message;
  EXPECT_FALSE(mfa_->webauthn().finish_registration(ctx_, "u-1", key.create(*opts), "Again")) << "single use";
  auto a = as_json(other_node.webauthn().begin_assertion("u-1"));
  ASSERT_TRUE(a);
  EXPECT_TRUE(*mfa_->webauthn().finish_assertion(ctx_, "u-1", key.get(*a)));
  EXPECT_FALSE(*other_node.webauthn().finish_assertion(ctx_, "u-1", key.get(*a))) << "single use";
}

TEST_F(webauthn_ceremonies_test, a_registration_challenge_expires_with_the_clock) {
  atrium::testing::soft_authenticator key("localhost", origin, "late-key");
  auto opts = as_json(mfa_->webauthn().begin_registration("u-1", "jane", ""));
  ASSERT_TRUE(opts);
  clk_.advance(std::chrono::minutes(5));  // challenge_ttl: expired at exactly five minutes
  auto d = mfa_->webauthn().finish_registration(ctx_, "u-1", key.create(*opts), "Key");
  ASSERT_FALSE(d);
  EXPECT_EQ(d.error().code, errc::validation);
  EXPECT_TRUE(mfa_->devices("u-1")->empty());
}

TEST_F(webauthn_ceremonies_test, a_new_ceremony_replaces_the_pending_one) {
  atrium::testing::soft_authenticator key("localhost", origin, "replaced");
  auto first = as_json(mfa_->webauthn().begin_registration("u-1", "jane", ""));
  auto second = as_json(mfa_->webauthn().begin_registration("u-1", "jane", ""));
  ASSERT_TRUE(first && second);
  ASSERT_NE((*first)["challenge"], (*second)["challenge"]);
  EXPECT_FALSE(mfa_->webauthn().finish_registration(ctx_, "u-1", key.create(*first), "Key"));
  // The failed answer took the pending challenge: the second options are spent too.
  EXPECT_FALSE(mfa_->webauthn().finish_registration(ctx_, "u-1", key.create(*second), "Key"));
  auto third = as_json(mfa_->webauthn().begin_registration("u-1", "jane", ""));
  EXPECT_TRUE(mfa_->webauthn().finish_registration(ctx_, "u-1", key.create(*third), "Key"));
}

// Challenges are sealed at rest, and expired ones are purged when a ceremony begins.
TEST_F(webauthn_ceremonies_test, stored_challenges_are_sealed_and_expired_ones_purged) {
  ASSERT_TRUE(as_json(mfa_->webauthn().begin_registration("u-1", "jane", "")));
  clk_.advance(std::chrono::minutes(6));
  auto o2 = as_json(mfa_->webauthn().begin_registration("u-2", "john", ""));  // purges jane's
  ASSERT_TRUE(o2);
  const std::string issued = (*o2)["challenge"].get<std::string>();
  std::optional<store::webauthn_challenge_record> jane, john;
  ASSERT_TRUE(db_->write([&](store::transaction& tx) -> result<void> {
    // Taken as of the epoch, so that neither row counts as expired here.
    auto j1 = tx.webauthn_challenges().take("u-1", "registration", from_epoch_millis(0));
    auto j2 = tx.webauthn_challenges().take("u-2", "registration", from_epoch_millis(0));
    if (!j1 || !j2) return fail(errc::internal, "take failed");
    jane = *j1;
    john = *j2;
    return {};
  }));
  EXPECT_FALSE(jane.has_value()) << "purged when john's ceremony began";
  ASSERT_TRUE(john.has_value());
  auto raw = base64url_decode(issued);
  ASSERT_TRUE(raw);
  EXPECT_EQ(john->sealed_challenge.find(issued), std::string::npos);
  EXPECT_EQ(john->sealed_challenge.find(*raw), std::string::npos);
  auto opened = box_.open(john->sealed_challenge);
  ASSERT_TRUE(opened);
  EXPECT_EQ(*opened, *raw);
}

}  // namespace
}  // namespace atrium::service
