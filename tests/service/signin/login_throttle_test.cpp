// Failed-attempt backoff per account and per source address, with an injected clock: counters
// in memory, in the store (transient_state, migration 0019), and two throttles sharing one
// store as two nodes do (every attempt alternates between them: they must count as one).
#include "service/signin/login_throttle.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <memory>

#include "store/sqlite/sqlite_database.hpp"

namespace atrium::service {

namespace {

using std::chrono::seconds;

enum class counters { memory, store, two_nodes };

// Sends each call to one throttle, or alternately to two over one store.
class either {
 public:
  login_throttle* a = nullptr;
  login_throttle* b = nullptr;
  login_throttle& next() {
    flip_ = !flip_;
    return (b && flip_) ? *b : *a;
  }
  std::optional<seconds> check(std::string_view k, std::string_view ip) { return next().check(k, ip); }
  void failure(std::string_view k, std::string_view ip) { next().failure(k, ip); }
  void success(std::string_view k) { next().success(k); }
  void pending(std::string_view k) { next().pending(k); }

 private:
  bool flip_ = false;
};

class login_throttle_test : public ::testing::TestWithParam<counters> {
 protected:
  void SetUp() override {
    login_throttle_settings s{5, 20, seconds(1), seconds(900), seconds(3600), 100'000};
    if (GetParam() != counters::memory) {
      dir_ = std::filesystem::temp_directory_path() /
             ("atrium-throttle-" + std::to_string(::getpid()) + "-" +
              std::to_string(static_cast<int>(GetParam())) + "-" +
              ::testing::UnitTest::GetInstance()->current_test_info()->name());
      std::filesystem::remove_all(dir_);
      std::filesystem::create_directories(dir_);
      auto db = store::sqlite::sqlite_database::open({dir_ / "t.db", false});
      ASSERT_TRUE(db) << db.error().message;
      db_ = std::move(*db);
    }
    one_ = std::make_unique<login_throttle>(clk_, s, db_.get());
    t_.a = one_.get();
    if (GetParam() == counters::two_nodes) {
      two_ = std::make_unique<login_throttle>(clk_, s, db_.get());
      t_.b = two_.get();
    }
  }
  void TearDown() override {
    one_.reset();
    two_.reset();
    db_.reset();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  void fail_n(std::string_view account, std::string_view ip, int n) {
    for (int i = 0; i < n; ++i) t_.failure(account, ip);
  }

  manual_clock clk_{from_epoch_millis(1'763'900'000'000)};
  std::filesystem::path dir_;
  std::unique_ptr<store::sqlite::sqlite_database> db_;
  std::unique_ptr<login_throttle> one_, two_;
  either t_;
};

TEST_P(login_throttle_test, five_failures_lock_one_second_then_doubling_up_to_fifteen_minutes) {
  fail_n("u:alice", "10.0.0.1", 4);
  EXPECT_FALSE(t_.check("u:alice", "10.0.0.1"));
  t_.failure("u:alice", "10.0.0.1");  // the fifth
  ASSERT_TRUE(t_.check("u:alice", "10.0.0.1"));
  EXPECT_EQ(*t_.check("u:alice", "10.0.0.1"), seconds(1));
  clk_.advance(seconds(1));
  EXPECT_FALSE(t_.check("u:alice", "10.0.0.1"));
  t_.failure("u:alice", "10.0.0.1");
  EXPECT_EQ(*t_.check("u:alice", "10.0.0.1"), seconds(2));
  clk_.advance(seconds(2));
  t_.failure("u:alice", "10.0.0.1");
  EXPECT_EQ(*t_.check("u:alice", "10.0.0.1"), seconds(4));
  for (int i = 0; i < 20; ++i) {
    clk_.advance(seconds(900));
    t_.failure("u:alice", "10.0.0.1");
  }
  EXPECT_EQ(*t_.check("u:alice", "10.0.0.1"), seconds(900)) << "capped at max_lockout";
}

TEST_P(login_throttle_test, success_resets_the_account_but_not_the_address) {
  fail_n("u:bob", "10.0.0.2", 5);
  ASSERT_TRUE(t_.check("u:bob", "10.0.0.9"));
  t_.success("u:bob");
  EXPECT_FALSE(t_.check("u:bob", "10.0.0.9"));
  // The address went on counting: 20 failures lock it for every account.
  fail_n("u:carol", "10.0.0.2", 14);
  clk_.advance(seconds(1000));
  t_.success("u:carol");
  fail_n("u:dave", "10.0.0.2", 1);
  auto wait = t_.check("n:someone-else", "10.0.0.2");
  ASSERT_TRUE(wait);
  EXPECT_GE(*wait, seconds(1));
  EXPECT_FALSE(t_.check("n:someone-else", "10.0.0.3"));
}

// The sign-in's password step asks check() whether the account has a counter, and a success
// without one skips its own read (issue 18 item 6); with one, the success still resets it.
TEST_P(login_throttle_test, check_says_whether_the_account_has_a_counter_for_success_to_reset) {
  bool counted = true;
  EXPECT_FALSE(t_.next().check("u:erin", "10.0.0.4", &counted));
  EXPECT_FALSE(counted);
  t_.failure("u:erin", "10.0.0.4");
  EXPECT_FALSE(t_.next().check("u:erin", "10.0.0.4", &counted));  // one failure does not lock
  EXPECT_TRUE(counted);
  t_.next().success("u:erin", counted);
  EXPECT_FALSE(t_.next().check("u:erin", "10.0.0.5", &counted));
  EXPECT_FALSE(counted);
  // Another address's counter is not the account's.
  t_.failure("n:x", "10.0.0.6");
  EXPECT_FALSE(t_.next().check("u:erin", "10.0.0.6", &counted));
  EXPECT_FALSE(counted);
}

TEST_P(login_throttle_test, pending_requests_lock_their_key_with_the_address_allowance_until_one_completes) {
  for (int i = 0; i < 19; ++i) t_.pending("sp:10.0.0.7");
  EXPECT_FALSE(t_.check("sp:10.0.0.7", "10.0.0.7"));
  t_.pending("sp:10.0.0.7");  // the twentieth
  auto wait = t_.check("sp:10.0.0.7", "10.0.0.7");
  ASSERT_TRUE(wait);
  EXPECT_EQ(*wait, seconds(1));
  // Only its own key: the address's password attempts are not charged.
  EXPECT_FALSE(t_.check("u:frank", "10.0.0.7"));
  clk_.advance(seconds(1));
  t_.pending("sp:10.0.0.7");
  EXPECT_EQ(*t_.check("sp:10.0.0.7", "10.0.0.7"), seconds(2)) << "doubling like failures";
  t_.success("sp:10.0.0.7");  // a sign-in completed
  EXPECT_FALSE(t_.check("sp:10.0.0.7", "10.0.0.7"));
}

TEST_P(login_throttle_test, unknown_names_lock_like_accounts) {
  fail_n("n:nobody", "10.0.0.4", 5);
  EXPECT_TRUE(t_.check("n:nobody", "10.0.0.5"));
  EXPECT_FALSE(t_.check("n:somebody", "10.0.0.5"));
}

TEST_P(login_throttle_test, an_old_failure_is_forgotten) {
  fail_n("u:erin", "10.0.0.6", 4);
  clk_.advance(seconds(3600));
  t_.failure("u:erin", "10.0.0.6");
  EXPECT_FALSE(t_.check("u:erin", "10.0.0.6")) << "the count started again";
}

INSTANTIATE_TEST_SUITE_P(counters, login_throttle_test,
                         ::testing::Values(counters::memory, counters::store, counters::two_nodes),
                         [](const auto& i) {
                           return i.param == counters::memory ? std::string("memory")
                                  : i.param == counters::store ? std::string("store")
                                                               : std::string("two_nodes");
                         });

TEST(login_throttle, the_table_is_bounded) {
  manual_clock clk{from_epoch_millis(1'763'900'000'000)};
  login_throttle t{clk, {5, 20, seconds(1), seconds(900), seconds(3600), 100}};
  for (int i = 0; i < 1000; ++i) {
    clk.advance(std::chrono::milliseconds(1));
    t.failure("n:" + std::to_string(i), "10.1.0." + std::to_string(i % 250));
  }
  // The newest keys are still counted.
  for (int i = 0; i < 4; ++i) t.failure("n:999", "10.9.9.9");
  EXPECT_TRUE(t.check("n:999", "10.9.9.8"));
}

}  // namespace

}  // namespace atrium::service
