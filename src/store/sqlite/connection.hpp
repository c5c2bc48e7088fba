#pragma once
// RAII over one sqlite3 connection with a cache of prepared statements. Values are always
// bound, never formatted into SQL.
#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "base/result.hpp"

namespace atrium::store::sqlite {

class statement {
 public:
  explicit statement(sqlite3_stmt* s) : s_(s) {}
  ~statement() { reset(); }
  statement(const statement&) = delete;
  statement& operator=(const statement&) = delete;

  statement& bind(int i, std::string_view v);
  statement& bind(int i, const std::string& v) { return bind(i, std::string_view(v)); }
  statement& bind(int i, const char* v) { return bind(i, std::string_view(v)); }
  statement& bind(int i, int64_t v);
  statement& bind_null(int i);
  statement& bind(int i, const std::optional<std::string>& v);
  // SQLITE_ROW -> true, SQLITE_DONE -> false, anything else -> error.
  result<bool> step();
  std::string text(int col) const;
  int64_t integer(int col) const;
  bool is_null(int col) const;
  void reset();

 private:
  sqlite3_stmt* s_;
};

class connection {
 public:
  static result<std::unique_ptr<connection>> open(const std::filesystem::path& file, bool synchronous_full);
  ~connection();
  connection(const connection&) = delete;
  connection& operator=(const connection&) = delete;

  result<void> exec(const std::string& sql);
  // A cached prepared statement; valid until the next prepare() of the same SQL returns it again.
  result<statement*> prepare(const std::string& sql);
  int changes() const { return sqlite3_changes(db_); }
  sqlite3* raw() { return db_; }
  // Maps the last failure to an error value (constraint violations -> conflict with `what`).
  error last_error(std::string_view what = {}) const;

 private:
  explicit connection(sqlite3* db) : db_(db) {}
  sqlite3* db_;
  std::unordered_map<std::string, std::unique_ptr<statement>> cache_;
  std::unordered_map<std::string, sqlite3_stmt*> raw_;
};

}  // namespace atrium::store::sqlite
