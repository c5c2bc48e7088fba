#pragma once
// The fixture of the MFA service tests (mfa_service_test, webauthn_ceremonies_test): the real
// SQLite store in a temporary directory, a manual clock, a seeded random source.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "crypto/primitives.hpp"
#include "crypto/totp.hpp"
#include "service/signin/mfa_service.hpp"
#include "store/mfa_device_repository.hpp"
#include "store/sqlite/sqlite_database.hpp"

namespace atrium::service::mfa_testing {

// The service gives WebAuthn options as serialised JSON; the tests read them as JSON.
inline result<nlohmann::json> as_json(result<std::string> r) {
  if (!r) return std::unexpected(r.error());
  return nlohmann::json::parse(*r);
}

inline constexpr const char* origin = "https://localhost:8443";

// The service over a fresh SQLite store with users u-1 (jane) and u-2 (john), a seeded random
// source and a manual clock.
class mfa_fixture : public ::testing::Test {
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
    EXPECT_TRUE(db_->flush());  // read calls' records are batched (docs/audit.md)
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

}  // namespace atrium::service::mfa_testing
