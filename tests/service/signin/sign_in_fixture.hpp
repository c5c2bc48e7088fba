#pragma once
// The fixture of the sign-in workflow tests (sign_in_service_test, sign_in_registration_test):
// the real SQLite store in a temporary directory (or, in sign_in_pg_fixture, a database of the
// tests' throwaway PostgreSQL cluster: tests/store/pg_cluster.hpp), the password, MFA and
// session services, a manual clock, a seeded random source and a mailer that keeps what it is
// given.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "crypto/password_hash.hpp"
#include "crypto/primitives.hpp"
#include "service/signin/sign_in_service.hpp"
#include "store/credential_repository.hpp"
#include "store/pg_cluster.hpp"
#include "store/sqlite/sqlite_database.hpp"

namespace atrium::service::sign_in_testing {

using nlohmann::json;

class null_mailer final : public mailer {
 public:
  result<void> send(const mail_message& m) override {
    sent.push_back(m);
    return {};
  }
  std::vector<mail_message> sent;
};

// The seeded source behind a lock: the racing tests call the services from two threads.
class locked_random final : public random_source {
 public:
  explicit locked_random(uint64_t seed) : inner_(seed) {}
  void fill(void* out, std::size_t n) override {
    std::lock_guard lock(mu_);
    inner_.fill(out, n);
  }

 private:
  std::mutex mu_;
  seeded_random inner_;
};

// The store as the services see it, counting the writer's transactions they ask for (waited-for
// and detached; the batched audit records of reads apart) and the read transactions: what a
// sign-in costs in commits and snapshots.
class counting_database final : public store::database {
 public:
  explicit counting_database(store::database& inner) : inner_(inner) {}
  result<void> read(const store::tx_fn& fn) override {
    ++reads;
    return inner_.read(fn);
  }
  result<void> write(const store::tx_fn& fn) override {
    ++writes;
    return inner_.write(fn);
  }
  void write_detached(store::tx_fn fn) override {
    ++writes;
    inner_.write_detached(std::move(fn));
  }
  void write_deferred(store::tx_fn fn) override { inner_.write_deferred(std::move(fn)); }
  result<void> ready() override { return inner_.ready(); }
  std::atomic<int> writes{0};
  std::atomic<int> reads{0};

 private:
  store::database& inner_;
};

// The workflow over the real store, password, MFA and session services, with user1
// (password Correct-Horse-9), a seeded random source and a manual clock; events() reads the
// sign-in events the auditor wrote.
class sign_in_fixture : public ::testing::Test {
 protected:
  void SetUp() override {
    crypto::init();
    dir_ = std::filesystem::temp_directory_path() /
           ("atrium-signin-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    if (postgresql()) {
      auto& cluster = atrium::test::pg_cluster::instance();
      std::string why;
      if (!cluster.available(why)) GTEST_SKIP() << why;
      pg_name_ = cluster.create_database();
      ASSERT_FALSE(pg_name_.empty());
      store::postgresql::pg_options o;
      o.connection.conninfo = cluster.conninfo(pg_name_);
      auto db = store::postgresql::pg_database::open(o);
      ASSERT_TRUE(db) << db.error().message;
      db_ = std::move(*db);
    } else {
      auto db = store::sqlite::sqlite_database::open({dir_ / "t.db", false});
      ASSERT_TRUE(db) << db.error().message;
      db_ = std::move(*db);
    }
    counted_ = std::make_unique<counting_database>(*db_);
    audit_ = std::make_unique<auditor>(clk_, rnd_, dir_ / "events.jsonl");
    audited_ = std::make_unique<audited_store>(*counted_, *audit_);
    password_settings ps;
    ps.argon2_memory_kib = 8192;
    ps.argon2_iterations = 1;
    ps.portal_url = "https://portal.example.com/portal";
    passwords_ = std::make_unique<password_service>(*audited_, mail_, clk_, rnd_, ps);
    box_ = std::make_unique<crypto::secret_box>(std::string(32, 'k'));
    mfa_ = std::make_unique<mfa_service>(*audited_, *box_, clk_, rnd_,
                                         mfa_options{"portal.example.com", "Atrium", "https://portal.example.com"});
    sessions_ = std::make_unique<session_service>(*audited_, clk_, rnd_);
    throttle_ = std::make_unique<login_throttle>(clk_, login_throttle_settings{}, counted_.get());
    svc_ = std::make_unique<sign_in_service>(*audited_, *passwords_, *mfa_, *sessions_, *throttle_, clk_, rnd_,
                                             sign_in_settings{"111122223333", "us-east-1", "https://portal.example.com/portal/"});
    add_user("u-1", "user1", "Correct-Horse-9");
  }
  void TearDown() override {
    svc_.reset();
    mfa_.reset();
    passwords_.reset();
    throttle_.reset();
    sessions_.reset();
    audited_.reset();
    counted_.reset();
    db_.reset();
    if (!pg_name_.empty()) atrium::test::pg_cluster::instance().drop_database(pg_name_);
    std::filesystem::remove_all(dir_);
  }
  // The store of the test: SQLite, or PostgreSQL in sign_in_pg_fixture.
  virtual bool postgresql() const { return false; }

  void add_user(const std::string& id, const std::string& name, const std::string& password) {
    domain::user u;
    u.id = id;
    u.user_name = name;
    u.emails = {domain::email{name + "@example.com", std::nullopt, true}};
    auto hash = crypto::hash_password(password, {8192, 1});
    ASSERT_TRUE(hash);
    ASSERT_TRUE(db_->write([&](store::transaction& tx) -> result<void> {
      if (auto r = tx.users().insert(u); !r) return r;
      return tx.credentials().put_password({id, *hash, {}, clk_.now(), false});
    }));
  }
  void set_mode(mfa_mode m, no_device_policy p = no_device_policy::require_registration) {
    mfa_settings s;
    s.mode = m;
    s.without_device = p;
    call_context ctx;
    ctx.who.arn = "arn:aws:iam::111122223333:root";
    ASSERT_TRUE(mfa_->set_settings(ctx, s));
  }
  std::vector<json> events() {
    std::vector<json> out;
    std::ifstream in(dir_ / "events.jsonl");
    for (std::string line; std::getline(in, line);) {
      auto j = json::parse(line);
      if (j["eventSource"] == "signin.amazonaws.com") out.push_back(j);
    }
    return out;
  }
  // The guide's example record, less the values that differ on every run.
  static void expect_guide_shape(const json& e, const std::string& name, const std::string& user_name) {
    EXPECT_EQ(e["eventVersion"], "1.08");
    EXPECT_EQ(e["userIdentity"], json({{"type", "Unknown"}, {"principalId", "111122223333"}, {"arn", ""},
                                       {"accountId", "111122223333"}, {"accessKeyId", ""}, {"userName", user_name}}));
    EXPECT_EQ(e["eventSource"], "signin.amazonaws.com");
    EXPECT_EQ(e["eventName"], name);
    EXPECT_EQ(e["awsRegion"], "us-east-1");
    EXPECT_EQ(e["sourceIPAddress"], "203.0.113.0");
    EXPECT_EQ(e["userAgent"], "Mozilla/5.0 (test)");
    EXPECT_TRUE(e["requestParameters"].is_null());
    EXPECT_TRUE(e["responseElements"].is_null());
    EXPECT_EQ(e["readOnly"], false);
    EXPECT_EQ(e["eventType"], "AwsServiceEvent");
    EXPECT_EQ(e["managementEvent"], true);
    EXPECT_EQ(e["eventCategory"], "Management");
    EXPECT_EQ(e["recipientAccountId"], "111122223333");
    EXPECT_TRUE(e["eventTime"].get<std::string>().ends_with("Z"));
    EXPECT_FALSE(e["eventID"].get<std::string>().empty());
  }

  sign_in_client client_{"203.0.113.0", "Mozilla/5.0 (test)", "req-1", ""};
  null_mailer mail_;
  locked_random rnd_{21};
  manual_clock clk_{from_epoch_millis(1'763'900'000'000)};
  std::unique_ptr<login_throttle> throttle_;
  std::filesystem::path dir_;
  std::unique_ptr<store::database> db_;
  std::string pg_name_;  // the PostgreSQL database of the test, if any
  std::unique_ptr<counting_database> counted_;
  std::unique_ptr<auditor> audit_;
  std::unique_ptr<audited_store> audited_;
  std::unique_ptr<password_service> passwords_;
  std::unique_ptr<crypto::secret_box> box_;
  std::unique_ptr<mfa_service> mfa_;
  std::unique_ptr<session_service> sessions_;
  std::unique_ptr<sign_in_service> svc_;
};

// The same fixture over a fresh PostgreSQL database (skipped, saying why, without the cluster).
class sign_in_pg_fixture : public sign_in_fixture {
 protected:
  bool postgresql() const override { return true; }
};

}  // namespace atrium::service::sign_in_testing
