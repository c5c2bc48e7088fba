#include "store/sqlite/connection.hpp"
#include "store/sqlite/migrations.hpp"

namespace atrium::store::sqlite {

result<int> migrate(connection& c) {
  if (auto r = c.exec("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
                      "name TEXT NOT NULL, applied_at INTEGER NOT NULL)");
      !r)
    return std::unexpected(r.error());
  auto st = c.prepare("SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
  if (!st) return std::unexpected(st.error());
  auto row = (*st)->step();
  if (!row) return std::unexpected(row.error());
  int current = static_cast<int>((*st)->integer(0));
  (*st)->reset();
  auto all = migrations();
  if (current > static_cast<int>(all.size()))
    return fail(errc::internal, "the database schema is version " + std::to_string(current) +
                                    " but this atrium knows only up to " + std::to_string(all.size()) +
                                    "; run a newer atrium");
  int applied = 0;
  for (int v = current + 1; v <= static_cast<int>(all.size()); ++v) {
    const auto& m = all[static_cast<std::size_t>(v - 1)];
    if (auto r = c.exec("BEGIN IMMEDIATE"); !r) return std::unexpected(r.error());
    auto body = c.exec(m.sql);
    if (body) {
      auto ins = c.prepare("INSERT INTO schema_migrations(version, name, applied_at) VALUES (?, ?, strftime('%s','now'))");
      if (!ins) body = std::unexpected(ins.error());
      else {
        auto done = (*ins)->bind(1, int64_t{v}).bind(2, std::string_view(m.name)).step();
        if (!done) body = std::unexpected(done.error());
        (*ins)->reset();
      }
    }
    if (!body) {
      (void)c.exec("ROLLBACK");
      return fail(errc::internal, std::string("migration ") + m.name + " failed: " + body.error().message);
    }
    if (auto r = c.exec("COMMIT"); !r) return std::unexpected(r.error());
    ++applied;
  }
  return applied;
}

}  // namespace atrium::store::sqlite
