#include "store/sqlite/connection.hpp"

#include <algorithm>

#include "base/conflict.hpp"

namespace atrium::store::sqlite {

namespace {

constexpr int busy_timeout_ms = 10000;  // another process (the admin CLI) may hold the lock

error sqlite_error(sqlite3* db, std::string_view context) {
  return error{errc::internal, std::string(context) + ": " + sqlite3_errmsg(db), {}, {}};
}

bool is_uniqueness(int extended_code) {
  return extended_code == SQLITE_CONSTRAINT_UNIQUE || extended_code == SQLITE_CONSTRAINT_PRIMARYKEY;
}

// First column of the first row of a pragma, e.g. the journal mode actually in effect.
result<std::string> pragma_value(sqlite3* db, const char* sql) {
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(db, sql, -1, &raw, nullptr) != SQLITE_OK) return std::unexpected(sqlite_error(db, "sqlite"));
  statement s(raw);
  auto row = s.step();
  if (!row) return std::unexpected(row.error());
  return *row ? s.text(0) : std::string();
}

}  // namespace

statement& statement::bind(int i, std::string_view v) {
  sqlite3_bind_text64(s_, i, v.data(), v.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  return *this;
}
statement& statement::bind(int i, int64_t v) {
  sqlite3_bind_int64(s_, i, v);
  return *this;
}
statement& statement::bind_null(int i) {
  sqlite3_bind_null(s_, i);
  return *this;
}
statement& statement::bind(int i, const std::optional<std::string>& v) {
  return v ? bind(i, std::string_view(*v)) : bind_null(i);
}

result<bool> statement::step() {
  int rc = sqlite3_step(s_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  sqlite3* db = sqlite3_db_handle(s_);
  int ext = sqlite3_extended_errcode(db);
  error e = sqlite_error(db, "sqlite");
  if (is_uniqueness(ext)) e = uniqueness_violation(sqlite3_errmsg(db));
  reset();
  return std::unexpected(std::move(e));
}

std::string statement::text(int col) const {
  auto* p = reinterpret_cast<const char*>(sqlite3_column_text(s_, col));
  return p ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(s_, col))) : std::string();
}

int64_t statement::integer(int col) const { return sqlite3_column_int64(s_, col); }
bool statement::is_null(int col) const { return sqlite3_column_type(s_, col) == SQLITE_NULL; }

void statement::reset() {
  sqlite3_reset(s_);
  sqlite3_clear_bindings(s_);
}

result<std::unique_ptr<connection>> connection::open(const std::filesystem::path& file,
                                                     bool synchronous_full, role r, const tuning& t) {
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(file.c_str(), &db,
                           SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = db ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    return fail(errc::internal, "cannot open " + file.string() + ": " + msg);
  }
  std::unique_ptr<connection> c(new connection(db));
  if (auto ok = c->configure(synchronous_full, r, t); !ok) return std::unexpected(ok.error());
  return c;
}

result<void> connection::configure(bool synchronous_full, role r, const tuning& t) {
  sqlite3_extended_result_codes(db_, 1);
  sqlite3_busy_timeout(db_, busy_timeout_ms);
  // WAL is what lets readers keep a snapshot while the writer commits; refuse to run without
  // it (some network file systems cannot share the WAL index) rather than degrade silently.
  auto mode = pragma_value(db_, "PRAGMA journal_mode=WAL");
  if (!mode) return std::unexpected(mode.error());
  if (*mode != "wal") return fail(errc::internal, "sqlite: cannot use WAL journal mode (got " + *mode + ")");
  if (auto ok = exec(synchronous_full ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL"); !ok) return ok;
  if (auto ok = exec("PRAGMA foreign_keys=ON"); !ok) return ok;
  int cache_kib = 1024 * (r == role::writer ? t.writer_cache_mib : t.reader_cache_mib);
  if (auto ok = exec("PRAGMA cache_size=-" + std::to_string(std::max(cache_kib, 1024))); !ok) return ok;
  if (auto ok = exec("PRAGMA mmap_size=" + std::to_string(int64_t{t.mmap_mib} * 1024 * 1024)); !ok) return ok;
  if (auto ok = exec("PRAGMA temp_store=MEMORY"); !ok) return ok;
  if (r == role::reader) return exec("PRAGMA query_only=ON");
  return exec("PRAGMA wal_autocheckpoint=" + std::to_string(std::max(t.wal_autocheckpoint_pages, 100)));
}

connection::~connection() {
  cache_.clear();  // statements are finalized before the connection closes
  sqlite3_close(db_);
}

result<void> connection::exec(const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : sqlite3_errmsg(db_);
    sqlite3_free(err);
    return fail(errc::internal, "sqlite: " + msg);
  }
  return {};
}

result<void> connection::control(const std::string& sql) {
  auto s = prepare(sql);
  if (!s) return std::unexpected(s.error());
  auto r = (*s)->step();
  (*s)->reset();
  if (!r) {
    const auto& m = r.error().message;  // step's own are "sqlite: ..." already
    return fail(errc::internal, m.starts_with("sqlite: ") ? m : "sqlite: " + m);
  }
  return {};
}

result<statement*> connection::prepare(const std::string& sql) {
  if (auto it = cache_.find(sql); it != cache_.end()) return it->second.get();
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v3(db_, sql.c_str(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &raw,
                         nullptr) != SQLITE_OK)
    return std::unexpected(sqlite_error(db_, "sqlite prepare"));
  return cache_.emplace(sql, std::make_unique<statement>(raw)).first->second.get();
}

}  // namespace atrium::store::sqlite
