#include "app/store_ops_cli.hpp"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <iostream>

#include "app/backup_file.hpp"
#include "app/core.hpp"
#include "app/store_copy.hpp"
#include "base/try.hpp"
#include "store/postgresql/migrations.hpp"
#include "store/sqlite/migrations.hpp"

namespace atrium::app {

namespace {

namespace sc = store_copy;
namespace pg = store::postgresql;

// The schema this binary writes (both backends' lists have the same names; ctest store_twins).
sc::schema_version binary_schema() {
  auto all = store::sqlite::migrations();
  return {static_cast<int64_t>(all.size()), all.back().name};
}

int failed(const std::string& what) {
  std::cerr << "error: " << what << "\n";
  return 1;
}

int failed(const error& e) { return failed(e.message); }

// A temporary directory removed with everything in it (the SQLite snapshot).
struct temp_dir {
  std::filesystem::path path;
  explicit temp_dir(const std::filesystem::path& near) {
    std::string tmpl = (near / ".atrium-copy-XXXXXX").string();
    if (::mkdtemp(tmpl.data())) path = tmpl;
  }
  ~temp_dir() {
    std::error_code ec;
    if (!path.empty()) std::filesystem::remove_all(path, ec);
  }
};

result<std::unique_ptr<pg::connection>> connect(const std::string& conninfo, const std::filesystem::path& password_file,
                                                const config& c) {
  pg::connect_settings s;
  s.conninfo = conninfo;
  if (!password_file.empty()) s.password = read_password_file(password_file);
  s.connect_timeout_s = c.pg_connect_timeout_seconds;
  s.statement_timeout_ms = 0;  // a copy of a large table may take longer than a request
  s.application_name = "atrium-copy";
  auto conn = pg::connection::open(s);
  if (!conn) return fail(errc::internal, "cannot connect to " + pg::redact_conninfo(conninfo) + ": " + conn.error().message);
  return conn;
}

// The target's schema made current (an empty database gets every migration) and equal to the
// binary's; then its tables, and a refusal when it already holds data.
result<std::vector<sc::table_shape>> prepare_target(pg::connection& c, bool force) {
  TRY(before, sc::pg_schema(c));
  if (before.version > binary_schema().version)
    return fail(errc::validation, "the target's schema is version " + std::to_string(before.version) +
                                      ", newer than this atrium's " + std::to_string(binary_schema().version));
  TRY_VOID(pg::migrate(c));
  TRY(tables, sc::pg_tables(c));
  TRY(busy, sc::pg_first_non_empty(c, tables));
  if (busy && !force)
    return fail(errc::validation, "the target database is not empty (table " + *busy +
                                      " has rows); pass --force to replace everything in it");
  return tables;
}

result<void> check_source_schema(const sc::schema_version& v, const std::string& what) {
  auto mine = binary_schema();
  if (v.version > mine.version)
    return fail(errc::validation, what + " has schema version " + std::to_string(v.version) + " (" + v.name +
                                      "), newer than this atrium's " + std::to_string(mine.version) +
                                      ": use a newer atrium");
  if (v.version != mine.version || v.name != mine.name)
    return fail(errc::validation, what + " has schema version " + std::to_string(v.version) + " (" + v.name +
                                      "), this atrium " + std::to_string(mine.version) + " (" + mine.name +
                                      "): start this atrium on it once (it migrates), then copy");
  return {};
}

result<std::string> master_key_of(const config& c) {
  auto key = backup_file::read_all(c.master_key_file());
  if (!key || key->empty())
    return fail(errc::not_found, "no master key at " + c.master_key_file().string() +
                                     " (backups are sealed with it; copy the deployment's master.key there)");
  return key;
}

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

store_ops_commands::store_ops_commands(CLI::App* app, CLI::App* admin) {
  migrate_ = admin->add_subcommand("migrate-store", "Copy a single node's SQLite store into an empty PostgreSQL database");
  add_common(migrate_, migrate_o_);
  migrate_->add_option("--from", from_, "sqlite:DIR (the node's data directory; it may be running)")->required();
  migrate_->add_option("--to", to_, "PostgreSQL conninfo or postgresql:// URI, without a password")->required();
  migrate_->add_option("--password-file", password_file_,
                       "File whose first line is the database password (else store.postgresql.password_file or PGPASSWORD)");
  migrate_->add_flag("--force", force_, "Replace whatever the target database holds");

  backup_ = app->add_subcommand("backup", "Write a verified backup of the configured store to a file");
  add_common(backup_, backup_o_);
  backup_->add_option("--to", backup_to_, "Backup file to write")->required();
  restore_ = app->add_subcommand("restore", "Restore the configured store from a backup file (stop the nodes first)");
  add_common(restore_, restore_o_);
  restore_->add_option("--from", restore_from_, "Backup file to read")->required();
  restore_->add_flag("--force", restore_force_, "Replace an existing store");
}

std::optional<int> store_ops_commands::run() {
  if (*migrate_) return migrate_store();
  if (*backup_) return backup();
  if (*restore_) return restore();
  return std::nullopt;
}

int store_ops_commands::migrate_store() {
  auto c = load_config(migrate_o_);
  if (!from_.starts_with("sqlite:")) return failed("--from must be sqlite:DIR (a single node's data directory)");
  std::filesystem::path dir = from_.substr(7);
  if (pg::redact_conninfo(to_) != to_)
    return failed("--to carries a password; put it in a file (--password-file) instead of on the command line");
  auto password_file = password_file_.empty() ? c.pg_password_file : std::filesystem::path(password_file_);

  temp_dir tmp(std::filesystem::temp_directory_path());
  if (tmp.path.empty()) return failed("cannot make a temporary directory");
  auto snap = sc::sqlite_snapshot(dir / "atrium.db", tmp.path / "snapshot.db");
  if (!snap) return failed(snap.error());
  auto source_schema = sc::sqlite_schema((*snap)->db);
  if (!source_schema) return failed(source_schema.error());
  if (auto ok = check_source_schema(*source_schema, "the SQLite database"); !ok) return failed(ok.error());
  auto conn = connect(to_, password_file, c);
  if (!conn) return failed(conn.error());
  auto tables = prepare_target(**conn, force_);
  if (!tables) return failed(tables.error());
  auto source_tables = sc::sqlite_tables((*snap)->db);
  if (!source_tables) return failed(source_tables.error());
  for (const auto& name : *source_tables)
    if (std::none_of(tables->begin(), tables->end(), [&](const sc::table_shape& t) { return t.name == name; }))
      return failed("table " + name + " of the SQLite database has no twin in PostgreSQL");

  sc::summaries source;
  sc::pg_loader loader(**conn, *tables);
  auto copied = [&]() -> result<void> {
    TRY_VOID(loader.begin());
    for (const auto& t : *tables) {
      sc::summariser s;
      TRY_VOID(sc::read_sqlite((*snap)->db, t, [&](const sc::row& r) -> result<void> {
        s.add(r);
        return loader.insert(t, r);
      }));
      source[t.name] = s.finish();
    }
    return loader.commit();
  }();
  if (!copied) {
    loader.rollback();
    return failed(copied.error());
  }
  auto target = sc::summarise_pg(**conn, *tables);
  if (!target) return failed(target.error());
  bool same = sc::report(std::cout, source, *target);
  if (!same) return failed("the copy differs from the source (see MISMATCH above)");
  std::cout << "copied " << tables->size() << " tables at schema " << source_schema->version << " ("
            << source_schema->name << ") into " << pg::redact_conninfo(to_) << "\n"
            << "Copy " << (dir / "master.key").string() << " into every PostgreSQL node's data directory.\n";
  return 0;
}

int store_ops_commands::backup() {
  auto c = load_config(backup_o_);
  auto key = master_key_of(c);
  if (!key) return failed(key.error());
  backup_file::header h;
  h.kind = c.store_kind;
  h.created_at_ms = now_ms();
  std::string payload;
  if (c.store_kind == "postgresql") {
    auto conn = connect(c.pg_conninfo, c.pg_password_file, c);
    if (!conn) return failed(conn.error());
    auto dumped = [&]() -> result<void> {
      TRY(schema, sc::pg_schema(**conn));
      TRY_VOID(check_source_schema(schema, "the database"));
      h.schema = schema;
      TRY(tables, sc::pg_tables(**conn));
      // One snapshot for every table: the backup is consistent while the nodes write.
      TRY_VOID((*conn)->exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"));
      for (const auto& t : tables) {
        std::string rows;
        sc::summariser s;
        TRY_VOID(sc::read_pg(**conn, t, [&](const sc::row& r) -> result<void> {
          s.add(r);
          for (const auto& v : r) sc::encode(v, rows);
          return {};
        }));
        h.tables[t.name] = s.finish();
        backup_file::put_table(payload, t, h.tables[t.name].rows);
        payload += rows;
      }
      return (*conn)->exec("COMMIT");
    }();
    if (!dumped) return failed(dumped.error());
  } else {
    temp_dir tmp(std::filesystem::path(backup_to_).parent_path().empty() ? std::filesystem::current_path()
                                                                          : std::filesystem::path(backup_to_).parent_path());
    if (tmp.path.empty()) return failed("cannot make a temporary directory beside " + backup_to_);
    auto snap = sc::sqlite_snapshot(c.db_file(), tmp.path / "atrium.db");
    if (!snap) return failed(snap.error());
    auto schema = sc::sqlite_schema((*snap)->db);
    if (!schema) return failed(schema.error());
    h.schema = *schema;
    snap->reset();
    auto bytes = backup_file::read_all(tmp.path / "atrium.db");
    if (!bytes) return failed(bytes.error());
    payload = std::move(*bytes);
  }
  if (auto w = backup_file::write_all(backup_to_, backup_file::seal(h, payload, *key)); !w) return failed(w.error());
  std::cout << "backup of the " << h.kind << " store (schema " << h.schema.version << ", " << h.schema.name << ") in "
            << backup_to_ << ": " << payload.size() << " bytes of data";
  if (!h.tables.empty()) {
    int64_t rows = 0;
    for (const auto& [n, s] : h.tables) rows += s.rows;
    std::cout << ", " << h.tables.size() << " tables, " << rows << " rows";
  }
  std::cout << "\n";
  return 0;
}

namespace {

// PRAGMA integrity_check of a database file: "ok" or SQLite's first complaint.
result<void> check_sqlite_file(const std::filesystem::path& file) {
  sc::sqlite_handle h;
  if (sqlite3_open_v2(file.c_str(), &h.db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK)
    return fail(errc::validation, "the restored file does not open as SQLite");
  sqlite3_stmt* st = nullptr;
  std::string verdict;
  if (sqlite3_prepare_v2(h.db, "PRAGMA integrity_check", -1, &st, nullptr) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
    verdict = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
  sqlite3_finalize(st);
  if (verdict != "ok") return fail(errc::validation, "the restored database fails SQLite's integrity check");
  return {};
}

// A SQLite backup becomes <data_dir>/atrium.db: written beside it, checked, then renamed over
// it. The node must be stopped (its open connections would keep the old file).
result<void> restore_sqlite(const config& c, const std::string& payload, bool force) {
  auto db = c.db_file();
  if (std::filesystem::exists(db) && !force)
    return fail(errc::validation, db.string() + " exists; stop the node and pass --force to replace it");
  std::filesystem::create_directories(c.data_dir);
  auto staged = db;
  staged += ".restoring";
  TRY_VOID(backup_file::write_all(staged, payload));
  if (auto ok = check_sqlite_file(staged); !ok) {
    std::filesystem::remove(staged);
    return ok;
  }
  for (const char* suffix : {"-wal", "-shm"}) {
    auto side = db;
    side += suffix;
    std::filesystem::remove(side);
  }
  std::filesystem::rename(staged, db);
  return {};
}

// A PostgreSQL backup is loaded into the configured (empty) database in one transaction and
// summarised again from the database: restore succeeds only when every table matches the
// summaries the backup was written with.
result<bool> restore_postgresql(const config& c, const backup_file::header& h, const std::string& payload, bool force) {
  TRY(conn, connect(c.pg_conninfo, c.pg_password_file, c));
  TRY(tables, prepare_target(*conn, force));
  sc::pg_loader loader(*conn, tables);
  auto loaded = [&]() -> result<void> {
    TRY_VOID(loader.begin());
    backup_file::table_reader in{payload};
    while (!in.done()) {
      TRY(next, in.next_table());
      auto& [shape, rows] = next;
      auto mine = std::find_if(tables.begin(), tables.end(), [&](const sc::table_shape& t) { return t.name == shape.name; });
      if (mine == tables.end()) return invalid("the backup's table " + shape.name + " is not in this schema");
      if (mine->columns.size() != shape.columns.size())
        return invalid("the backup's table " + shape.name + " has other columns than this schema's");
      for (std::size_t i = 0; i < shape.columns.size(); ++i)
        if (mine->columns[i].name != shape.columns[i].name || mine->columns[i].integer != shape.columns[i].integer)
          return invalid("the backup's column " + shape.name + "." + shape.columns[i].name + " differs from this schema's");
      for (int64_t i = 0; i < rows; ++i) {
        TRY(r, in.next_row(shape));
        TRY_VOID(loader.insert(*mine, r));
      }
    }
    return loader.commit();
  }();
  if (!loaded) {
    loader.rollback();
    return std::unexpected(loaded.error());
  }
  TRY(now, sc::summarise_pg(*conn, tables));
  return sc::report(std::cout, h.tables, now);
}

}  // namespace

int store_ops_commands::restore() {
  auto c = load_config(restore_o_);
  auto key = master_key_of(c);
  if (!key) return failed(key.error());
  auto bytes = backup_file::read_all(restore_from_);
  if (!bytes) return failed(bytes.error());
  auto opened = backup_file::open(*bytes, *key);
  if (!opened) return failed("refusing " + restore_from_ + ": " + opened.error().message);
  auto& [h, payload] = *opened;
  auto mine = binary_schema();
  if (h.schema.version > mine.version)
    return failed("refusing " + restore_from_ + ": its schema is version " + std::to_string(h.schema.version) + " (" +
                  h.schema.name + "), newer than this atrium's " + std::to_string(mine.version) + "; use a newer atrium");
  if (h.kind != c.store_kind)
    return failed("the backup is of a " + h.kind + " store and this node's store.kind is " + c.store_kind +
                  (h.kind == "sqlite" ? " (restore it into a SQLite data directory, then atrium admin migrate-store)" : ""));
  if (h.kind == "sqlite") {
    if (auto r = restore_sqlite(c, payload, restore_force_); !r) return failed(r.error());
    std::cout << "restored " << c.db_file().string() << " (schema " << h.schema.version << ", " << h.schema.name
              << "; the next start applies newer migrations)\n";
    return 0;
  }
  if (h.schema.version != mine.version)
    return failed("the backup has schema " + std::to_string(h.schema.version) + " (" + h.schema.name +
                  "); restore it with the atrium of that schema, then start this one on the database (it migrates)");
  auto same = restore_postgresql(c, h, payload, restore_force_);
  if (!same) return failed(same.error());
  if (!*same) return failed("the restored database differs from the backup (see MISMATCH above)");
  std::cout << "restored " << h.tables.size() << " tables into " << pg::redact_conninfo(c.pg_conninfo) << "\n";
  return 0;
}

}  // namespace atrium::app
