#include "store/sqlite/sqlite_database.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <atomic>
#include <set>
#include <thread>

#include <unistd.h>

#include "base/random.hpp"
#include "store/sqlite/migrations.hpp"

namespace atrium::store::sqlite {

namespace {

domain::user make_user(const std::string& id, const std::string& name, std::optional<std::string> email = {}) {
  domain::user u;
  u.id = id;
  u.user_name = name;
  u.display_name = name;
  if (email) u.emails = {domain::email{*email, std::nullopt, true}};
  return u;
}

class sqlite_test : public ::testing::Test {
 protected:
  void SetUp() override {
    // Unique per process and test: ctest runs tests in parallel processes.
    dir_ = std::filesystem::temp_directory_path() /
           ("atrium-sqlite-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    reopen();
  }
  void TearDown() override {
    db_.reset();
    std::filesystem::remove_all(dir_);
  }
  void reopen() {
    db_.reset();
    auto db = sqlite_database::open({dir_ / "t.db", true});
    ASSERT_TRUE(db) << db.error().message;
    db_ = std::move(*db);
  }
  result<void> insert(const domain::user& u) {
    return db_->write([&](transaction& tx) { return tx.users().insert(u); });
  }
  std::optional<domain::user> get(const std::string& id) {
    std::optional<domain::user> out;
    EXPECT_TRUE(db_->read([&](transaction& tx) -> result<void> {
      auto r = tx.users().get(id);
      if (!r) return std::unexpected(r.error());
      out = *r;
      return {};
    }));
    return out;
  }
  std::filesystem::path dir_;
  std::unique_ptr<sqlite_database> db_;
};

}  // namespace

TEST_F(sqlite_test, round_trip_keeps_every_attribute) {
  auto u = make_user("u1", "Alice", "alice@example.com");
  u.external_ids = {{"okta", "00u1"}};
  u.enterprise_ext = domain::enterprise{};
  u.enterprise_ext->department = "R&D";
  u.addresses = {domain::address{"1 Main", "Town", "R", "123", "US", "1 Main, Town", "work", true}};
  u.stamp.created_via = domain::door::scim;
  ASSERT_TRUE(insert(u));
  auto back = get("u1");
  ASSERT_TRUE(back);
  EXPECT_EQ(back->user_name, "Alice");
  EXPECT_EQ(back->emails, u.emails);
  EXPECT_EQ(back->addresses, u.addresses);
  EXPECT_EQ(back->external_ids, u.external_ids);
  EXPECT_EQ(back->enterprise_ext, u.enterprise_ext);
  EXPECT_EQ(back->stamp.created_via, domain::door::scim);
}

TEST_F(sqlite_test, uniqueness_conflicts_name_the_attribute) {
  ASSERT_TRUE(insert(make_user("u1", "alice", "a@x.io")));
  auto dup_name = insert(make_user("u2", "ALICE"));
  ASSERT_FALSE(dup_name);
  EXPECT_EQ(dup_name.error().code, errc::conflict);
  EXPECT_EQ(dup_name.error().message, "Duplicate UserName");
  auto dup_mail = insert(make_user("u3", "bob", "A@X.IO"));
  ASSERT_FALSE(dup_mail);
  EXPECT_EQ(dup_mail.error().message, "Duplicate primary email");
  auto a = make_user("u4", "carol");
  a.external_ids = {{"okta", "same"}};
  auto b = make_user("u5", "dave");
  b.external_ids = {{"okta", "same"}};
  ASSERT_TRUE(insert(a));
  auto dup_ext = insert(b);
  ASSERT_FALSE(dup_ext);
  EXPECT_EQ(dup_ext.error().message, "Duplicate ExternalId");
  EXPECT_FALSE(get("u5")) << "a failed write leaves nothing behind";
}

TEST_F(sqlite_test, optimistic_versions) {
  auto u = make_user("u1", "alice");
  ASSERT_TRUE(insert(u));
  u.version = 2;
  ASSERT_TRUE(db_->write([&](transaction& tx) { return tx.users().update(u, 1); }));
  u.version = 3;
  auto stale = db_->write([&](transaction& tx) { return tx.users().update(u, 1); });
  ASSERT_FALSE(stale);
  EXPECT_EQ(stale.error().code, errc::concurrent_modification);
  auto gone = make_user("nope", "x");
  auto missing = db_->write([&](transaction& tx) { return tx.users().update(gone, 1); });
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, errc::not_found);
}

TEST_F(sqlite_test, keyset_pages_are_stable_under_inserts_and_deletes) {
  for (int i = 0; i < 260; ++i) {
    char id[16];
    std::snprintf(id, sizeof id, "id%04d", i * 2);
    ASSERT_TRUE(insert(make_user(id, std::string("user") + id)));
  }
  std::vector<std::string> seen;
  std::string after;
  for (int pageno = 0;; ++pageno) {
    page<domain::user> p;
    ASSERT_TRUE(db_->read([&](transaction& tx) -> result<void> {
      auto r = tx.users().list({}, {after, 50});
      if (!r) return std::unexpected(r.error());
      p = *r;
      return {};
    }));
    for (auto& u : p.items) seen.push_back(u.id);
    if (pageno == 1) {  // between pages: delete ahead, insert behind and ahead
      ASSERT_TRUE(db_->write([](transaction& tx) -> result<void> {
        if (auto r = tx.users().remove("id0400"); !r) return std::unexpected(r.error());
        return {};
      }));
      ASSERT_TRUE(insert(make_user("id0001", "behind")));
      ASSERT_TRUE(insert(make_user("id0401", "ahead")));
    }
    if (!p.more) break;
    after = p.items.back().id;
  }
  std::set<std::string> unique(seen.begin(), seen.end());
  EXPECT_EQ(unique.size(), seen.size());
  EXPECT_FALSE(unique.contains("id0400"));
  EXPECT_TRUE(unique.contains("id0401"));
  EXPECT_EQ(seen.size(), 260u) << "259 originals left + the one inserted ahead";
}

TEST_F(sqlite_test, group_commit_keeps_every_write_and_isolates_failures) {
  std::vector<std::thread> threads;
  std::atomic<int> failed{0};
  for (int t = 0; t < 16; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < 100; ++i) {
        std::string id = "t" + std::to_string(t) + "-" + std::to_string(i);
        // Every 10th write tries a name that already exists: it must fail alone.
        std::string name = i % 10 == 9 ? "t" + std::to_string(t) + "-0" : id;
        if (!insert(make_user(id, name))) ++failed;
      }
    });
  for (auto& th : threads) th.join();
  EXPECT_EQ(failed.load(), 160);
  reopen();
  int64_t n = 0;
  ASSERT_TRUE(db_->read([&](transaction& tx) -> result<void> {
    auto c = tx.users().count();
    if (!c) return std::unexpected(c.error());
    n = *c;
    return {};
  }));
  EXPECT_EQ(n, 16 * 90);
}

TEST_F(sqlite_test, detached_writes_are_durable_after_close) {
  store::audit_record r{"e1", from_epoch_millis(5), "ListUsers", "identitystore.amazonaws.com", "p", true, "", "{}"};
  db_->write_detached([r](transaction& tx) { return tx.audit().append(r); });
  reopen();
  std::vector<audit_record> recs;
  ASSERT_TRUE(db_->read([&](transaction& tx) -> result<void> {
    auto q = tx.audit().query({std::string("ListUsers"), std::nullopt, std::nullopt, std::nullopt, 10});
    if (!q) return std::unexpected(q.error());
    recs = *q;
    return {};
  }));
  ASSERT_EQ(recs.size(), 1u);
  EXPECT_TRUE(recs[0].read_only);
}

TEST_F(sqlite_test, memberships_cascade_and_remove_all) {
  domain::group g;
  g.id = "g1";
  g.display_name = "Ops";
  ASSERT_TRUE(db_->write([&](transaction& tx) -> result<void> {
    if (auto r = tx.groups().insert(g); !r) return r;
    if (auto r = tx.users().insert(make_user("u1", "a")); !r) return r;
    return tx.memberships().insert({"m1", "g1", "u1", domain::member_kind::user, {}});
  }));
  auto dup = db_->write([&](transaction& tx) { return tx.memberships().insert({"m2", "g1", "u1", domain::member_kind::user, {}}); });
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().message, "Membership already exists");
  ASSERT_TRUE(db_->write([&](transaction& tx) -> result<void> {
    auto n = tx.memberships().remove_all_for("u1");
    if (!n) return std::unexpected(n.error());
    EXPECT_EQ(*n, 1);
    return {};
  }));
}

TEST_F(sqlite_test, migrations_are_recorded_and_a_newer_schema_is_refused) {
  reopen();  // re-applying is a no-op
  db_.reset();
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open((dir_ / "t.db").c_str(), &raw), SQLITE_OK);
  char* err = nullptr;
  std::string sql = "INSERT INTO schema_migrations VALUES (" + std::to_string(migrations().size() + 1) + ", 'future', 0)";
  ASSERT_EQ(sqlite3_exec(raw, sql.c_str(), nullptr, nullptr, &err), SQLITE_OK) << (err ? err : "");
  sqlite3_close(raw);
  auto db = sqlite_database::open({dir_ / "t.db", true});
  ASSERT_FALSE(db);
  EXPECT_NE(db.error().message.find("newer atrium"), std::string::npos);
}

}  // namespace atrium::store::sqlite
