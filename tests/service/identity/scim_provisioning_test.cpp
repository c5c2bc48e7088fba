// Automatic provisioning and its tokens, against the real SQLite store with an injected clock.
#include "service/identity/scim_provisioning.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "crypto/primitives.hpp"
#include "service/identity/membership_graph.hpp"
#include "store/sqlite/sqlite_database.hpp"

namespace atrium::service {

class provisioning_test : public ::testing::Test {
 protected:
  void SetUp() override {
    crypto::init();
    dir_ = std::filesystem::temp_directory_path() /
           ("atrium-prov-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    auto db = store::sqlite::sqlite_database::open({dir_ / "t.db", false});
    ASSERT_TRUE(db) << db.error().message;
    db_ = std::move(*db);
    audit_ = std::make_unique<auditor>(clk_, rnd_, std::nullopt);
    audited_ = std::make_unique<audited_store>(*db_, *audit_);
    prov_ = std::make_unique<scim_provisioning>(*audited_, clk_, rnd_);
    ctx_.who.arn = "arn:aws:iam::123456789012:root";
  }
  void TearDown() override {
    prov_.reset();
    db_.reset();
    std::filesystem::remove_all(dir_);
  }

  seeded_random rnd_{5};
  manual_clock clk_{from_epoch_millis(1'763'900'000'000)};
  std::filesystem::path dir_;
  std::unique_ptr<store::database> db_;
  std::unique_ptr<auditor> audit_;
  std::unique_ptr<audited_store> audited_;
  std::unique_ptr<scim_provisioning> prov_;
  call_context ctx_;
};

TEST_F(provisioning_test, tokens_need_provisioning_enabled_and_at_most_two_exist) {
  auto early = prov_->create_token(ctx_);
  ASSERT_FALSE(early);
  EXPECT_EQ(early.error().code, errc::conflict);
  auto first = prov_->enable(ctx_);
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(first->info.expires_at - first->info.created_at, std::chrono::days(365));
  EXPECT_EQ(prov_->enable(ctx_).error().code, errc::conflict) << "enabling twice is refused";
  auto second = prov_->create_token(ctx_);
  ASSERT_TRUE(second);
  auto third = prov_->create_token(ctx_);
  ASSERT_FALSE(third);
  EXPECT_EQ(third.error().code, errc::quota_exceeded);
  EXPECT_NE(third.error().message.find("delete one first"), std::string::npos);
}

TEST_F(provisioning_test, disable_needs_the_tokens_deleted_first) {
  auto t = prov_->enable(ctx_);
  ASSERT_TRUE(t);
  auto refused = prov_->disable(ctx_);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, errc::conflict);
  ASSERT_TRUE(prov_->delete_token(ctx_, t->info.id));
  EXPECT_EQ(prov_->delete_token(ctx_, t->info.id).error().code, errc::not_found);
  ASSERT_TRUE(prov_->disable(ctx_));
  auto s = prov_->describe(ctx_);
  ASSERT_TRUE(s);
  EXPECT_FALSE(s->enabled);
}

TEST_F(provisioning_test, authenticate_checks_secret_expiry_and_records_last_use) {
  auto t = prov_->enable(ctx_);
  ASSERT_TRUE(t);
  auto ok = prov_->authenticate(t->token);
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->id, t->info.id);
  std::string wrong = t->token;
  wrong.back() = wrong.back() == 'A' ? 'B' : 'A';
  EXPECT_EQ(prov_->authenticate(wrong).error().code, errc::unauthenticated);
  EXPECT_EQ(prov_->authenticate("").error().code, errc::unauthenticated);
  EXPECT_EQ(prov_->authenticate(std::string(300, 'a')).error().code, errc::unauthenticated);
  // Last use is written detached; a write queued after it commits after it.
  ASSERT_TRUE(db_->write([](store::transaction&) -> result<void> { return {}; }));
  auto s = prov_->describe(ctx_);
  ASSERT_TRUE(s);
  ASSERT_EQ(s->tokens.size(), 1u);
  EXPECT_TRUE(s->tokens[0].last_used_at.has_value());
  EXPECT_FALSE(prov_->expires_soon(s->tokens[0]));
  clk_.advance(std::chrono::days(276));
  EXPECT_TRUE(prov_->expires_soon(s->tokens[0])) << "89 days left is within the 90-day warning";
  clk_.advance(std::chrono::days(89));
  EXPECT_EQ(prov_->authenticate(t->token).error().code, errc::unauthenticated) << "expired after 365 days";
}

TEST_F(provisioning_test, membership_graph_tolerates_cycles) {
  // g1 contains g2 contains g3 contains g1 (a cycle), and u is in g3.
  ASSERT_TRUE(db_->write([](store::transaction& tx) -> result<void> {
    for (auto id : {"g1", "g2", "g3"}) {
      domain::group g;
      g.id = id;
      g.display_name = id;
      if (auto r = tx.groups().insert(g); !r) return r;
    }
    domain::user u;
    u.id = "u";
    u.user_name = "u";
    if (auto r = tx.users().insert(u); !r) return r;
    int n = 0;
    for (auto [g, m, k] : {std::tuple{"g1", "g2", domain::member_kind::group}, {"g2", "g3", domain::member_kind::group},
                           {"g3", "g1", domain::member_kind::group}, {"g3", "u", domain::member_kind::user}})
      if (auto r = tx.memberships().insert({"m" + std::to_string(n++), g, m, k, {}}); !r) return r;
    return {};
  }));
  ASSERT_TRUE(db_->read([](store::transaction& tx) -> result<void> {
    auto groups = effective_groups(tx, "u");
    EXPECT_TRUE(groups);
    EXPECT_EQ(groups->size(), 3u);
    EXPECT_EQ(groups->front().group_id, "g3");
    EXPECT_TRUE(groups->front().direct);
    auto users = effective_members(tx, "g1");
    EXPECT_TRUE(users);
    EXPECT_EQ(*users, std::vector<std::string>{"u"});
    auto nested = nested_groups(tx, "g2");
    EXPECT_TRUE(nested);
    EXPECT_EQ(nested->size(), 3u);
    auto bounded = nested_groups(tx, "g1", 1);
    EXPECT_FALSE(bounded) << "work is bounded";
    return {};
  }));
}

}  // namespace atrium::service
