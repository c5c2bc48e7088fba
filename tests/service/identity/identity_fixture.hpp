#pragma once
// The identity store's services over the real SQLite store in a temp directory, with an
// injected clock and seeded random source (shared by the user, group and membership tests).
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>

#include "crypto/primitives.hpp"
#include "service/identity/identity_services.hpp"
#include "store/sqlite/sqlite_database.hpp"

namespace atrium::service::testing {

// A post_fn whose work waits until the test runs it: what a completion does happens only there.
class posted_work {
 public:
  store::post_fn poster() {
    return [this](std::function<void()> w) {
      std::lock_guard lock(mu_);
      queue_.push_back(std::move(w));
      cv_.notify_all();
    };
  }
  bool run_one() {
    std::unique_lock lock(mu_);
    if (!cv_.wait_for(lock, std::chrono::seconds(20), [&] { return !queue_.empty(); })) return false;
    auto w = std::move(queue_.front());
    queue_.pop_front();
    lock.unlock();
    w();
    return true;
  }
  // Starts an asynchronous call (`start(post, done)`) and returns what it answered: at once when
  // it failed early, else from the work its commit's completion posted.
  template <class T, class Start>
  result<T> answer(Start&& start) {
    std::optional<result<T>> got;
    start(poster(), [&](result<T> r) { got = std::move(r); });
    if (!got) {
      EXPECT_TRUE(run_one()) << "the commit's completion posts the answer";
      EXPECT_TRUE(got) << "the answer comes from the posted work";
    }
    return got.value_or(result<T>(fail(errc::internal, "no answer")));
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> queue_;
};

class identity_fixture : public ::testing::Test {
 protected:
  void SetUp() override {
    crypto::init();
    dir_ = std::filesystem::temp_directory_path() /
           ("atrium-identity-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    auto db = store::sqlite::sqlite_database::open({dir_ / "t.db", false});
    ASSERT_TRUE(db) << db.error().message;
    db_ = std::move(*db);
    audit_ = std::make_unique<auditor>(clk_, rnd_, std::nullopt);
    audited_ = std::make_unique<audited_store>(*db_, *audit_);
    ids_ = std::make_unique<identity_services>(*audited_, clk_, rnd_, "d-0123456789", quotas{3, 3, 2});
    ctx_.who.arn = "arn:aws:iam::123456789012:user/admin";
  }
  void TearDown() override {
    ids_.reset();
    db_.reset();
    std::filesystem::remove_all(dir_);
  }

  domain::user user(const std::string& name) {
    domain::user u;
    u.user_name = name;
    u.display_name = name;
    u.user_name_parts = domain::name{};
    u.user_name_parts->given_name = name;
    u.user_name_parts->family_name = "F";
    return u;
  }
  // The audit records in the store (reads' records are batched: only writes' are counted at once).
  std::size_t audit_count() {
    std::size_t n = 0;
    EXPECT_TRUE(db_->read([&](store::transaction& tx) -> result<void> {
      auto recs = tx.audit().query({});
      if (!recs) return std::unexpected(recs.error());
      n = recs->size();
      return {};
    }));
    return n;
  }
  domain::group group(const std::string& name) {
    domain::group g;
    g.display_name = name;
    return g;
  }

  seeded_random rnd_{11};
  manual_clock clk_{from_epoch_millis(1'767'225'600'000)};
  std::filesystem::path dir_;
  std::unique_ptr<store::database> db_;
  std::unique_ptr<auditor> audit_;
  std::unique_ptr<audited_store> audited_;
  std::unique_ptr<identity_services> ids_;
  call_context ctx_;
};

}  // namespace atrium::service::testing
