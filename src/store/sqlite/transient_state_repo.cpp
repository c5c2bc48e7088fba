// transient_state_repo: migration 0019's transient_state table.
#include "store/sqlite/transient_state_repo.hpp"

#include "store/sqlite/rows.hpp"

namespace atrium::store::sqlite {

namespace {
transient_record transient_row(const statement& st) {
  return transient_record{st.text(0), st.text(1), st.text(2), from_epoch_millis(st.integer(3)), st.integer(4)};
}
}  // namespace

result<std::optional<transient_record>> transient_state_repo::get(const std::string& kind, const std::string& key,
                                                                  sys_time now) {
  PREPARE(s, c_,
          "SELECT kind, key, value, expires_at, version FROM transient_state "
          "WHERE kind = ? AND key = ? AND expires_at > ?");
  s.bind(1, kind).bind(2, key).bind(3, epoch_millis(now));
  return one_row(s, transient_row);
}

result<int64_t> transient_state_repo::put(const transient_record& r, sys_time now) {
  // An expired row starts again at version 1: a compare-and-set holding its old version fails.
  PREPARE(s, c_,
          "INSERT INTO transient_state(kind, key, value, expires_at, version) VALUES (?, ?, ?, ?, 1) "
          "ON CONFLICT(kind, key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at, "
          "version = CASE WHEN transient_state.expires_at > ? THEN transient_state.version + 1 ELSE 1 END "
          "RETURNING version");
  s.bind(1, r.kind).bind(2, r.key).bind(3, r.value).bind(4, epoch_millis(r.expires)).bind(5, epoch_millis(now));
  auto v = one_row(s, [](const statement& st) { return st.integer(0); });
  if (!v) return std::unexpected(v.error());
  return v->value_or(1);
}

result<bool> transient_state_repo::update(const transient_record& r, int64_t expected_version, sys_time now) {
  PREPARE(s, c_,
          "UPDATE transient_state SET value = ?, expires_at = ?, version = version + 1 "
          "WHERE kind = ? AND key = ? AND version = ? AND expires_at > ?");
  s.bind(1, r.value).bind(2, epoch_millis(r.expires)).bind(3, r.kind).bind(4, r.key).bind(5, expected_version)
      .bind(6, epoch_millis(now));
  if (auto x = run(s); !x) return std::unexpected(x.error());
  return c_.changes() > 0;
}

result<bool> transient_state_repo::remove(const std::string& kind, const std::string& key,
                                          std::optional<int64_t> expected_version) {
  if (!expected_version) {
    PREPARE(s, c_, "DELETE FROM transient_state WHERE kind = ? AND key = ?");
    s.bind(1, kind).bind(2, key);
    if (auto x = run(s); !x) return std::unexpected(x.error());
    return c_.changes() > 0;
  }
  PREPARE(s, c_, "DELETE FROM transient_state WHERE kind = ? AND key = ? AND version = ?");
  s.bind(1, kind).bind(2, key).bind(3, *expected_version);
  if (auto x = run(s); !x) return std::unexpected(x.error());
  return c_.changes() > 0;
}

result<int64_t> transient_state_repo::remove_expired(sys_time now, int64_t limit) {
  // Bounded (neither dialect has DELETE ... LIMIT everywhere): a sweep never holds the writer
  // long, whatever piled up.
  PREPARE(s, c_,
          "DELETE FROM transient_state WHERE (kind, key) IN "
          "(SELECT kind, key FROM transient_state WHERE expires_at <= ? ORDER BY expires_at LIMIT ?)");
  s.bind(1, epoch_millis(now)).bind(2, std::max<int64_t>(1, limit));
  if (auto x = run(s); !x) return std::unexpected(x.error());
  return c_.changes();
}

result<int64_t> transient_state_repo::count(const std::string& kind, sys_time now) {
  PREPARE(s, c_, "SELECT COUNT(*) FROM transient_state WHERE kind = ? AND expires_at > ?");
  s.bind(1, kind).bind(2, epoch_millis(now));
  return scalar(s);
}

}  // namespace atrium::store::sqlite
