// The portal door without a browser: its routes outside the API, the checks every API call gets
// before any service runs (body size, media type, Origin, session, CSRF), its security headers,
// and its shape for the HTTP layer's own errors. (Every sign-in flow end to end: tests/browser.)
#include "proto/portal/portal_door.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "crypto/primitives.hpp"
#include "store/sqlite/sqlite_database.hpp"

namespace atrium::proto::portal {

using nlohmann::json;

namespace {

class null_mailer final : public service::mailer {
 public:
  result<void> send(const service::mail_message&) override { return {}; }
};

}  // namespace

class portal_door_test : public ::testing::Test {
 protected:
  void SetUp() override {
    crypto::init();
    dir_ = std::filesystem::temp_directory_path() /
           ("atrium-portal-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_ / "web");
    auto db = store::sqlite::sqlite_database::open({dir_ / "t.db", false});
    ASSERT_TRUE(db) << db.error().message;
    db_ = std::move(*db);
    audit_ = std::make_unique<service::auditor>(clk_, rnd_, std::nullopt);
    audited_ = std::make_unique<service::audited_store>(*db_, *audit_);
    service::password_settings ps;
    ps.argon2_memory_kib = 8192;
    ps.argon2_iterations = 1;
    passwords_ = std::make_unique<service::password_service>(*audited_, mail_, clk_, rnd_, ps);
    box_ = std::make_unique<crypto::secret_box>(std::string(32, 'k'));
    mfa_ = std::make_unique<service::mfa_service>(*audited_, *box_, clk_, rnd_,
                                                  service::mfa_options{"portal.test", "Atrium", "https://portal.test"});
    sessions_ = std::make_unique<service::session_service>(*audited_, clk_, rnd_);
    throttle_ = std::make_unique<service::login_throttle>(clk_, service::login_throttle_settings{}, db_.get());
    sign_in_ = std::make_unique<service::sign_in_service>(
        *audited_, *passwords_, *mfa_, *sessions_, *throttle_, clk_, rnd_,
        service::sign_in_settings{"111122223333", "us-east-1", "https://portal.test/portal/"});
    accounts_ = std::make_unique<service::portal_accounts>(*db_);
    idp_ = std::make_unique<service::idp_signing>(*audited_, clk_, *box_, "Atrium IdP test", 2048);
    federation_ = std::make_unique<service::aws_federation>(*audited_, clk_, rnd_, *idp_,
                                                            service::federation_settings{}, nullptr);
    portal_settings s;
    s.public_url = "https://portal.test";
    s.assets_dir = dir_ / "web";
    s.max_body_bytes = 64;
    door_ = std::make_unique<portal_door>(portal_services{*sign_in_, *sessions_, *passwords_, *mfa_, *accounts_, *federation_, *audited_}, s);
  }
  void TearDown() override {
    door_.reset();
    federation_.reset();
    sign_in_.reset();
    db_.reset();
    std::filesystem::remove_all(dir_);
  }

  response call(std::string method, std::string target, std::string body = "", header_list headers = {}) {
    return door_->handle(request{std::move(method), std::move(target), std::move(headers), std::move(body), "127.0.0.1", "r"});
  }
  static std::string header(const response& r, std::string_view name) {
    for (const auto& [k, v] : r.headers)
      if (k == name) return v;
    return "";
  }

  seeded_random rnd_{13};
  manual_clock clk_{from_epoch_millis(1'767'225'600'000)};
  std::filesystem::path dir_;
  std::unique_ptr<store::database> db_;
  std::unique_ptr<service::auditor> audit_;
  std::unique_ptr<service::audited_store> audited_;
  null_mailer mail_;
  std::unique_ptr<service::login_throttle> throttle_;
  std::unique_ptr<service::password_service> passwords_;
  std::unique_ptr<crypto::secret_box> box_;
  std::unique_ptr<service::mfa_service> mfa_;
  std::unique_ptr<service::session_service> sessions_;
  std::unique_ptr<service::sign_in_service> sign_in_;
  std::unique_ptr<service::portal_accounts> accounts_;
  std::unique_ptr<service::idp_signing> idp_;
  std::unique_ptr<service::aws_federation> federation_;
  std::unique_ptr<portal_door> door_;
};

TEST_F(portal_door_test, routes_outside_the_api_and_security_headers) {
  auto root = call("GET", "/");
  EXPECT_EQ(root.status, 302);
  EXPECT_EQ(header(root, "Location"), "/portal/");
  EXPECT_EQ(header(root, "X-Frame-Options"), "DENY");
  EXPECT_EQ(call("POST", "/portal/index.html").status, 405);
  EXPECT_EQ(call("GET", "/portal/api/portal/accounts").status, 401) << "no session";
}

TEST_F(portal_door_test, checks_before_any_service_runs) {
  const header_list json_from_portal = {{"Content-Type", "application/json"}, {"Origin", "https://portal.test"}};
  EXPECT_EQ(call("POST", "/portal/api/signin/start", std::string(65, ' '), json_from_portal).status, 413);
  EXPECT_EQ(call("POST", "/portal/api/signin/start", "{}", {{"Content-Type", "text/plain"}}).status, 415);
  EXPECT_EQ(call("POST", "/portal/api/signin/start", "[1]", json_from_portal).status, 400);
  auto cross = call("POST", "/portal/api/signin/start", "{}",
                    {{"Content-Type", "application/json"}, {"Origin", "https://evil.test"}});
  EXPECT_EQ(cross.status, 403);
  EXPECT_EQ(json::parse(cross.body)["error"], "CsrfFailed");
  EXPECT_EQ(call("GET", "/portal/api/signin/start").status, 405);
}

TEST_F(portal_door_test, the_servers_own_errors_in_the_contracts_shape) {
  response generic;
  generic.status = 413;
  auto r = door_->transport_error(request{"POST", "/portal/api/signin/start", {}, "", "", ""}, generic);
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(json::parse(r.body)["error"], "InvalidRequest");
}

}  // namespace atrium::proto::portal
