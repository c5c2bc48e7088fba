#pragma once
// Table-by-table copies of the store (issue 13 item 4; docs/deployment.md "Moving to
// PostgreSQL", "Backup and restore"): `atrium admin migrate-store` (a SQLite deployment into an
// empty PostgreSQL database) and the PostgreSQL form of `atrium backup`/`restore`.
//
// The copy is logical: every table of the PostgreSQL schema (the twin of SQLite's, same tables
// and columns), its rows read from a consistent snapshot of the source and inserted in foreign
// key order. Each side is summarised per table by its row count and a checksum (SHA-256 over the
// sorted SHA-256s of its rows' canonical encodings, so that neither side's row order matters);
// a copy is good only when the target's summaries equal the source's.
//
// It lives in app/ because it is the one place that holds both backends at once (store/sqlite
// and store/postgresql may not include each other) and hashes with crypto.
#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "base/result.hpp"
#include "store/postgresql/connection.hpp"

namespace atrium::app::store_copy {

// PostgreSQL's column types in Atrium's schema are BIGINT and TEXT only (the twins of SQLite's
// INTEGER and TEXT); identity columns stand for SQLite's implicit rowid.
struct column {
  std::string name;
  bool integer = false;
  bool identity = false;
};

struct table_shape {
  std::string name;
  std::vector<column> columns;
};

using value = std::variant<std::monostate, int64_t, std::string>;
using row = std::vector<value>;
using row_sink = std::function<result<void>(const row&)>;

struct table_summary {
  int64_t rows = 0;
  std::string checksum;  // lower-case hex SHA-256
  bool operator==(const table_summary&) const = default;
};
using summaries = std::map<std::string, table_summary>;

// Accumulates one table's summary row by row.
class summariser {
 public:
  void add(const row& r);
  table_summary finish();

 private:
  std::vector<std::string> hashes_;
};

// The canonical, self-delimiting encoding of a value (also the backup file's):
// "N" | "I<decimal>;" | "S<length>:<bytes>".
void encode(const value& v, std::string& out);
// Reads one value at `pos` of `in`; errc::validation when the bytes are not one.
result<value> decode(std::string_view in, std::size_t& pos);

struct schema_version {
  int64_t version = 0;
  std::string name;  // "0018_console_access"
};

// ---- SQLite (the source of migrate-store) -----------------------------------------------------

struct sqlite_handle {
  sqlite3* db = nullptr;
  ~sqlite_handle() { sqlite3_close(db); }
};

// Copies the live database `source` into `copy` with SQLite's online backup API: one read
// transaction over the whole file, so the copy is a consistent snapshot even while a node
// writes (docs/deployment.md). Then opens the copy read-only.
result<std::unique_ptr<sqlite_handle>> sqlite_snapshot(const std::filesystem::path& source,
                                                       const std::filesystem::path& copy);
result<schema_version> sqlite_schema(sqlite3* db);
// Tables of the SQLite database besides schema_migrations and SQLite's own.
result<std::vector<std::string>> sqlite_tables(sqlite3* db);
// The rows of `t` (the columns of the PostgreSQL twin, rowid for an identity column).
result<void> read_sqlite(sqlite3* db, const table_shape& t, const row_sink& sink);

// ---- PostgreSQL ----------------------------------------------------------------------------------

namespace pg = store::postgresql;

result<schema_version> pg_schema(pg::connection& c);
// The tables besides schema_migrations, parents before children (foreign keys), row_counts
// last (it is set from the source, not counted by the triggers during the copy).
result<std::vector<table_shape>> pg_tables(pg::connection& c);
result<void> read_pg(pg::connection& c, const table_shape& t, const row_sink& sink);
// Summaries of every table of `tables`, in one REPEATABLE READ snapshot.
result<summaries> summarise_pg(pg::connection& c, const std::vector<table_shape>& tables);
// Empty: no rows anywhere but in what the migrations themselves write (schema_migrations,
// row_counts and the default settings). Returns the first table holding other rows.
result<std::optional<std::string>> pg_first_non_empty(pg::connection& c, const std::vector<table_shape>& tables);

// Loads rows into a PostgreSQL database inside one transaction: begin() empties every table,
// insert() batches rows, commit() sets the identity sequences past the copied values and
// commits. Nothing is visible to the nodes before commit().
class pg_loader {
 public:
  pg_loader(pg::connection& c, std::vector<table_shape> tables) : c_(c), tables_(std::move(tables)) {}
  result<void> begin();
  result<void> insert(const table_shape& t, const row& r);
  result<void> commit();
  void rollback();

 private:
  result<void> flush();

  pg::connection& c_;
  std::vector<table_shape> tables_;
  const table_shape* pending_table_ = nullptr;
  std::vector<row> pending_;
};

// Prints the summaries side by side ("table rows checksum" and "ok" or "MISMATCH") and
// returns whether they are equal.
bool report(std::ostream& out, const summaries& source, const summaries& target);

}  // namespace atrium::app::store_copy
