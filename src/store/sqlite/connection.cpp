#include "store/sqlite/connection.hpp"

namespace atrium::store::sqlite {

statement& statement::bind(int i, std::string_view v) {
  sqlite3_bind_text(s_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
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
  std::string msg = sqlite3_errmsg(db);
  reset();
  if ((ext & 0xff) == SQLITE_CONSTRAINT) return std::unexpected(error{errc::conflict, msg, {}, {}});
  return fail(errc::internal, "sqlite: " + msg);
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

result<std::unique_ptr<connection>> connection::open(const std::filesystem::path& file, bool synchronous_full) {
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(file.c_str(), &db,
                           SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = db ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    return fail(errc::internal, "cannot open " + file.string() + ": " + msg);
  }
  std::unique_ptr<connection> c(new connection(db));
  sqlite3_busy_timeout(db, 10000);
  sqlite3_extended_result_codes(db, 1);
  for (const char* pragma : {"PRAGMA journal_mode=WAL", "PRAGMA foreign_keys=ON"})
    if (auto r = c->exec(pragma); !r) return std::unexpected(r.error());
  if (auto r = c->exec(synchronous_full ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL"); !r)
    return std::unexpected(r.error());
  return c;
}

connection::~connection() {
  cache_.clear();
  for (auto& [sql, s] : raw_) sqlite3_finalize(s);
  sqlite3_close(db_);
}

result<void> connection::exec(const std::string& sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : "unknown error";
    sqlite3_free(err);
    return fail(errc::internal, "sqlite: " + msg);
  }
  return {};
}

result<statement*> connection::prepare(const std::string& sql) {
  if (auto it = cache_.find(sql); it != cache_.end()) return it->second.get();
  sqlite3_stmt* s = nullptr;
  if (sqlite3_prepare_v3(db_, sql.c_str(), -1, SQLITE_PREPARE_PERSISTENT, &s, nullptr) != SQLITE_OK)
    return fail(errc::internal, std::string("sqlite prepare: ") + sqlite3_errmsg(db_));
  raw_[sql] = s;
  auto* st = (cache_[sql] = std::make_unique<statement>(s)).get();
  return st;
}

error connection::last_error(std::string_view what) const {
  int ext = sqlite3_extended_errcode(db_);
  if ((ext & 0xff) == SQLITE_CONSTRAINT) return error{errc::conflict, std::string(what), {}, {}};
  return error{errc::internal, std::string("sqlite: ") + sqlite3_errmsg(db_), {}, {}};
}

}  // namespace atrium::store::sqlite
