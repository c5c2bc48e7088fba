#include "app/store_copy.hpp"

#include <algorithm>
#include <charconv>
#include <fmt/format.h>
#include <ostream>
#include <set>

#include "base/try.hpp"
#include "crypto/primitives.hpp"

namespace atrium::app::store_copy {

namespace {

// Settings the migrations write themselves (0017): a freshly migrated database has them.
const std::set<std::string> migration_settings = {"identity_source", "identity_source.multiple_idps"};

std::string quoted(const std::string& identifier) { return "\"" + identifier + "\""; }

std::string column_list(const table_shape& t, bool sqlite_side) {
  std::string out;
  for (const auto& c : t.columns) {
    if (!out.empty()) out += ", ";
    out += (sqlite_side && c.identity) ? std::string("rowid") : quoted(c.name);
  }
  return out;
}

std::unexpected<error> sqlite_failed(sqlite3* db, const std::string& what) {
  return fail(errc::internal, what + ": " + sqlite3_errmsg(db));
}

}  // namespace

// ---- summaries and the value encoding -----------------------------------------------------------

void encode(const value& v, std::string& out) {
  if (std::holds_alternative<std::monostate>(v)) {
    out += 'N';
  } else if (auto* i = std::get_if<int64_t>(&v)) {
    out += 'I';
    out += std::to_string(*i);
    out += ';';
  } else {
    const auto& s = std::get<std::string>(v);
    out += 'S';
    out += std::to_string(s.size());
    out += ':';
    out += s;
  }
}

result<value> decode(std::string_view in, std::size_t& pos) {
  if (pos >= in.size()) return invalid("a value was expected at byte " + std::to_string(pos));
  char tag = in[pos++];
  if (tag == 'N') return value{};
  auto end = in.find(tag == 'I' ? ';' : ':', pos);
  if ((tag != 'I' && tag != 'S') || end == std::string_view::npos || end == pos || end - pos > 20)
    return invalid("a malformed value at byte " + std::to_string(pos - 1));
  int64_t n = 0;
  auto [p, ec] = std::from_chars(in.data() + pos, in.data() + end, n);
  if (ec != std::errc{} || p != in.data() + end) return invalid("a malformed number at byte " + std::to_string(pos));
  pos = end + 1;
  if (tag == 'I') return value{n};
  if (n < 0 || static_cast<uint64_t>(n) > in.size() - pos)
    return invalid("a text value runs past the end at byte " + std::to_string(pos));
  std::string s(in.substr(pos, static_cast<std::size_t>(n)));
  pos += static_cast<std::size_t>(n);
  return value{std::move(s)};
}

void summariser::add(const row& r) {
  std::string enc;
  for (const auto& v : r) encode(v, enc);
  hashes_.push_back(crypto::sha256(enc));
}

table_summary summariser::finish() {
  std::sort(hashes_.begin(), hashes_.end());
  std::string all;
  all.reserve(hashes_.size() * 32);
  for (const auto& h : hashes_) all += h;
  table_summary s{static_cast<int64_t>(hashes_.size()), crypto::sha256_hex(all)};
  hashes_.clear();
  return s;
}

bool report(std::ostream& out, const summaries& source, const summaries& target) {
  bool same = true;
  out << fmt::format("{:<32} {:>10} {:>10}  {:<16}  {}\n", "table", "source", "target", "checksum", "");
  std::set<std::string> names;
  for (const auto& [n, s] : source) names.insert(n);
  for (const auto& [n, s] : target) names.insert(n);
  for (const auto& n : names) {
    auto a = source.find(n), b = target.find(n);
    bool ok = a != source.end() && b != target.end() && a->second == b->second;
    same = same && ok;
    out << fmt::format("{:<32} {:>10} {:>10}  {:<16}  {}\n", n, a == source.end() ? -1 : a->second.rows,
                       b == target.end() ? -1 : b->second.rows,
                       (a == source.end() ? b->second.checksum : a->second.checksum).substr(0, 16),
                       ok ? "ok" : "MISMATCH");
  }
  return same;
}

// ---- SQLite --------------------------------------------------------------------------------------

result<std::unique_ptr<sqlite_handle>> sqlite_snapshot(const std::filesystem::path& source,
                                                       const std::filesystem::path& copy) {
  if (!std::filesystem::exists(source)) return fail(errc::not_found, "no SQLite database at " + source.string());
  sqlite_handle src, dst;
  if (sqlite3_open_v2(source.c_str(), &src.db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK)
    return sqlite_failed(src.db, "cannot open " + source.string());
  sqlite3_busy_timeout(src.db, 10000);  // the node's writer holds the lock only for one commit
  if (sqlite3_open_v2(copy.c_str(), &dst.db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) != SQLITE_OK)
    return sqlite_failed(dst.db, "cannot create " + copy.string());
  sqlite3_backup* b = sqlite3_backup_init(dst.db, "main", src.db, "main");
  if (!b) return sqlite_failed(dst.db, "cannot start the backup of " + source.string());
  // -1: every page in one step, i.e. inside one read transaction of the source (a consistent
  // snapshot; with WAL the node's writer goes on meanwhile).
  int rc = SQLITE_OK;
  do {
    rc = sqlite3_backup_step(b, -1);
    if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) sqlite3_sleep(50);
  } while (rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
  sqlite3_backup_finish(b);
  if (rc != SQLITE_DONE) return sqlite_failed(dst.db, "the backup of " + source.string() + " failed");
  auto out = std::make_unique<sqlite_handle>();
  if (sqlite3_open_v2(copy.c_str(), &out->db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK)
    return sqlite_failed(out->db, "cannot open " + copy.string());
  return out;
}

result<schema_version> sqlite_schema(sqlite3* db) {
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(db, "SELECT version, name FROM schema_migrations ORDER BY version DESC LIMIT 1", -1, &st,
                         nullptr) != SQLITE_OK)
    return sqlite_failed(db, "no schema_migrations (not an Atrium database?)");
  schema_version v;
  if (sqlite3_step(st) == SQLITE_ROW) {
    v.version = sqlite3_column_int64(st, 0);
    v.name = reinterpret_cast<const char*>(sqlite3_column_text(st, 1));
  }
  sqlite3_finalize(st);
  return v;
}

result<std::vector<std::string>> sqlite_tables(sqlite3* db) {
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(db,
                         "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' "
                         "ESCAPE '\\' AND name <> 'schema_migrations' ORDER BY name",
                         -1, &st, nullptr) != SQLITE_OK)
    return sqlite_failed(db, "cannot list the tables");
  std::vector<std::string> out;
  while (sqlite3_step(st) == SQLITE_ROW) out.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)));
  sqlite3_finalize(st);
  return out;
}

result<void> read_sqlite(sqlite3* db, const table_shape& t, const row_sink& sink) {
  std::string sql = "SELECT " + column_list(t, true) + " FROM " + quoted(t.name);
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) != SQLITE_OK)
    return sqlite_failed(db, "table " + t.name + " differs between the backends");
  std::unique_ptr<sqlite3_stmt, decltype(&sqlite3_finalize)> guard(st, &sqlite3_finalize);
  row r(t.columns.size());
  for (;;) {
    int rc = sqlite3_step(st);
    if (rc == SQLITE_DONE) return {};
    if (rc != SQLITE_ROW) return sqlite_failed(db, "reading " + t.name);
    for (int i = 0; i < static_cast<int>(t.columns.size()); ++i) {
      switch (sqlite3_column_type(st, i)) {
        case SQLITE_NULL: r[i] = value{}; break;
        case SQLITE_INTEGER: r[i] = value{static_cast<int64_t>(sqlite3_column_int64(st, i))}; break;
        case SQLITE_FLOAT: return fail(errc::internal, t.name + "." + t.columns[i].name + " holds a real number");
        default:
          r[i] = value{std::string(reinterpret_cast<const char*>(sqlite3_column_blob(st, i)),
                                   static_cast<std::size_t>(sqlite3_column_bytes(st, i)))};
      }
      bool is_int = std::holds_alternative<int64_t>(r[i]), is_text = std::holds_alternative<std::string>(r[i]);
      if ((t.columns[i].integer && is_text) || (!t.columns[i].integer && is_int))
        return fail(errc::internal, t.name + "." + t.columns[i].name + " holds a value of another type than " +
                                        (t.columns[i].integer ? "BIGINT" : "TEXT") + " in PostgreSQL");
    }
    TRY_VOID(sink(r));
  }
}

// ---- PostgreSQL ----------------------------------------------------------------------------------

result<schema_version> pg_schema(pg::connection& c) {
  TRY(exists, c.prepare("SELECT to_regclass('schema_migrations') IS NOT NULL"));
  TRY(has, exists->step());
  bool present = has && exists->integer(0) == 1;
  exists->reset();
  if (!present) return schema_version{};
  TRY(st, c.prepare("SELECT version, name FROM schema_migrations ORDER BY version DESC LIMIT 1"));
  TRY(row_, st->step());
  schema_version v;
  if (row_) v = {st->integer(0), st->text(1)};
  st->reset();
  return v;
}

namespace {

// Orders `tables` so that every table comes after those its foreign keys reference.
std::vector<table_shape> parents_first(std::vector<table_shape> tables,
                                       const std::multimap<std::string, std::string>& references) {
  std::vector<table_shape> out;
  std::set<std::string> placed;
  while (!tables.empty()) {
    auto before = tables.size();
    for (auto it = tables.begin(); it != tables.end();) {
      bool ready = true;
      auto [lo, hi] = references.equal_range(it->name);
      for (auto r = lo; r != hi; ++r)
        if (r->second != it->name && !placed.contains(r->second)) ready = false;
      if (ready) {
        placed.insert(it->name);
        out.push_back(std::move(*it));
        it = tables.erase(it);
      } else {
        ++it;
      }
    }
    if (tables.size() == before) {  // a cycle: keep the rest in name order (none in Atrium's schema)
      for (auto& t : tables) out.push_back(std::move(t));
      break;
    }
  }
  auto counts = std::find_if(out.begin(), out.end(), [](const table_shape& t) { return t.name == "row_counts"; });
  if (counts != out.end()) std::rotate(counts, counts + 1, out.end());
  return out;
}

}  // namespace

result<std::vector<table_shape>> pg_tables(pg::connection& c) {
  TRY(cols, c.prepare(
                "SELECT c.table_name, c.column_name, c.data_type, c.is_identity FROM information_schema.columns c "
                "JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name "
                "WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE' "
                "AND c.table_name <> 'schema_migrations' ORDER BY c.table_name, c.ordinal_position"));
  std::vector<table_shape> tables;
  for (;;) {
    TRY(more, cols->step());
    if (!more) break;
    auto name = cols->text(0);
    if (tables.empty() || tables.back().name != name) tables.push_back({name, {}});
    auto type = cols->text(2);
    if (type != "bigint" && type != "text" && type != "integer") {
      cols->reset();
      return fail(errc::internal, "column " + name + "." + cols->text(1) + " has type " + type +
                                      ", which the copy does not know");
    }
    tables.back().columns.push_back({cols->text(1), type != "text", cols->text(3) == "YES"});
  }
  cols->reset();
  TRY(fks, c.prepare("SELECT conrelid::regclass::text, confrelid::regclass::text FROM pg_constraint "
                     "WHERE contype = 'f' AND connamespace = current_schema()::regnamespace"));
  std::multimap<std::string, std::string> references;
  for (;;) {
    TRY(more, fks->step());
    if (!more) break;
    references.emplace(fks->text(0), fks->text(1));
  }
  fks->reset();
  return parents_first(std::move(tables), references);
}

result<void> read_pg(pg::connection& c, const table_shape& t, const row_sink& sink) {
  TRY(st, c.prepare("SELECT " + column_list(t, false) + " FROM " + quoted(t.name)));
  row r(t.columns.size());
  for (;;) {
    auto more = st->step();
    if (!more) return std::unexpected(more.error());
    if (!*more) break;
    for (int i = 0; i < static_cast<int>(t.columns.size()); ++i) {
      if (st->is_null(i))
        r[i] = value{};
      else if (t.columns[i].integer)
        r[i] = value{st->integer(i)};
      else
        r[i] = value{st->text(i)};
    }
    if (auto s = sink(r); !s) {
      st->reset();
      return s;
    }
  }
  st->reset();
  return {};
}

result<summaries> summarise_pg(pg::connection& c, const std::vector<table_shape>& tables) {
  TRY_VOID(c.exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"));
  summaries out;
  for (const auto& t : tables) {
    summariser s;
    auto r = read_pg(c, t, [&](const row& r) -> result<void> {
      s.add(r);
      return {};
    });
    if (!r) {
      (void)c.exec("ROLLBACK");
      return std::unexpected(r.error());
    }
    out[t.name] = s.finish();
  }
  TRY_VOID(c.exec("COMMIT"));
  return out;
}

result<std::optional<std::string>> pg_first_non_empty(pg::connection& c, const std::vector<table_shape>& tables) {
  for (const auto& t : tables) {
    if (t.name == "row_counts") continue;  // written by the migrations, recounted by triggers
    std::string sql = "SELECT count(*) FROM " + quoted(t.name);
    if (t.name == "settings") {
      std::string keys;
      for (const auto& k : migration_settings) keys += (keys.empty() ? "'" : ", '") + k + "'";
      sql += " WHERE key NOT IN (" + keys + ")";
    }
    TRY(st, c.prepare(sql));
    TRY(got, st->step());
    int64_t n = got ? st->integer(0) : 0;
    st->reset();
    if (n > 0) return std::optional<std::string>(t.name);
  }
  return std::optional<std::string>();
}

// ---- the loader ----------------------------------------------------------------------------------

result<void> pg_loader::begin() {
  TRY_VOID(c_.exec("BEGIN ISOLATION LEVEL SERIALIZABLE"));
  std::string names;
  for (const auto& t : tables_) names += (names.empty() ? "" : ", ") + quoted(t.name);
  // TRUNCATE fires no row triggers: row_counts is then copied from the source as it is.
  if (!names.empty()) TRY_VOID(c_.exec("TRUNCATE " + names + " RESTART IDENTITY"));
  return {};
}

result<void> pg_loader::insert(const table_shape& t, const row& r) {
  if (pending_table_ != &t) {
    TRY_VOID(flush());
    // row_counts comes last. The rows copied into users and groups ran PostgreSQL's counting
    // trigger, which adds to a (random) stripe row of row_counts (migration 0021); the source's
    // counter rows replace those (the same sum), so that the copy is row for row the source.
    if (t.name == "row_counts") TRY_VOID(c_.exec("DELETE FROM row_counts"));
  }
  pending_table_ = &t;
  pending_.push_back(r);
  if (pending_.size() >= 200) TRY_VOID(flush());
  return {};
}

result<void> pg_loader::flush() {
  if (pending_.empty()) return {};
  const table_shape& t = *pending_table_;
  bool identity = std::any_of(t.columns.begin(), t.columns.end(), [](const column& c) { return c.identity; });
  // Many rows per INSERT: each statement inside a transaction costs three round trips
  // (store/postgresql/connection.hpp, its savepoint).
  std::string sql = "INSERT INTO " + quoted(t.name) + " (" + column_list(t, false) + ")" +
                    (identity ? " OVERRIDING SYSTEM VALUE" : "") + " VALUES ";
  std::size_t n = 0;
  for (std::size_t i = 0; i < pending_.size(); ++i) {
    sql += i ? ", (" : "(";
    for (std::size_t j = 0; j < t.columns.size(); ++j) sql += (j ? ", ?" : "?") + std::to_string(++n);
    sql += ")";
  }
  TRY(st, c_.prepare(sql));
  int p = 0;
  for (const auto& r : pending_)
    for (const auto& v : r) {
      ++p;
      if (auto* i = std::get_if<int64_t>(&v))
        st->bind(p, *i);
      else if (auto* s = std::get_if<std::string>(&v))
        st->bind(p, *s);
      else
        st->bind_null(p);
    }
  auto done = st->step();
  st->reset();
  pending_.clear();
  if (!done) return fail(errc::internal, "inserting into " + t.name + ": " + done.error().message);
  return {};
}

result<void> pg_loader::commit() {
  TRY_VOID(flush());
  for (const auto& t : tables_)
    for (const auto& col : t.columns)
      if (col.identity)
        TRY_VOID(c_.exec(fmt::format("SELECT setval(pg_get_serial_sequence('{0}', '{1}'), "
                                     "COALESCE((SELECT max(\"{1}\") FROM \"{0}\"), 0) + 1, false)",
                                     t.name, col.name)));
  return c_.exec("COMMIT");
}

void pg_loader::rollback() {
  pending_.clear();
  if (c_.in_transaction()) (void)c_.exec("ROLLBACK");
}

}  // namespace atrium::app::store_copy
