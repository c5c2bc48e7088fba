#pragma once
// The repository suite runs every case on both backends (issue 13 item 1): SQLite in a fresh
// file per test, PostgreSQL in a fresh database of the shared throwaway cluster
// (tests/store/pg_cluster.hpp). Without PostgreSQL's binaries the PostgreSQL cases skip and say
// how to get them. raw_scalar/raw_exec reach the tables behind the store's back on either.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "../pg_cluster.hpp"
#include "../sqlite/sqlite_fixture.hpp"
#include "store/postgresql/pg_database.hpp"

namespace atrium::store::test {

using sqlite::test::make_group;
using sqlite::test::make_membership;
using sqlite::test::make_user;
using sqlite::test::raw_db;
using sqlite::test::insert_row;
using sqlite::test::read_value;
using sqlite::test::stored_user;
using sqlite::test::stored_user_count;
using sqlite::test::write_value;

enum class backend { sqlite, postgresql };

inline std::string backend_name(const ::testing::TestParamInfo<backend>& i) {
  return i.param == backend::sqlite ? "sqlite" : "postgresql";
}

class store_test : public ::testing::TestWithParam<backend> {
 protected:
  void SetUp() override {
    if (GetParam() == backend::postgresql) {
      std::string why;
      if (!atrium::test::pg_cluster::instance().available(why)) GTEST_SKIP() << why;
      pg_db_ = atrium::test::pg_cluster::instance().create_database();
      ASSERT_FALSE(pg_db_.empty()) << "cannot create a test database";
    } else {
      const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
      std::string name = std::string(info->test_suite_name()) + "-" + info->name();
      for (auto& ch : name) if (ch == '/') ch = '_';
      dir_ = std::filesystem::temp_directory_path() / ("atrium-sqlite-" + std::to_string(::getpid()) + "-" + name);
      std::filesystem::remove_all(dir_);
      std::filesystem::create_directories(dir_);
    }
    reopen();
  }
  void TearDown() override {
    db_.reset();
    if (!pg_db_.empty()) atrium::test::pg_cluster::instance().drop_database(pg_db_);
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }
  void reopen() {
    db_.reset();
    if (GetParam() == backend::postgresql) {
      postgresql::pg_options o;
      o.connection.conninfo = atrium::test::pg_cluster::instance().conninfo(pg_db_);
      o.pool_size = 4;
      auto db = postgresql::pg_database::open(o);
      ASSERT_TRUE(db) << db.error().message;
      db_ = std::move(*db);
    } else {
      auto db = sqlite::sqlite_database::open({dir_ / "t.db", true});
      ASSERT_TRUE(db) << db.error().message;
      db_ = std::move(*db);
    }
  }
  // First column of the first row, as text ("" without a row), read past the store.
  std::string raw_scalar(const std::string& sql) {
    if (GetParam() == backend::postgresql) return atrium::test::pg_cluster::instance().query(pg_db_, sql);
    return raw_db(dir_ / "t.db").scalar(sql);
  }
  void raw_exec(const std::string& sql) {
    if (GetParam() == backend::postgresql) (void)atrium::test::pg_cluster::instance().query(pg_db_, sql);
    else raw_db(dir_ / "t.db").exec(sql);
  }

  result<void> insert(const domain::user& u) { return insert_row(*db_, u); }
  result<void> insert(const domain::group& g) { return insert_row(*db_, g); }
  std::optional<domain::user> get_user(const std::string& id) { return stored_user(*db_, id); }
  int64_t user_count() { return stored_user_count(*db_); }

  std::filesystem::path dir_;
  std::string pg_db_;
  std::unique_ptr<database> db_;
};

}  // namespace atrium::store::test

// Every TEST_P of `suite` on SQLite and on PostgreSQL (suite/sqlite, suite/postgresql).
#define ATRIUM_ON_BOTH_BACKENDS(suite)                                                                        \
  INSTANTIATE_TEST_SUITE_P(backends, suite,                                                                   \
                           ::testing::Values(::atrium::store::test::backend::sqlite,                          \
                                             ::atrium::store::test::backend::postgresql),                     \
                           ::atrium::store::test::backend_name)
