#pragma once
// RAII over one libpq connection with a cache of prepared statements, offering the interface of
// store/sqlite/connection.hpp (bind by position, step through rows, text/integer columns) so
// that the PostgreSQL repositories read like the SQLite ones: their SQL differs only where the
// dialects do (store/postgresql/README in ARCHITECTURE.md "Store"). SQL is written with
// SQLite's `?` and `?N` parameters; prepare() numbers them as PostgreSQL's `$N`.
//
// Values are always bound, never formatted into SQL. Error messages carry PostgreSQL's primary
// message only: its DETAIL names the values of a violated key, which may be secrets. A
// uniqueness violation is reported as errc::conflict in SQLite's words ("UNIQUE constraint
// failed: table.column, ..."), marked as one (base/conflict.hpp), so the repositories map it to
// the same answers on both backends.
#include <libpq-fe.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/result.hpp"

namespace atrium::store::postgresql {

class connection;

// One prepared statement of one connection. Prepared on the server at its first execution
// (the parameter types are known then: integers as bigint, unbound ones as text, the rest
// inferred from the SQL). Callers leave it reset, as with SQLite.
//
// A failed statement does not end the transaction, as in SQLite: services catch a uniqueness
// conflict and go on in the same transaction (a member added twice, a user code drawn again),
// where PostgreSQL would refuse every later statement. So each INSERT and UPDATE inside a
// transaction runs in a savepoint, rolled back to when it fails (two extra round trips; a
// pipelined form is a later optimisation). SELECT and DELETE cannot violate a unique key and
// run bare.
class statement {
 public:
  statement(connection& c, std::string sql, std::string name, int params);
  ~statement();
  statement(const statement&) = delete;
  statement& operator=(const statement&) = delete;

  statement& bind(int i, std::string_view v);
  statement& bind(int i, const std::string& v) { return bind(i, std::string_view(v)); }
  statement& bind(int i, const char* v) { return bind(i, std::string_view(v)); }
  statement& bind(int i, int64_t v);
  statement& bind_null(int i);
  statement& bind(int i, const std::optional<std::string>& v);
  // Runs the statement at the first call; then true per row, false after the last one.
  result<bool> step();
  std::string text(int col) const;
  int64_t integer(int col) const;  // bigint columns; booleans read as 1 and 0
  bool is_null(int col) const;
  void reset();

 private:
  enum class kind : unsigned char { unbound, text, integer, null };
  result<void> ensure_prepared();

  connection& c_;
  std::string sql_, name_;
  std::vector<std::string> values_;
  std::vector<kind> kinds_;
  bool prepared_ = false;
  bool guarded_ = false;  // INSERT or UPDATE: runs in a savepoint inside a transaction
  PGresult* res_ = nullptr;
  int row_ = -1;
};

struct connect_settings {
  std::string conninfo;                 // libpq keyword/value string or postgresql:// URI
  std::optional<std::string> password;  // from store.postgresql.password_file; else libpq's PGPASSWORD
  int connect_timeout_s = 5;
  int statement_timeout_ms = 30000;
  std::string application_name = "atrium";
};

// conninfo with every password value replaced by "***" (keyword form `password=...` and the
// URI form `postgresql://user:secret@host`), for error messages and logs.
std::string redact_conninfo(std::string_view conninfo);

// SQLite's `?` and `?N` parameters as PostgreSQL's `$N` (outside quoted text); `params` is
// set to the highest number used.
std::string numbered_parameters(std::string_view sql, int& params);

class connection {
 public:
  // Connects and sets the session up: statement_timeout, synchronous_commit=on (a COMMIT that
  // returned is on the server's disk, as write() promises), UTC, UTF-8.
  static result<std::unique_ptr<connection>> open(const connect_settings& s);
  ~connection();
  connection(const connection&) = delete;
  connection& operator=(const connection&) = delete;

  // SQL text without parameters (transaction control, migrations; may hold several statements).
  result<void> exec(const char* sql);
  result<void> exec(const std::string& sql) { return exec(sql.c_str()); }
  // A cached prepared statement, reset and with no bindings.
  result<statement*> prepare(const std::string& sql);
  // Rows changed by the last INSERT, UPDATE or DELETE.
  int64_t changes() const { return changes_; }
  bool in_transaction() const;
  // The server went away (or the socket broke): the pool drops this connection.
  bool broken() const;
  // Since the last clear_failures(): a statement failed with a serialization failure (40001)
  // or a deadlock (40P01), i.e. the whole transaction may simply be run again.
  bool saw_retryable() const { return retryable_; }
  void clear_failures() { retryable_ = false; }

 private:
  friend class statement;
  explicit connection(PGconn* c) : conn_(c) {}
  // Turns a failed result into an error (and notes whether it may be retried); clears res.
  error failure(PGresult* res, std::string_view context);

  PGconn* conn_;
  std::unordered_map<std::string, std::unique_ptr<statement>> cache_;
  int64_t changes_ = 0;
  bool retryable_ = false;
};

}  // namespace atrium::store::postgresql
