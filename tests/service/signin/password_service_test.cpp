// password_service against the real SQLite store, a manual clock and a fake mailer: policy and
// history, single-use expiring links, one-time passwords, unknown users (e-mailed codes:
// email_codes_test).
#include "service/signin/password_service.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <array>
#include <optional>
#include <filesystem>
#include <regex>

#include "crypto/primitives.hpp"
#include "domain/password_policy.hpp"
#include "service/identity/identity_services.hpp"
#include "service/idsource/idp_config.hpp"
#include "store/sqlite/sqlite_database.hpp"

namespace atrium::service {

namespace {

class fake_mailer final : public mailer {
 public:
  result<void> send(const mail_message& m) override {
    if (refuse) return fail(errc::internal, "550 mailbox unavailable");
    sent.push_back(m);
    return {};
  }
  std::vector<mail_message> sent;
  bool refuse = false;
};

std::string token_in(const std::string& text) {
  std::smatch m;
  if (!std::regex_search(text, m, std::regex("set-password\\?token=([A-Za-z0-9_-]+)"))) return "";
  return m[1];
}

bool domain_check(const std::string& p) { return domain::check_password(p).has_value(); }

std::string code_in(const std::string& text) {
  std::smatch m;
  if (!std::regex_search(text, m, std::regex("code is ([0-9]{6})"))) return "";
  return m[1];
}

}  // namespace

class password_test : public ::testing::Test {
 protected:
  void SetUp() override {
    crypto::init();
    dir_ = std::filesystem::temp_directory_path() /
           ("atrium-pw-" + std::to_string(::getpid()) + "-" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    auto db = store::sqlite::sqlite_database::open({dir_ / "t.db", false});
    ASSERT_TRUE(db) << db.error().message;
    db_ = std::move(*db);
    audit_ = std::make_unique<auditor>(clk_, rnd_, std::nullopt);
    audited_ = std::make_unique<audited_store>(*db_, *audit_);
    password_settings s;
    s.argon2_memory_kib = 8192;  // cheap for tests; the default is OWASP's 19 MiB
    s.argon2_iterations = 1;
    s.portal_url = "https://portal.example/portal";
    svc_ = std::make_unique<password_service>(*audited_, mail_, clk_, rnd_, s);
    ctx_.who.arn = "arn:aws:iam::123456789012:root";
    add_user("u-1", "alice", "alice@example.com");
    add_user("u-2", "bob", "");
  }
  void TearDown() override {
    svc_.reset();
    db_.reset();
    std::filesystem::remove_all(dir_);
  }

  void add_user(const std::string& id, const std::string& name, const std::string& email, bool active = true) {
    domain::user u;
    u.id = id;
    u.user_name = name;
    u.active = active;
    if (!email.empty()) u.emails.push_back({email, "work", true});
    ASSERT_TRUE(db_->write([&](store::transaction& tx) { return tx.users().insert(u); }));
  }

  std::vector<std::string> events() {
    // Failure records are written detached: a write after them commits them first.
    EXPECT_TRUE(db_->write([](store::transaction&) -> result<void> { return {}; }));
    std::vector<std::string> out;
    (void)db_->read([&](store::transaction& tx) -> result<void> {
      auto recs = tx.audit().query({});
      if (!recs) return std::unexpected(recs.error());
      for (auto it = recs->rbegin(); it != recs->rend(); ++it)
        out.push_back(it->event_name + (it->error_code.empty() ? "" : ":" + it->error_code));
      return {};
    });
    return out;
  }

  std::string all_audit_json() {
    std::string out;
    (void)db_->read([&](store::transaction& tx) -> result<void> {
      auto recs = tx.audit().query({});
      if (!recs) return std::unexpected(recs.error());
      for (const auto& r : *recs) out += r.json + "\n";
      return {};
    });
    return out;
  }

  // The identity source as the switch leaves it (issue 17): EXTERNAL_IDP or BUILT_IN, and in
  // multi-IdP mode an enabled IdP claiming example.com.
  void set_source(bool external, bool multiple = false) {
    ASSERT_TRUE(db_->write([&](store::transaction& tx) -> result<void> {
      if (auto r = tx.settings().put(identity_source_setting, external ? "EXTERNAL_IDP" : "BUILT_IN"); !r) return r;
      if (auto r = tx.settings().put(multiple_idps_setting, multiple ? "true" : "false"); !r) return r;
      auto have = tx.external_idps().get("idp-0123456789abcdef");
      if (!have) return std::unexpected(have.error());
      if (*have) return {};
      store::external_idp_record idp;
      idp.id = "idp-0123456789abcdef";
      idp.entity_id = "https://idp.example.com";
      idp.sso_url = "https://idp.example.com/sso";
      idp.certificates = {"-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n"};
      idp.domains = {"example.com"};
      idp.enabled = true;
      return tx.external_idps().insert(idp);
    }));
  }

  void expect_managed_by_idp(const result<void>& r, const char* what) {
    ASSERT_FALSE(r) << what;
    EXPECT_EQ(r.error().code, errc::access_denied) << what;
    EXPECT_EQ(r.error().message, passwords_in_idp_message) << what;
  }

  // Invitation -> first password.
  void give_password(const std::string& pw) {
    ASSERT_TRUE(svc_->send_invitation(ctx_, "u-1"));
    auto t = token_in(mail_.sent.back().text);
    auto r = svc_->set_with_token(ctx_, t, pw);
    ASSERT_TRUE(r) << r.error().message;
  }

  seeded_random rnd_{11};
  manual_clock clk_{from_epoch_millis(1'763'900'000'000)};
  std::filesystem::path dir_;
  std::unique_ptr<store::database> db_;
  std::unique_ptr<auditor> audit_;
  std::unique_ptr<audited_store> audited_;
  fake_mailer mail_;
  std::unique_ptr<password_service> svc_;
  call_context ctx_;
};

TEST_F(password_test, invitation_link_sets_the_first_password_once) {
  ASSERT_TRUE(svc_->send_invitation(ctx_, "u-1"));
  ASSERT_EQ(mail_.sent.size(), 1u);
  EXPECT_EQ(mail_.sent[0].to, "alice@example.com");
  EXPECT_NE(mail_.sent[0].text.find("https://portal.example/portal/set-password?token="), std::string::npos);
  auto token = token_in(mail_.sent[0].text);
  ASSERT_EQ(token.size(), 43u) << "32 random bytes, base64url without padding";
  EXPECT_FALSE(*svc_->verify("u-1", "Abcdef1!"));
  auto who = svc_->set_with_token(ctx_, token, "Abcdef1!");
  ASSERT_TRUE(who) << who.error().message;
  EXPECT_EQ(*who, "u-1");
  EXPECT_TRUE(*svc_->verify("u-1", "Abcdef1!"));
  EXPECT_FALSE(*svc_->verify("u-1", "abcdef1!"));
  auto again = svc_->set_with_token(ctx_, token, "Zyxwvu9?");
  ASSERT_FALSE(again) << "single use";
  EXPECT_EQ(again.error().code, errc::validation);
  EXPECT_TRUE(*svc_->verify("u-1", "Abcdef1!"));
  EXPECT_EQ(events(), (std::vector<std::string>{"SendInvitation", "AcceptInvitation"}));
}

TEST_F(password_test, a_policy_failure_does_not_consume_the_link) {
  ASSERT_TRUE(svc_->send_invitation(ctx_, "u-1"));
  auto token = token_in(mail_.sent.back().text);
  auto weak = svc_->set_with_token(ctx_, token, "abcdefgh");
  ASSERT_FALSE(weak);
  EXPECT_NE(weak.error().message.find("upper-case"), std::string::npos);
  EXPECT_TRUE(svc_->set_with_token(ctx_, token, "Abcdef1!"));
}

TEST_F(password_test, reset_link_expires_with_the_clock) {
  give_password("Abcdef1!");
  ASSERT_TRUE(svc_->send_reset_link(ctx_, "u-1"));
  auto token = token_in(mail_.sent.back().text);
  clk_.advance(std::chrono::minutes(60));  // reset_link_ttl default: 60 minutes
  auto late = svc_->set_with_token(ctx_, token, "Zyxwvu9?");
  ASSERT_FALSE(late);
  EXPECT_EQ(late.error().message, "This link is invalid, has expired or has already been used.");
  ASSERT_TRUE(svc_->send_reset_link(ctx_, "u-1"));
  auto fresh = token_in(mail_.sent.back().text);
  clk_.advance(std::chrono::minutes(59));
  EXPECT_TRUE(svc_->set_with_token(ctx_, fresh, "Zyxwvu9?"));
  EXPECT_TRUE(*svc_->verify("u-1", "Zyxwvu9?"));
}

TEST_F(password_test, only_the_newest_reset_link_works_and_a_garbage_token_fails_alike) {
  give_password("Abcdef1!");
  ASSERT_TRUE(svc_->send_reset_link(ctx_, "u-1"));
  auto first = token_in(mail_.sent.back().text);
  ASSERT_TRUE(svc_->send_reset_link(ctx_, "u-1"));
  auto second = token_in(mail_.sent.back().text);
  auto old = svc_->set_with_token(ctx_, first, "Zyxwvu9?");
  auto junk = svc_->set_with_token(ctx_, "not-a-token", "Zyxwvu9?");
  ASSERT_FALSE(old);
  ASSERT_FALSE(junk);
  EXPECT_EQ(old.error().message, junk.error().message) << "one message for bad, used and expired links";
  EXPECT_TRUE(svc_->set_with_token(ctx_, second, "Zyxwvu9?"));
}

TEST_F(password_test, the_last_three_passwords_cannot_be_reused) {
  give_password("Password1!");
  ASSERT_TRUE(svc_->change(ctx_, "u-1", "Password1!", "Password2!"));
  ASSERT_TRUE(svc_->change(ctx_, "u-1", "Password2!", "Password3!"));
  // Password3 (current), Password2 and Password1 are the last three.
  for (auto old : {"Password3!", "Password2!", "Password1!"}) {
    auto r = svc_->change(ctx_, "u-1", "Password3!", old);
    ASSERT_FALSE(r) << old;
    EXPECT_NE(r.error().message.find("last 3 passwords"), std::string::npos);
  }
  ASSERT_TRUE(svc_->change(ctx_, "u-1", "Password3!", "Password4!"));
  // Now Password1 is four back and may be chosen again.
  EXPECT_TRUE(svc_->change(ctx_, "u-1", "Password4!", "Password1!"));
}

TEST_F(password_test, change_checks_the_current_password) {
  give_password("Abcdef1!");
  auto wrong = svc_->change(ctx_, "u-1", "Abcdef1?", "Zyxwvu9?");
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().code, errc::unauthenticated);
  auto none = svc_->change(ctx_, "u-2", "Abcdef1!", "Zyxwvu9?");
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().code, errc::unauthenticated);
  EXPECT_TRUE(*svc_->verify("u-1", "Abcdef1!"));
}

TEST_F(password_test, one_time_password_meets_the_policy_and_must_be_changed) {
  give_password("Abcdef1!");
  auto otp = svc_->generate_one_time_password(ctx_, "u-2");
  ASSERT_TRUE(otp) << otp.error().message;
  EXPECT_EQ(otp->size(), 16u);
  EXPECT_TRUE(domain_check(*otp));
  EXPECT_TRUE(*svc_->verify("u-2", *otp));
  EXPECT_TRUE(*svc_->must_change("u-2"));
  EXPECT_FALSE(*svc_->must_change("u-1"));
  ASSERT_TRUE(svc_->change(ctx_, "u-2", *otp, "Zyxwvu9?"));
  EXPECT_FALSE(*svc_->must_change("u-2"));
  for (int i = 0; i < 50; ++i) {
    auto more = svc_->generate_one_time_password(ctx_, "u-1");
    ASSERT_TRUE(more);
    EXPECT_TRUE(domain_check(*more)) << *more;
  }
}

TEST_F(password_test, unknown_users_and_users_without_password_do_not_verify) {
  EXPECT_FALSE(*svc_->verify("u-404", "Abcdef1!"));
  EXPECT_FALSE(*svc_->verify("u-2", "Abcdef1!"));
}

TEST_F(password_test, a_changed_cost_rehashes_at_the_next_successful_verify) {
  give_password("Abcdef1!");
  auto stored = [&] {
    std::string h;
    (void)db_->read([&](store::transaction& tx) -> result<void> {
      h = (*tx.credentials().get_password("u-1"))->hash;
      return {};
    });
    return h;
  };
  EXPECT_NE(stored().find("m=8192,t=1"), std::string::npos);
  password_settings s = svc_->settings();
  s.argon2_iterations = 2;
  password_service stronger(*audited_, mail_, clk_, rnd_, s);
  EXPECT_FALSE(*stronger.verify("u-1", "Abcdef1?"));
  EXPECT_NE(stored().find("m=8192,t=1"), std::string::npos) << "a failed verify changes nothing";
  EXPECT_TRUE(*stronger.verify("u-1", "Abcdef1!"));
  EXPECT_NE(stored().find("m=8192,t=2"), std::string::npos);
  EXPECT_TRUE(*stronger.verify("u-1", "Abcdef1!"));
}

TEST_F(password_test, forgot_mails_known_users_and_answers_the_same_for_unknown_ones) {
  EXPECT_TRUE(svc_->forgot(ctx_, "ALICE"));  // user names are case-insensitive
  ASSERT_EQ(mail_.sent.size(), 1u);
  EXPECT_NE(mail_.sent[0].subject.find("Reset"), std::string::npos);
  EXPECT_TRUE(svc_->forgot(ctx_, "nobody"));
  EXPECT_TRUE(svc_->forgot(ctx_, "bob"));  // exists, but has no address
  EXPECT_EQ(mail_.sent.size(), 1u);
  EXPECT_EQ(events(), (std::vector<std::string>{"ForgotPassword", "ForgotPassword", "ForgotPassword"}));
}

TEST_F(password_test, disabled_users_get_no_links_and_their_links_stop_working) {
  ASSERT_TRUE(svc_->send_invitation(ctx_, "u-1"));
  auto token = token_in(mail_.sent.back().text);
  add_user("u-3", "carol", "carol@example.com", false);
  EXPECT_FALSE(svc_->send_reset_link(ctx_, "u-3"));
  EXPECT_FALSE(svc_->generate_one_time_password(ctx_, "u-3"));
  ASSERT_TRUE(db_->write([&](store::transaction& tx) -> result<void> {
    auto u = tx.users().get("u-1");
    domain::user next = **u;
    next.active = false;
    return tx.users().update(next, (*u)->version);
  }));
  EXPECT_FALSE(svc_->set_with_token(ctx_, token, "Abcdef1!"));
}

TEST_F(password_test, invitation_needs_an_address_and_no_password) {
  auto none = svc_->send_invitation(ctx_, "u-2");
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().code, errc::validation);
  give_password("Abcdef1!");
  auto again = svc_->send_invitation(ctx_, "u-1");
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, errc::conflict);
  EXPECT_EQ(svc_->send_invitation(ctx_, "u-404").error().code, errc::not_found);
}

// The invitation made in a create's own transaction (issue 13 item 2): token, mail and record
// commit with the create, or not at all; users it does not apply to get none, without an error.
TEST_F(password_test, an_invitation_made_in_a_transaction_commits_or_rolls_back_with_it) {
  domain::user carol;
  carol.id = "u-3";
  carol.user_name = "carol";
  carol.active = true;
  carol.emails.push_back({"carol@example.com", "work", true});
  std::optional<password_service::invitation> made;
  auto rolled_back = db_->write([&](store::transaction& tx) -> result<void> {
    if (auto r = tx.users().insert(carol); !r) return r;
    auto inv = svc_->invite_in(tx, ctx_, carol);
    if (!inv) return std::unexpected(inv.error());
    EXPECT_TRUE(*inv);
    return fail(errc::conflict, "the create failed after the invitation was made");
  });
  ASSERT_FALSE(rolled_back);
  EXPECT_TRUE(events().empty()) << "no SendInvitation record without the create";
  EXPECT_TRUE(mail_.sent.empty());

  ASSERT_TRUE(db_->write([&](store::transaction& tx) -> result<void> {
    if (auto r = tx.users().insert(carol); !r) return r;
    auto inv = svc_->invite_in(tx, ctx_, carol);
    if (!inv) return std::unexpected(inv.error());
    made = std::move(*inv);
    return {};
  }));
  ASSERT_TRUE(made);
  EXPECT_EQ(events(), (std::vector<std::string>{"SendInvitation"})) << "committed with the create";
  EXPECT_TRUE(mail_.sent.empty()) << "a mailer without a store sends only after the commit";
  svc_->invited(*made);
  ASSERT_EQ(mail_.sent.size(), 1u);
  EXPECT_EQ(mail_.sent[0].to, "carol@example.com");
  auto who = svc_->set_with_token(ctx_, token_in(mail_.sent[0].text), "Abcdef1!");
  ASSERT_TRUE(who) << who.error().message;
  EXPECT_EQ(*who, "u-3");

  domain::user none = carol;  // no address, then disabled, then passwords at the IdP: nothing
  none.emails.clear();
  auto disabled = carol;
  disabled.active = false;
  ASSERT_TRUE(db_->read([&](store::transaction& tx) -> result<void> {
    EXPECT_FALSE(*svc_->invite_in(tx, ctx_, none));
    EXPECT_FALSE(*svc_->invite_in(tx, ctx_, disabled));
    return {};
  }));
  set_source(true);
  ASSERT_TRUE(db_->write([&](store::transaction& tx) -> result<void> {
    EXPECT_FALSE(*svc_->invite_in(tx, ctx_, carol));
    return {};
  }));
}

TEST_F(password_test, a_refused_mail_is_an_error_and_audited) {
  mail_.refuse = true;
  auto r = svc_->send_invitation(ctx_, "u-1");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("550"), std::string::npos);
  EXPECT_EQ(events(), (std::vector<std::string>{"SendInvitation", "SendInvitation:MailDeliveryFailed"}));
}

TEST_F(password_test, audit_records_never_carry_passwords_tokens_or_codes) {
  ASSERT_TRUE(svc_->send_invitation(ctx_, "u-1"));
  auto token = token_in(mail_.sent.back().text);
  ASSERT_TRUE(svc_->set_with_token(ctx_, token, "Secret1!pass"));
  auto otp = svc_->generate_one_time_password(ctx_, "u-2");
  ASSERT_TRUE(svc_->codes().send(ctx_, "u-1"));
  auto code = code_in(mail_.sent.back().text);
  auto all = all_audit_json();
  EXPECT_EQ(all.find(token), std::string::npos);
  EXPECT_EQ(all.find("Secret1!pass"), std::string::npos);
  EXPECT_EQ(all.find(*otp), std::string::npos);
  EXPECT_EQ(all.find("\"" + code + "\""), std::string::npos);
  EXPECT_NE(all.find("sso-directory.amazonaws.com"), std::string::npos);
}

TEST_F(password_test, deleting_the_user_removes_credentials_and_tokens) {
  give_password("Abcdef1!");
  ASSERT_TRUE(svc_->codes().send(ctx_, "u-1"));
  identity_services ids(*audited_, clk_, rnd_, "d-1234567890", {});
  ASSERT_TRUE(ids.users.delete_user(ctx_, "u-1"));
  bool any = true;
  ASSERT_TRUE(db_->read([&](store::transaction& tx) -> result<void> {
    auto p = tx.credentials().get_password("u-1");
    auto t = tx.credentials().latest_token("u-1", store::token_kind::email_code);
    any = *p || *t;
    return {};
  }));
  EXPECT_FALSE(any);
}

TEST_F(password_test, with_an_external_idp_passwords_are_the_idps_and_links_wait_unused) {
  ASSERT_TRUE(svc_->send_invitation(ctx_, "u-1"));
  auto invitation = token_in(mail_.sent.back().text);
  add_user("u-3", "carol", "carol@example.com");
  ASSERT_TRUE(svc_->send_invitation(ctx_, "u-3"));
  auto carol_invitation = token_in(mail_.sent.back().text);
  ASSERT_TRUE(svc_->set_with_token(ctx_, carol_invitation, "Abcdef1!"));
  ASSERT_TRUE(svc_->send_reset_link(ctx_, "u-3"));
  auto reset = token_in(mail_.sent.back().text);
  auto mails = mail_.sent.size();
  auto before = events().size();

  set_source(true);
  auto accept = svc_->set_with_token(ctx_, invitation, "Abcdef1!");
  expect_managed_by_idp(accept ? result<void>() : std::unexpected(accept.error()), "accept invitation");
  auto by_reset = svc_->set_with_token(ctx_, reset, "Zyxwvu9?");
  expect_managed_by_idp(by_reset ? result<void>() : std::unexpected(by_reset.error()), "reset link");
  // The same answer for known and unknown names (no enumeration), and no mail.
  expect_managed_by_idp(svc_->forgot(ctx_, "alice"), "forgot, known");
  expect_managed_by_idp(svc_->forgot(ctx_, "nobody"), "forgot, unknown");
  expect_managed_by_idp(svc_->change(ctx_, "u-3", "Abcdef1!", "Zyxwvu9?"), "change");
  expect_managed_by_idp(svc_->send_reset_link(ctx_, "u-3"), "reset link by an administrator");
  expect_managed_by_idp(svc_->send_invitation(ctx_, "u-2"), "invitation");
  auto otp = svc_->generate_one_time_password(ctx_, "u-3");
  expect_managed_by_idp(otp ? result<void>() : std::unexpected(otp.error()), "one-time password");
  EXPECT_EQ(mail_.sent.size(), mails);
  EXPECT_FALSE(*svc_->verify("u-1", "Abcdef1!"));
  EXPECT_TRUE(*svc_->verify("u-3", "Abcdef1!")) << "the old password is kept for a switch back";
  // Refused before any change: no record (the refused administrator actions leave a failure).
  auto after = events();
  for (const auto& e : std::vector<std::string>(after.begin() + static_cast<std::ptrdiff_t>(before), after.end()))
    EXPECT_TRUE(e.find("AcceptInvitation") == std::string::npos && e.find("ResetPassword") == std::string::npos &&
                e.find("ForgotPassword") == std::string::npos && e.find("UpdatePassword") == std::string::npos)
        << e;

  // Back to the built-in store (guide "Considerations for changing your identity source"): the
  // links were not used up.
  set_source(false);
  EXPECT_TRUE(svc_->set_with_token(ctx_, invitation, "Abcdef1!"));
  EXPECT_TRUE(svc_->set_with_token(ctx_, reset, "Zyxwvu9?"));
  EXPECT_TRUE(svc_->forgot(ctx_, "alice"));
}

TEST_F(password_test, in_multi_idp_mode_break_glass_names_keep_their_passwords) {
  add_user("u-3", "admin", "admin@corp.example");  // a domain no IdP claims
  set_source(true, true);
  expect_managed_by_idp(svc_->forgot(ctx_, "alice@example.com"), "a claimed domain");
  add_user("u-4", "dana@example.com", "dana@example.com");
  expect_managed_by_idp(svc_->send_invitation(ctx_, "u-4"), "an IdP user");
  ASSERT_TRUE(svc_->send_invitation(ctx_, "u-3"));
  auto token = token_in(mail_.sent.back().text);
  ASSERT_TRUE(svc_->set_with_token(ctx_, token, "Abcdef1!"));
  EXPECT_TRUE(svc_->change(ctx_, "u-3", "Abcdef1!", "Zyxwvu9?"));
  EXPECT_TRUE(svc_->forgot(ctx_, "admin@corp.example"));
}

}  // namespace atrium::service
