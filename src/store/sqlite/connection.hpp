#pragma once
// RAII over one sqlite3 connection with a cache of prepared statements. Values are always
// bound, never formatted into SQL, and error messages carry SQLite's text only (it names
// columns, never bound values, which may be secrets).
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

// One prepared statement. Owned by the connection's cache; callers borrow it and must leave
// it reset (every helper here does) so that it holds no read snapshot open.
class statement {
 public:
  explicit statement(sqlite3_stmt* s) : s_(s) {}
  ~statement() { sqlite3_finalize(s_); }
  statement(const statement&) = delete;
  statement& operator=(const statement&) = delete;

  statement& bind(int i, std::string_view v);
  statement& bind(int i, const std::string& v) { return bind(i, std::string_view(v)); }
  statement& bind(int i, const char* v) { return bind(i, std::string_view(v)); }
  statement& bind(int i, int64_t v);
  statement& bind_null(int i);
  statement& bind(int i, const std::optional<std::string>& v);
  // SQLITE_ROW -> true, SQLITE_DONE -> false. A UNIQUE or PRIMARY KEY violation is
  // errc::conflict carrying SQLite's message (callers name the attribute); anything else is
  // errc::internal. The statement is reset on error.
  result<bool> step();
  std::string text(int col) const;
  int64_t integer(int col) const;
  bool is_null(int col) const;
  void reset();

 private:
  sqlite3_stmt* s_;
};

// Readers get PRAGMA query_only so that a write slipped into read() fails instead of taking
// the write lock behind the writer thread's back.
enum class role { writer, reader };

// Memory SQLite may use. The defaults (2 MiB page cache, no mmap, temp files on disk,
// checkpoint every 1000 pages) made a 50,000-user SCIM sync mostly pread/pwrite system calls
// and rewrote hot index pages at every checkpoint (docs/PERFORMANCE.md, SCIM).
struct tuning {
  int writer_cache_mib = 64;
  int reader_cache_mib = 16;           // per reader connection
  int mmap_mib = 0;                    // 0: off (remapping as the file grows cost a SCIM sync 50%)
  int wal_autocheckpoint_pages = 8192; // ~32 MiB of WAL between checkpoints
};

class connection {
 public:
  static result<std::unique_ptr<connection>> open(const std::filesystem::path& file,
                                                  bool synchronous_full, role r, const tuning& t = {});
  ~connection();
  connection(const connection&) = delete;
  connection& operator=(const connection&) = delete;

  // Runs SQL text without parameters (pragmas, transaction control, migrations).
  result<void> exec(const char* sql);
  result<void> exec(const std::string& sql) { return exec(sql.c_str()); }
  // Transaction control (BEGIN, COMMIT, SAVEPOINT, ...) through cached statements: exec would
  // parse the text again each time, two to four times per request (issue 18's profile of
  // DescribeUser). Errors are errc::internal, as exec's.
  result<void> control(const std::string& sql);
  // A cached prepared statement, reset and with no bindings.
  result<statement*> prepare(const std::string& sql);
  // Rows changed by the last INSERT, UPDATE or DELETE.
  int64_t changes() const { return sqlite3_changes64(db_); }
  // False outside BEGIN ... COMMIT, including after SQLite rolled a transaction back itself
  // (it does on some I/O and memory errors).
  bool in_transaction() const { return sqlite3_get_autocommit(db_) == 0; }

 private:
  explicit connection(sqlite3* db) : db_(db) {}
  result<void> configure(bool synchronous_full, role r, const tuning& t);

  sqlite3* db_;
  std::unordered_map<std::string, std::unique_ptr<statement>> cache_;
};

}  // namespace atrium::store::sqlite
