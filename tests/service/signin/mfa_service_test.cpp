// MFA use cases against the real SQLite store with a manual clock: settings round trip and
// audit, authenticator apps (±1 step, replay refused, at most two, sealed secrets), security
// keys through a software authenticator (registration, credential-id uniqueness, assertion,
// signCount regression), device rename/delete and the user-delete cascade.
#include "service/signin/mfa_service.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <unistd.h>

#include <filesystem>

#include "crypto/primitives.hpp"
#include "crypto/totp.hpp"
#include "store/mfa_device_repository.hpp"
#include "store/sqlite/sqlite_database.hpp"
#include "soft_authenticator.hpp"

namespace atrium::service {
namespace {

// The service gives WebAuthn options as serialised JSON; the tests read them as JSON.
result<nlohmann::json> as_json(result<std::string> r) {
  if (!r) return std::unexpected(r.error());
  return nlohmann::json::parse(*r);
}

constexpr const char* origin = "https://localhost:8443";

class mfa_service_test : public ::testing::Test {
 protected:
  void SetUp() override {
    crypto::init();
    dir_ = std::filesystem::temp_directory_path() /
           ("atrium-mfa-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    auto db = store::sqlite::sqlite_database::open({dir_ / "t.db", false});
    ASSERT_TRUE(db) << db.error().message;
    db_ = std::move(*db);
    audit_ = std::make_unique<auditor>(clk_, rnd_, std::nullopt);
    audited_ = std::make_unique<audited_store>(*db_, *audit_);
    mfa_options o;
    o.rp_id = "localhost";
    o.origin = origin;
    mfa_ = std::make_unique<mfa_service>(*audited_, box_, clk_, rnd_, o);
    ctx_.who.arn = "arn:aws:iam::123456789012:root";
    add_user("u-1", "jane");
    add_user("u-2", "john");
  }
  void TearDown() override {
    mfa_.reset();
    db_.reset();
    std::filesystem::remove_all(dir_);
  }

  void add_user(const std::string& id, const std::string& name) {
    domain::user u;
    u.id = id;
    u.user_name = name;
    u.display_name = name;
    auto r = db_->write([&](store::transaction& tx) { return tx.users().insert(u); });
    ASSERT_TRUE(r) << r.error().message;
  }

  // Registers an authenticator app and returns its raw secret.
  std::string add_app(const std::string& user, const std::string& name = "") {
    auto e = mfa_->begin_totp(user, user + "@example.com");
    EXPECT_TRUE(e) << e.error().message;
    auto secret = *crypto::totp::from_base32(e->secret_base32);
    auto d = mfa_->finish_totp(ctx_, user, e->enrollment_id, crypto::totp::code_at(secret, clk_.now()), name);
    EXPECT_TRUE(d) << d.error().message;
    return secret;
  }

  std::vector<store::audit_record> audit(const std::string& event) {
    std::vector<store::audit_record> out;
    store::audit_query q;
    q.event_name = event;
    EXPECT_TRUE(db_->read([&](store::transaction& tx) -> result<void> {
      auto r = tx.audit().query(q);
      if (!r) return std::unexpected(r.error());
      out = *r;
      return {};
    }));
    return out;
  }

  seeded_random rnd_{7};
  manual_clock clk_{from_epoch_millis(1'763'900'000'000)};
  crypto::secret_box box_{std::string(32, 'k')};
  std::filesystem::path dir_;
  std::unique_ptr<store::database> db_;
  std::unique_ptr<auditor> audit_;
  std::unique_ptr<audited_store> audited_;
  std::unique_ptr<mfa_service> mfa_;
  call_context ctx_;
};

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

TEST_F(mfa_service_test, security_key_registration_and_sign_in) {
  atrium::testing::soft_authenticator key("localhost", origin, "credential-one");
  auto opts = as_json(mfa_->begin_webauthn_registration("u-1", "jane", "Jane Doe"));
  ASSERT_TRUE(opts) << opts.error().message;
  EXPECT_EQ((*opts)["rp"]["id"], "localhost");
  EXPECT_EQ((*opts)["user"]["id"], base64url_encode("u-1"));
  EXPECT_EQ((*opts)["pubKeyCredParams"][0]["alg"], -7);
  auto d = mfa_->finish_webauthn_registration(ctx_, "u-1", key.create(*opts), "YubiKey");
  ASSERT_TRUE(d) << d.error().message;
  EXPECT_EQ(d->kind, mfa_kind::webauthn);
  EXPECT_EQ(audit("CompleteWebAuthnDeviceRegistration").size(), 1u);
  // The registration challenge is single-use.
  EXPECT_FALSE(mfa_->finish_webauthn_registration(ctx_, "u-1", key.create(*opts), "Again"));

  auto a = as_json(mfa_->begin_webauthn_assertion("u-1"));
  ASSERT_TRUE(a);
  EXPECT_EQ((*a)["allowCredentials"][0]["id"], base64url_encode("credential-one"));
  EXPECT_TRUE(*mfa_->finish_webauthn_assertion(ctx_, "u-1", key.get(*a, "u-1")));
  // The assertion challenge is single-use too.
  EXPECT_FALSE(*mfa_->finish_webauthn_assertion(ctx_, "u-1", key.get(*a)));
  // Another user cannot answer with jane's key, and a wrong user handle fails.
  auto b = as_json(mfa_->begin_webauthn_assertion("u-1"));
  EXPECT_FALSE(*mfa_->finish_webauthn_assertion(ctx_, "u-1", key.get(*b, "u-2")));
  // A phishing origin fails.
  auto c = as_json(mfa_->begin_webauthn_assertion("u-1"));
  key.origin_override = "https://evil.example";
  EXPECT_FALSE(*mfa_->finish_webauthn_assertion(ctx_, "u-1", key.get(*c)));
  key.origin_override.clear();
  // An expired challenge fails.
  auto e = as_json(mfa_->begin_webauthn_assertion("u-1"));
  clk_.advance(std::chrono::minutes(6));
  EXPECT_FALSE(*mfa_->finish_webauthn_assertion(ctx_, "u-1", key.get(*e)));
}

TEST_F(mfa_service_test, credential_ids_are_unique_across_users) {
  atrium::testing::soft_authenticator key("localhost", origin, "shared-id");
  auto o1 = as_json(mfa_->begin_webauthn_registration("u-1", "jane", ""));
  ASSERT_TRUE(mfa_->finish_webauthn_registration(ctx_, "u-1", key.create(*o1), ""));
  atrium::testing::soft_authenticator same("localhost", origin, "shared-id");
  auto o2 = as_json(mfa_->begin_webauthn_registration("u-2", "john", ""));
  EXPECT_EQ(mfa_->finish_webauthn_registration(ctx_, "u-2", same.create(*o2), "").error().code, errc::conflict);
  EXPECT_EQ(mfa_->devices("u-1")->at(0).name, "Security key 1");
}

TEST_F(mfa_service_test, sign_count_regression_is_refused_and_flagged) {
  atrium::testing::soft_authenticator key("localhost", origin, "counter-key");
  auto o = as_json(mfa_->begin_webauthn_registration("u-1", "jane", ""));
  auto d = mfa_->finish_webauthn_registration(ctx_, "u-1", key.create(*o), "Key");
  ASSERT_TRUE(d);
  key.counter = 10;
  auto a = as_json(mfa_->begin_webauthn_assertion("u-1"));
  EXPECT_TRUE(*mfa_->finish_webauthn_assertion(ctx_, "u-1", key.get(*a)));  // counter 11
  key.counter = 4;  // a clone that fell behind
  auto b = as_json(mfa_->begin_webauthn_assertion("u-1"));
  EXPECT_FALSE(*mfa_->finish_webauthn_assertion(ctx_, "u-1", key.get(*b)));  // counter 5 <= 11
  std::optional<store::mfa_device_record> rec;
  ASSERT_TRUE(db_->read([&](store::transaction& tx) -> result<void> {
    rec = *tx.mfa_devices().get(d->id);
    return {};
  }));
  EXPECT_EQ(rec->sign_count, 11);
  EXPECT_TRUE(rec->flagged.has_value());
}

TEST_F(mfa_service_test, security_keys_need_the_type_allowed) {
  mfa_settings s;
  s.webauthn_allowed = false;
  ASSERT_TRUE(mfa_->set_settings(ctx_, s));
  EXPECT_EQ(as_json(mfa_->begin_webauthn_registration("u-1", "jane", "")).error().code, errc::access_denied);
  EXPECT_EQ(as_json(mfa_->begin_webauthn_registration("nobody", "x", "")).error().code, errc::not_found);
}

}  // namespace
}  // namespace atrium::service
