// The outbox in the store (issue 13 item 2): a message queued in a write transaction is sent only
// if that transaction committed, sealed at rest, deleted once the relay accepted it; a refusal
// is retried after a doubling backoff, at most max_attempts times, then dropped and reported.
#include "service/mail/stored_outbox.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include "base/try.hpp"
#include "store/mail_outbox_repository.hpp"
#include "store/sqlite/sqlite_database.hpp"

namespace atrium::service {

namespace {

struct recording_relay final : mailer {
  int refuse_next = 0;
  bool refuse_for_good = false;  // as smtp_mailer answers a 5yz to RCPT TO or the message
  std::vector<mail_message> sent;
  result<void> send(const mail_message& m) override {
    if (refuse_for_good) return fail(errc::validation, "SMTP relay refused RCPT TO: 550 5.1.1 no such user");
    if (refuse_next > 0) {
      --refuse_next;
      return fail(errc::internal, "SMTP relay refused the message: 451 try later");
    }
    sent.push_back(m);
    return {};
  }
};

class stored_outbox_test : public ::testing::Test {
 protected:
  void SetUp() override {
    crypto::init();
    dir_ = std::filesystem::temp_directory_path() /
           ("atrium-outbox-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    auto db = store::sqlite::sqlite_database::open({dir_ / "t.db", false});
    ASSERT_TRUE(db) << db.error().message;
    db_ = std::move(*db);
    stored_outbox_settings s;
    s.owner = "node-a";
    s.first_backoff = std::chrono::seconds(30);
    s.max_attempts = 3;
    box_ = std::make_unique<stored_outbox>(
        *db_, key_, clk_, relay_,
        [this](const mail_message& m, const std::string& event, const error&, bool gave_up) {
          heard_.push_back(m.to + " " + event + (gave_up ? " gave up" : ""));
        },
        s);
  }
  void TearDown() override {
    box_.reset();
    db_.reset();
    std::filesystem::remove_all(dir_);
  }
  result<void> queue_in_write(const mail_message& m, bool commit) {
    return db_->write([&](store::transaction& tx) -> result<void> {
      TRY(q, box_->queue(tx, "ForgotPassword", m));
      EXPECT_TRUE(q);
      if (!commit) return fail(errc::validation, "rolled back");
      return {};
    });
  }
  int64_t waiting() {
    int64_t n = -1;
    (void)db_->read([&](store::transaction& tx) -> result<void> {
      TRY(c, tx.mail_outbox().count());
      n = c;
      return {};
    });
    return n;
  }

  std::filesystem::path dir_;
  manual_clock clk_{from_epoch_millis(1'763'900'000'000)};
  crypto::secret_box key_{std::string(32, 'k')};
  recording_relay relay_;
  std::vector<std::string> heard_;
  std::unique_ptr<store::database> db_;
  std::unique_ptr<stored_outbox> box_;
};

}  // namespace

TEST_F(stored_outbox_test, only_a_committed_message_is_sent_sealed_at_rest_and_deleted_once_accepted) {
  ASSERT_FALSE(queue_in_write({"gone@example.com", "Reset", "link token=secret-1"}, false));
  ASSERT_TRUE(queue_in_write({"kept@example.com", "Reset", "link token=secret-2"}, true));
  EXPECT_EQ(waiting(), 1);
  std::string at_rest;
  (void)db_->write([&](store::transaction& tx) -> result<void> {
    TRY(rows, tx.mail_outbox().take("node-a", clk_.now(), clk_.now(), 1));  // rolled back: nothing kept
    if (!rows.empty()) at_rest = rows[0].sealed + rows[0].event;
    return fail(errc::validation, "peek only");
  });
  EXPECT_EQ(at_rest.find("secret-2"), std::string::npos);
  EXPECT_EQ(at_rest.find("kept@"), std::string::npos);
  box_->drain();
  ASSERT_EQ(relay_.sent.size(), 1u);
  EXPECT_EQ(relay_.sent[0].to, "kept@example.com");
  EXPECT_EQ(relay_.sent[0].text, "link token=secret-2");
  EXPECT_EQ(waiting(), 0);
}

TEST_F(stored_outbox_test, a_refused_message_is_retried_after_a_doubling_backoff_then_dropped) {
  ASSERT_TRUE(queue_in_write({"a@example.com", "Reset", "body"}, true));
  relay_.refuse_next = 10;
  box_->drain();  // attempt 1 refused: due again in 30 s
  EXPECT_EQ(heard_, std::vector<std::string>{"a@example.com ForgotPassword"});
  box_->drain();
  EXPECT_EQ(heard_.size(), 1u) << "not due yet";
  clk_.advance(std::chrono::seconds(29));
  box_->drain();
  EXPECT_EQ(heard_.size(), 1u);
  clk_.advance(std::chrono::seconds(1));
  box_->drain();  // attempt 2 refused: due again in 60 s
  EXPECT_EQ(heard_.size(), 2u);
  clk_.advance(std::chrono::seconds(59));
  box_->drain();
  EXPECT_EQ(heard_.size(), 2u);
  clk_.advance(std::chrono::seconds(1));
  box_->drain();  // attempt 3 of 3 refused: dropped
  ASSERT_EQ(heard_.size(), 3u);
  EXPECT_EQ(heard_[2], "a@example.com ForgotPassword gave up");
  EXPECT_EQ(waiting(), 0);
  EXPECT_TRUE(relay_.sent.empty());
}

TEST_F(stored_outbox_test, a_message_refused_for_good_is_dropped_at_once_and_reported) {
  ASSERT_TRUE(queue_in_write({"nobody@example.com", "Reset", "body"}, true));
  ASSERT_TRUE(queue_in_write({"b@example.com", "Reset", "body"}, true));
  relay_.refuse_for_good = true;
  box_->drain();  // both tried once (in no promised order), both dropped: a 5yz will not change by waiting
  std::sort(heard_.begin(), heard_.end());
  EXPECT_EQ(heard_, (std::vector<std::string>{"b@example.com ForgotPassword gave up",
                                               "nobody@example.com ForgotPassword gave up"}));
  EXPECT_EQ(waiting(), 0);
  relay_.refuse_for_good = false;
  clk_.advance(std::chrono::hours(2));
  box_->drain();
  EXPECT_TRUE(relay_.sent.empty());
}

TEST_F(stored_outbox_test, a_message_refused_once_is_delivered_at_its_next_attempt) {
  ASSERT_TRUE(queue_in_write({"a@example.com", "Reset", "body"}, true));
  relay_.refuse_next = 1;
  box_->drain();
  clk_.advance(std::chrono::seconds(30));
  box_->drain();
  ASSERT_EQ(relay_.sent.size(), 1u);
  EXPECT_EQ(waiting(), 0);
}

}  // namespace atrium::service
