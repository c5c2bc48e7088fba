#pragma once
// Shared fixture of the SQLite store tests: a fresh database file per process and test (ctest
// runs tests in parallel processes), and helpers that turn a read or write returning a value
// into one call.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>

#include "store/sqlite/sqlite_database.hpp"

namespace atrium::store::sqlite::test {

inline domain::user make_user(const std::string& id, const std::string& name,
                              std::optional<std::string> email = {}) {
  domain::user u;
  u.id = id;
  u.user_name = name;
  u.display_name = name;
  if (email) u.emails = {domain::email{*email, std::nullopt, true}};
  return u;
}

inline domain::group make_group(const std::string& id, const std::string& name) {
  domain::group g;
  g.id = id;
  g.display_name = name;
  return g;
}

inline domain::membership make_membership(const std::string& id, const std::string& group_id,
                                          const std::string& member_id) {
  return {id, group_id, member_id, domain::member_kind::user, {}};
}

// Runs f (transaction& -> result<T>) in a read and hands back its result.
template <class F>
auto read_value(database& db, F&& f) {
  using R = std::invoke_result_t<F&, transaction&>;
  std::optional<R> out;
  auto r = db.read([&](transaction& tx) -> result<void> {
    out.emplace(f(tx));
    return {};
  });
  if (!r) return R(std::unexpected(r.error()));
  return std::move(*out);
}

// Runs f in a write; an error from f fails the write (so nothing of it is kept).
template <class F>
auto write_value(database& db, F&& f) {
  using R = std::invoke_result_t<F&, transaction&>;
  std::optional<R> out;
  auto r = db.write([&](transaction& tx) -> result<void> {
    out.emplace(f(tx));
    if (!*out) return std::unexpected(out->error());
    return {};
  });
  if (!r) return R(std::unexpected(r.error()));
  return std::move(*out);
}

// The calls the store fixtures (this one and the repository suite's, on either backend) offer
// their tests.
inline result<void> insert_row(database& db, const domain::user& u) {
  return db.write([&](transaction& tx) { return tx.users().insert(u); });
}
inline result<void> insert_row(database& db, const domain::group& g) {
  return db.write([&](transaction& tx) { return tx.groups().insert(g); });
}
inline std::optional<domain::user> stored_user(database& db, const std::string& id) {
  auto r = read_value(db, [&](transaction& tx) { return tx.users().get(id); });
  EXPECT_TRUE(r) << r.error().message;
  return r ? *r : std::nullopt;
}
inline int64_t stored_user_count(database& db) {
  auto r = read_value(db, [](transaction& tx) { return tx.users().count(); });
  EXPECT_TRUE(r) << r.error().message;
  return r ? *r : -1;
}

// A plain sqlite3 handle for looking at (or tampering with) the file behind the store's back.
class raw_db {
 public:
  explicit raw_db(const std::filesystem::path& file) {
    if (sqlite3_open(file.c_str(), &db_) != SQLITE_OK) ADD_FAILURE() << "cannot open " << file;
  }
  ~raw_db() { sqlite3_close(db_); }
  raw_db(const raw_db&) = delete;
  raw_db& operator=(const raw_db&) = delete;

  void exec(const std::string& sql) {
    char* err = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) ADD_FAILURE() << sql << ": " << (err ? err : "");
    sqlite3_free(err);
  }
  // First column of the first row as text ("" when there is no row or it is NULL).
  std::string scalar(const std::string& sql) {
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &s, nullptr) != SQLITE_OK) {
      ADD_FAILURE() << sql << ": " << sqlite3_errmsg(db_);
      return {};
    }
    std::string out;
    if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_text(s, 0))
      out = reinterpret_cast<const char*>(sqlite3_column_text(s, 0));
    sqlite3_finalize(s);
    return out;
  }

 private:
  sqlite3* db_ = nullptr;
};

class sqlite_test : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("atrium-sqlite-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->test_suite_name() + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    reopen();
  }
  void TearDown() override {
    db_.reset();
    std::filesystem::remove_all(dir_);
  }
  std::filesystem::path file() const { return dir_ / "t.db"; }
  sqlite_options options() const { return {file(), true}; }
  void reopen() {
    db_.reset();
    auto db = sqlite_database::open(options());
    ASSERT_TRUE(db) << db.error().message;
    db_ = std::move(*db);
  }
  result<void> insert(const domain::user& u) { return insert_row(*db_, u); }
  result<void> insert(const domain::group& g) { return insert_row(*db_, g); }
  std::optional<domain::user> get_user(const std::string& id) { return stored_user(*db_, id); }
  int64_t user_count() { return stored_user_count(*db_); }

  std::filesystem::path dir_;
  std::unique_ptr<sqlite_database> db_;
};

}  // namespace atrium::store::sqlite::test
