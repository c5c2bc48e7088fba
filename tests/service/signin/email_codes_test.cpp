// email_codes against the real SQLite store, a manual clock and a fake mailer: six digits,
// single use, expiry, replacement, five wrong guesses, uniform digits.
#include "service/signin/email_codes.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <array>
#include <filesystem>
#include <regex>

#include "crypto/primitives.hpp"
#include "store/sqlite/sqlite_database.hpp"

namespace atrium::service {
namespace {

class recording_mailer final : public mailer {
 public:
  result<void> send(const mail_message& m) override {
    sent.push_back(m);
    return {};
  }
  std::vector<mail_message> sent;
};

std::string mailed_code(const std::string& text) {
  std::smatch m;
  if (!std::regex_search(text, m, std::regex("code is ([0-9]{6})"))) return "";
  return m[1];
}

class email_codes_test : public ::testing::Test {
 protected:
  void SetUp() override {
    crypto::init();
    dir_ = std::filesystem::temp_directory_path() / ("atrium-codes-" + std::to_string(::getpid()) + "-" +
                                                     ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    auto db = store::sqlite::sqlite_database::open({dir_ / "t.db", false});
    ASSERT_TRUE(db) << db.error().message;
    db_ = std::move(*db);
    audit_ = std::make_unique<auditor>(clk_, rnd_, std::nullopt);
    audited_ = std::make_unique<audited_store>(*db_, *audit_);
    codes_ = std::make_unique<email_codes>(*audited_, mail_, clk_, rnd_, std::chrono::minutes(10));
    ctx_.who.arn = "arn:aws:iam::123456789012:root";
    add_user("u-1", "alice", "alice@example.com");
    add_user("u-2", "bob", "");
  }
  void TearDown() override {
    codes_.reset();
    db_.reset();
    std::filesystem::remove_all(dir_);
  }

  void add_user(const std::string& id, const std::string& name, const std::string& email) {
    domain::user u;
    u.id = id;
    u.user_name = name;
    if (!email.empty()) u.emails.push_back({email, "work", true});
    ASSERT_TRUE(db_->write([&](store::transaction& tx) { return tx.users().insert(u); }));
  }

  seeded_random rnd_{11};
  manual_clock clk_{from_epoch_millis(1'763'900'000'000)};
  std::filesystem::path dir_;
  std::unique_ptr<store::database> db_;
  std::unique_ptr<auditor> audit_;
  std::unique_ptr<audited_store> audited_;
  recording_mailer mail_;
  std::unique_ptr<email_codes> codes_;
  call_context ctx_;
};

TEST_F(email_codes_test, email_codes_are_six_digits_single_use_and_expire) {
  ASSERT_TRUE(codes_->send(ctx_, "u-1"));
  auto code = mailed_code(mail_.sent.back().text);
  ASSERT_EQ(code.size(), 6u);
  EXPECT_TRUE(*codes_->verify(ctx_, "u-1", code));
  EXPECT_FALSE(*codes_->verify(ctx_, "u-1", code)) << "single use";
  ASSERT_TRUE(codes_->send(ctx_, "u-1"));
  auto late = mailed_code(mail_.sent.back().text);
  clk_.advance(std::chrono::minutes(10));
  EXPECT_FALSE(*codes_->verify(ctx_, "u-1", late)) << "expired after email_code_ttl";
  EXPECT_FALSE(*codes_->verify(ctx_, "u-2", late)) << "another user's code";
}

TEST_F(email_codes_test, a_new_code_replaces_the_old_and_five_wrong_guesses_spend_it) {
  ASSERT_TRUE(codes_->send(ctx_, "u-1"));
  auto first = mailed_code(mail_.sent.back().text);
  ASSERT_TRUE(codes_->send(ctx_, "u-1"));
  auto second = mailed_code(mail_.sent.back().text);
  if (first != second) {
    EXPECT_FALSE(*codes_->verify(ctx_, "u-1", first));
  }
  std::string wrong = second == "000000" ? "000001" : "000000";
  for (int i = 0; i < 5; ++i) EXPECT_FALSE(*codes_->verify(ctx_, "u-1", wrong));
  EXPECT_FALSE(*codes_->verify(ctx_, "u-1", second)) << "spent after five wrong guesses";
}

TEST_F(email_codes_test, email_code_digits_are_roughly_uniform) {
  std::array<int, 10> seen{};
  for (int i = 0; i < 200; ++i) {
    ASSERT_TRUE(codes_->send(ctx_, "u-1"));
    for (char c : mailed_code(mail_.sent.back().text)) ++seen[static_cast<std::size_t>(c - '0')];
  }
  for (int n : seen) {  // 1200 digits: 120 expected per value
    EXPECT_GT(n, 70);
    EXPECT_LT(n, 170);
  }
}

}  // namespace
}  // namespace atrium::service
