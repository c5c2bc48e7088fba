#pragma once
// The command-line access services over the real SQLite store with a manual clock and a seeded
// random source: users, portal sessions (session_service, as the portal makes them), clients,
// and helpers that walk the device flow the way the AWS CLI and the portal do.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <optional>

#include "crypto/primitives.hpp"
#include "domain/oidc.hpp"
#include "service/audit/auditor.hpp"
#include "service/oidc/account_access.hpp"
#include "service/oidc/authorization_requests.hpp"
#include "service/oidc/client_registry.hpp"
#include "service/oidc/code_attempts.hpp"
#include "service/oidc/device_authorizations.hpp"
#include "service/oidc/secrets.hpp"
#include "service/oidc/token_service.hpp"
#include "service/signin/portal_accounts.hpp"
#include "service/signin/session_service.hpp"
#include "store/oidc_repository.hpp"
#include "store/sqlite/sqlite_database.hpp"

namespace atrium::service::oidc::testing {

using namespace std::chrono_literals;

inline constexpr const char* start_url = "https://atrium.test:8443/portal";
inline constexpr const char* account_id = "123456789012";

// Records the calls it gets; answers with fixed credentials, or with `refusal` when set (the
// federation's answers: errc::conflict for a record-only deployment, a peer error from STS).
class fake_credentials final : public role_credentials_source {
 public:
  result<role_credentials> get(const call_context& ctx, const std::string& user_id, const std::string& account,
                               const std::string& role) override {
    calls.push_back(user_id + "|" + account + "|" + role + "|" + ctx.event_name);
    if (refusal) return std::unexpected(*refusal);
    return role_credentials{"ASIAFAKE", "secret", "session", from_epoch_millis(1'767'229'200'000)};
  }
  std::vector<std::string> calls;
  std::optional<error> refusal;
};

class oidc_fixture : public ::testing::Test {
 protected:
  void SetUp() override {
    crypto::init();
    dir_ = std::filesystem::temp_directory_path() /
           ("atrium-oidc-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->test_suite_name() + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    auto db = store::sqlite::sqlite_database::open({dir_ / "t.db", false});
    ASSERT_TRUE(db) << db.error().message;
    db_ = std::move(*db);
    audit_ = std::make_unique<auditor>(clk_, rnd_, std::nullopt);
    audited_ = std::make_unique<audited_store>(*db_, *audit_);
    sessions_ = std::make_unique<session_service>(*audited_, clk_, rnd_);
    attempts_ = std::make_unique<code_attempts>(*db_, clk_);
    clients_ = std::make_unique<client_registry>(*audited_, clk_, rnd_);
    devices_ = std::make_unique<device_authorizations>(*audited_, *clients_, *attempts_, clk_, rnd_, start_url);
    requests_ = std::make_unique<authorization_requests>(*audited_, clk_, rnd_);
    tokens_ = std::make_unique<token_service>(*audited_, *clients_, clk_, rnd_, token_settings{account_id});
    assigned_ = std::make_unique<portal_accounts>(*db_);
    access_ = std::make_unique<account_access>(*audited_, *assigned_, creds_);
    add_user("u-alice", "alice");
    add_user("u-bob", "bob");
  }
  void TearDown() override {
    access_.reset();
    tokens_.reset();
    devices_.reset();
    db_.reset();
    std::filesystem::remove_all(dir_);
  }

  call_context ctx(const std::string& event) {
    call_context c;
    c.event_source = "sso.amazonaws.com";
    c.event_name = event;
    c.source_ip = "203.0.113.9";
    return c;
  }

  void add_user(const std::string& id, const std::string& name) {
    domain::user u;
    u.id = id;
    u.user_name = name;
    ASSERT_TRUE(db_->write([&](store::transaction& tx) { return tx.users().insert(u); }));
  }
  void set_active(const std::string& id, bool active) {
    ASSERT_TRUE(db_->write([&](store::transaction& tx) -> result<void> {
      auto u = tx.users().get(id);
      if (!u || !*u) return fail(errc::not_found, "no user");
      auto v = **u;
      v.active = active;
      ++v.version;
      return tx.users().update(v, (*u)->version);
    }));
  }
  // A portal sign-in session, as the portal's sign-in makes one.
  issued_session sign_in(const std::string& user = "u-alice") {
    std::optional<issued_session> out;
    EXPECT_TRUE(db_->write([&](store::transaction& tx) -> result<void> {
      auto s = sessions_->create(tx, user, "203.0.113.9", "Mozilla/5.0 Test");
      if (!s) return std::unexpected(s.error());
      out = std::move(*s);
      return {};
    }));
    return out.value_or(issued_session{});
  }
  approver approver_of(const issued_session& s, const std::string& name = "alice") {
    return {s.record.user_id, name, s.record.id, "203.0.113.9"};
  }

  // RegisterClient as the AWS CLI does: legacy profiles without scopes, sso-session profiles
  // with sso:account:access.
  registered_client register_cli(bool scoped) {
    client_registration r;
    r.name = "botocore-client-test";
    r.type = "public";
    if (scoped) r.scopes = {"sso:account:access"};
    auto c = clients_->register_client(ctx("RegisterClient"), r);
    EXPECT_TRUE(c) << (c ? "" : c.error().description);
    return c.value_or(registered_client{});
  }
  registered_client register_code_client() {
    client_registration r;
    r.name = "botocore-client-auth";
    r.type = "public";
    r.scopes = {"sso:account:access"};
    r.grant_types = {"authorization_code", "refresh_token"};
    r.redirect_uris = {"http://127.0.0.1/oauth/callback"};
    r.issuer_url = start_url;
    auto c = clients_->register_client(ctx("RegisterClient"), r);
    EXPECT_TRUE(c) << (c ? "" : c.error().description);
    return c.value_or(registered_client{});
  }
  device_start start(const registered_client& c) {
    auto d = devices_->start(ctx("StartDeviceAuthorization"), c.client_id, c.client_secret, start_url);
    EXPECT_TRUE(d) << (d ? "" : d.error().description);
    return d.value_or(device_start{});
  }
  oauth_result<issued_tokens> poll(const registered_client& c, const device_start& d) {
    token_request r;
    r.grant_type = std::string(domain::oidc::device_code_grant);
    r.client_id = c.client_id;
    r.client_secret = c.client_secret;
    r.device_code = d.device_code;
    return tokens_->create(ctx("CreateToken"), r);
  }
  oauth_result<issued_tokens> refresh(const registered_client& c, const std::string& refresh_token) {
    token_request r;
    r.grant_type = "refresh_token";
    r.client_id = c.client_id;
    r.client_secret = c.client_secret;
    r.refresh_token = refresh_token;
    return tokens_->create(ctx("CreateToken"), r);
  }
  // The whole device flow: register, start, the user approves in `session`, the client polls.
  issued_tokens login(const issued_session& session, bool scoped = true, const std::string& name = "alice") {
    auto c = register_cli(scoped);
    last_client_ = c;
    auto d = start(c);
    auto ok = devices_->decide(ctx("ApproveDeviceAuthorization"), approver_of(session, name), d.user_code, true);
    EXPECT_TRUE(ok) << (ok ? "" : ok.error().message);
    auto t = poll(c, d);
    EXPECT_TRUE(t) << (t ? "" : t.error().description);
    return t.value_or(issued_tokens{});
  }
  bool valid(const std::string& access_token) { return tokens_->authenticate(access_token).has_value(); }
  int64_t audit_count(const std::string& event) {
    store::audit_query q;
    q.limit = 1000;
    int64_t n = 0;
    EXPECT_TRUE(db_->flush());  // read calls' records are batched (docs/audit.md)
    EXPECT_TRUE(db_->read([&](store::transaction& tx) -> result<void> {
      auto rows = tx.audit().query(q);
      if (!rows) return std::unexpected(rows.error());
      for (const auto& r : *rows) n += r.event_name == event;
      last_records_ = *rows;
      return {};
    }));
    return n;
  }

  std::filesystem::path dir_;
  manual_clock clk_{from_epoch_millis(1'767'225'600'000)};  // 2026-01-01T00:00:00Z
  seeded_random rnd_{16};
  std::unique_ptr<store::database> db_;
  std::unique_ptr<auditor> audit_;
  std::unique_ptr<audited_store> audited_;
  std::unique_ptr<session_service> sessions_;
  std::unique_ptr<code_attempts> attempts_;
  std::unique_ptr<client_registry> clients_;
  std::unique_ptr<device_authorizations> devices_;
  std::unique_ptr<authorization_requests> requests_;
  std::unique_ptr<token_service> tokens_;
  std::unique_ptr<portal_accounts> assigned_;
  fake_credentials creds_;
  std::unique_ptr<account_access> access_;
  registered_client last_client_;
  std::vector<store::audit_record> last_records_;
};

}  // namespace atrium::service::oidc::testing
