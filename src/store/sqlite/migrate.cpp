#include "base/clock.hpp"
#include "store/sqlite/connection.hpp"
#include "store/sqlite/migrations.hpp"

namespace atrium::store::sqlite {

namespace {

struct applied_state {
  int64_t version = 0;
  std::string name;
};

result<applied_state> current_state(connection& c) {
  auto st = c.prepare("SELECT version, name FROM schema_migrations ORDER BY version DESC LIMIT 1");
  if (!st) return std::unexpected(st.error());
  auto row = (*st)->step();
  if (!row) return std::unexpected(row.error());
  applied_state s;
  if (*row) s = {(*st)->integer(0), (*st)->text(1)};
  (*st)->reset();
  return s;
}

result<void> record(connection& c, int64_t version, const char* name) {
  auto st = c.prepare("INSERT INTO schema_migrations(version, name, applied_at) VALUES (?, ?, ?)");
  if (!st) return std::unexpected(st.error());
  auto done = (*st)->bind(1, version).bind(2, name).bind(3, epoch_millis(system_clock{}.now())).step();
  (*st)->reset();
  if (!done) return std::unexpected(done.error());
  return {};
}

// Inside one write transaction: checks the recorded state against the embedded list and
// applies the next pending migration. True when one was applied, false when up to date.
// Reading the version under the write lock keeps two processes from applying the same one.
result<bool> apply_next(connection& c) {
  if (auto r = c.exec("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
                      "name TEXT NOT NULL, applied_at INTEGER NOT NULL)");
      !r)
    return std::unexpected(r.error());
  auto state = current_state(c);
  if (!state) return std::unexpected(state.error());
  auto all = migrations();
  auto known = static_cast<int64_t>(all.size());
  if (state->version > known)
    return fail(errc::internal, "the database schema is version " + std::to_string(state->version) +
                                    " but this atrium knows only up to " + std::to_string(known) +
                                    "; run a newer atrium");
  if (state->version > 0 && state->name != all[static_cast<std::size_t>(state->version - 1)].name)
    return fail(errc::internal, "the database schema version " + std::to_string(state->version) + " is '" +
                                    state->name + "' but this atrium calls it '" +
                                    all[static_cast<std::size_t>(state->version - 1)].name +
                                    "'; the database comes from a different build");
  if (state->version == known) return false;
  const migration& next = all[static_cast<std::size_t>(state->version)];
  if (auto r = c.exec(next.sql); !r)
    return fail(errc::internal, std::string("migration ") + next.name + " failed: " + r.error().message);
  if (auto r = record(c, state->version + 1, next.name); !r) return std::unexpected(r.error());
  return true;
}

}  // namespace

result<void> check_schema_current(connection& c) {
  auto state = current_state(c);
  if (!state) return std::unexpected(state.error());
  auto known = static_cast<int64_t>(migrations().size());
  if (state->version != known || state->name != migrations()[static_cast<std::size_t>(known - 1)].name)
    return fail(errc::internal, "the database schema is version " + std::to_string(state->version) +
                                    " but this atrium runs version " + std::to_string(known));
  return {};
}

result<int> migrate(connection& c) {
  for (int applied = 0;; ++applied) {
    if (auto r = c.exec("BEGIN IMMEDIATE"); !r) return std::unexpected(r.error());
    auto step = apply_next(c);
    if (step) {
      if (auto r = c.exec("COMMIT"); !r) step = std::unexpected(r.error());
    }
    if (!step) {
      if (c.in_transaction()) (void)c.exec("ROLLBACK");
      return std::unexpected(step.error());
    }
    if (!*step) return applied;
  }
}

}  // namespace atrium::store::sqlite
