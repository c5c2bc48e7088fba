// Schema migrations: the embedded SQL is the .sql files, versions are recorded once, a newer or
// foreign schema is refused, and an old database is upgraded in place.
#include "store/sqlite/migrations.hpp"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "sqlite_fixture.hpp"

namespace atrium::store::sqlite::test {

namespace {

using migrations_test = sqlite_test;

#ifdef ATRIUM_SQLITE_MIGRATIONS_DIR
std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}
#endif

}  // namespace

TEST(migrations, embedded_text_is_the_sql_files) {
#ifndef ATRIUM_SQLITE_MIGRATIONS_DIR
  GTEST_SKIP() << "build the tests with -DATRIUM_SQLITE_MIGRATIONS_DIR=<src/store/sqlite/migrations>";
#else
  const std::filesystem::path dir = ATRIUM_SQLITE_MIGRATIONS_DIR;
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(dir))
    if (e.path().extension() == ".sql") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  auto all = migrations();
  ASSERT_EQ(files.size(), all.size()) << "re-run cmake after adding a migration";
  for (std::size_t i = 0; i < files.size(); ++i) {
    EXPECT_EQ(files[i].stem().string(), all[i].name);
    EXPECT_EQ(slurp(files[i]), all[i].sql) << all[i].name << " differs from the embedded copy";
  }
#endif
}

TEST(migrations, are_numbered_from_one_without_gaps) {
  auto all = migrations();
  ASSERT_FALSE(all.empty());
  for (std::size_t i = 0; i < all.size(); ++i) {
    std::string name = all[i].name;
    char expected[32];
    std::snprintf(expected, sizeof expected, "%04zu_", i + 1);
    EXPECT_EQ(name.substr(0, 5), expected) << name;
    EXPECT_GT(name.size(), 5u) << "NNNN_name";
  }
}

TEST_F(migrations_test, every_migration_is_recorded_once) {
  auto all = migrations();
  raw_db raw(file());
  EXPECT_EQ(raw.scalar("SELECT COUNT(*) FROM schema_migrations"), std::to_string(all.size()));
  EXPECT_EQ(raw.scalar("SELECT MAX(version) FROM schema_migrations"), std::to_string(all.size()));
  for (std::size_t i = 0; i < all.size(); ++i)
    EXPECT_EQ(raw.scalar("SELECT name FROM schema_migrations WHERE version = " + std::to_string(i + 1)), all[i].name);
  EXPECT_NE(raw.scalar("SELECT applied_at FROM schema_migrations WHERE version = 1"), "0");
}

TEST_F(migrations_test, reopening_applies_nothing_and_keeps_data) {
  ASSERT_TRUE(insert(make_user("u1", "alice")));
  std::string applied_at;
  {
    raw_db raw(file());
    applied_at = raw.scalar("SELECT group_concat(applied_at) FROM schema_migrations");
  }
  reopen();
  reopen();
  raw_db raw(file());
  EXPECT_EQ(raw.scalar("SELECT COUNT(*) FROM schema_migrations"), std::to_string(migrations().size()));
  EXPECT_EQ(raw.scalar("SELECT group_concat(applied_at) FROM schema_migrations"), applied_at);
  EXPECT_TRUE(get_user("u1"));
}

TEST_F(migrations_test, a_newer_schema_is_refused) {
  db_.reset();
  {
    raw_db raw(file());
    raw.exec("INSERT INTO schema_migrations VALUES (" + std::to_string(migrations().size() + 1) + ", '9999_future', 0)");
  }
  auto db = sqlite_database::open(options());
  ASSERT_FALSE(db);
  EXPECT_EQ(db.error().code, errc::internal);
  EXPECT_NE(db.error().message.find("run a newer atrium"), std::string::npos) << db.error().message;
}

TEST_F(migrations_test, a_schema_from_another_build_is_refused) {
  db_.reset();
  {
    raw_db raw(file());
    raw.exec("UPDATE schema_migrations SET name = 'xxxx_other' WHERE version = (SELECT MAX(version) FROM schema_migrations)");
  }
  auto db = sqlite_database::open(options());
  ASSERT_FALSE(db);
  EXPECT_NE(db.error().message.find("different build"), std::string::npos) << db.error().message;
}

TEST_F(migrations_test, a_version_1_database_is_upgraded_in_place) {
  db_.reset();
  std::filesystem::remove(file());
  {
    // What a binary that knew only 0001 left behind, with one membership in it.
    raw_db raw(file());
    raw.exec("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)");
    raw.exec(migrations()[0].sql);
    raw.exec(std::string("INSERT INTO schema_migrations VALUES (1, '") + migrations()[0].name + "', 1)");
    raw.exec("INSERT INTO groups VALUES ('g1', 'ops', 1, '{\"id\":\"g1\",\"display_name\":\"Ops\"}')");
    raw.exec("INSERT INTO memberships VALUES ('m1', 'g1', 'u1', 'user', "
             "'{\"id\":\"m1\",\"group_id\":\"g1\",\"member_id\":\"u1\",\"kind\":\"user\",\"stamp\":{\"created_at\":1234}}')");
    // Users made before 0022: their search keys are filled from the stored document.
    raw.exec("INSERT INTO users VALUES ('u1', 'ann', 'ann@x.example', NULL, 1, "
             "'{\"id\":\"u1\",\"user_name\":\"ann\",\"display_name\":\"Ann EXAMPLE\"}')");
    raw.exec("INSERT INTO users VALUES ('u2', 'bob', NULL, NULL, 1, '{\"id\":\"u2\",\"user_name\":\"bob\"}')");
  }
  reopen();
  raw_db raw(file());
  EXPECT_EQ(raw.scalar("SELECT MAX(version) FROM schema_migrations"), std::to_string(migrations().size()));
  EXPECT_EQ(raw.scalar("SELECT created_at FROM memberships WHERE id = 'm1'"), "1234");
  EXPECT_EQ(raw.scalar("SELECT name FROM sqlite_master WHERE type = 'index' AND name = 'memberships_group'"),
            "memberships_group");
  auto m = read_value(*db_, [](transaction& tx) { return tx.memberships().find("g1", "u1"); });
  ASSERT_TRUE(m && *m);
  EXPECT_EQ((*m)->stamp.created_at, from_epoch_millis(1234));
  EXPECT_EQ(raw.scalar("SELECT display_name_key || '|' || email_order_key FROM users WHERE id = 'u1'"), "ann example|ann@x.example");
  EXPECT_EQ(raw.scalar("SELECT display_name_key || '|' || email_order_key FROM users WHERE id = 'u2'"), "|");
}

}  // namespace atrium::store::sqlite::test
