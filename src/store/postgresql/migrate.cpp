#include "base/clock.hpp"
#include "store/postgresql/connection.hpp"
#include "store/postgresql/migrations.hpp"

namespace atrium::store::postgresql {

namespace {

// pg_advisory_lock key of the migrations: "atrium" in ASCII, any constant no other tool uses.
constexpr const char* lock_sql = "SELECT pg_advisory_lock(61746972697560)";
constexpr const char* unlock_sql = "SELECT pg_advisory_unlock(61746972697560)";

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

// The state checked against the embedded list; the same words as the SQLite backend.
result<bool> is_current(const applied_state& state) {
  auto all = migrations();
  auto known = static_cast<int64_t>(all.size());
  if (state.version > known)
    return fail(errc::internal, "the database schema is version " + std::to_string(state.version) +
                                    " but this atrium knows only up to " + std::to_string(known) +
                                    "; run a newer atrium");
  if (state.version > 0 && state.name != all[static_cast<std::size_t>(state.version - 1)].name)
    return fail(errc::internal, "the database schema version " + std::to_string(state.version) + " is '" +
                                    state.name + "' but this atrium calls it '" +
                                    all[static_cast<std::size_t>(state.version - 1)].name +
                                    "'; the database comes from a different build");
  return state.version == known;
}

result<bool> apply_next(connection& c) {
  auto state = current_state(c);
  if (!state) return std::unexpected(state.error());
  auto current = is_current(*state);
  if (!current) return std::unexpected(current.error());
  if (*current) return false;
  const migration& next = migrations()[static_cast<std::size_t>(state->version)];
  if (auto r = c.exec(next.sql); !r)
    return fail(errc::internal, std::string("migration ") + next.name + " failed: " + r.error().message);
  if (auto r = record(c, state->version + 1, next.name); !r) return std::unexpected(r.error());
  return true;
}

result<int> migrate_locked(connection& c) {
  if (auto r = c.exec("CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, "
                      "name TEXT NOT NULL, applied_at BIGINT NOT NULL)");
      !r)
    return std::unexpected(r.error());
  for (int applied = 0;; ++applied) {
    if (auto r = c.exec("BEGIN"); !r) return std::unexpected(r.error());
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

}  // namespace

result<int> migrate(connection& c) {
  // The session lock is held across the per-migration transactions: a second node waits here,
  // then finds everything applied. CREATE TABLE IF NOT EXISTS is not safe against a concurrent
  // CREATE, so it too runs under the lock.
  if (auto r = c.exec(lock_sql); !r) return std::unexpected(r.error());
  auto applied = migrate_locked(c);
  (void)c.exec(unlock_sql);  // closing the session would release it too
  return applied;
}

result<void> check_schema_current(connection& c) {
  auto state = current_state(c);
  if (!state) return std::unexpected(state.error());
  auto current = is_current(*state);
  if (!current) return std::unexpected(current.error());
  if (!*current)
    return fail(errc::internal, "the database schema is version " + std::to_string(state->version) + " of " +
                                    std::to_string(migrations().size()) + " (migrations pending)");
  return {};
}

}  // namespace atrium::store::postgresql
