#include "store/postgresql/session_repo.hpp"
#include "store/postgresql/rows.hpp"

namespace atrium::store::postgresql {

namespace {

session_record session_row(const statement& s) {
  return {s.text(0), s.text(1), from_epoch_millis(s.integer(2)), from_epoch_millis(s.integer(3)),
          from_epoch_millis(s.integer(4)), s.text(5), s.text(6), s.text(7)};
}

trusted_device_record device_row(const statement& s) {
  return {s.text(0), s.text(1), s.text(2), s.text(3), from_epoch_millis(s.integer(4)),
          from_epoch_millis(s.integer(5))};
}

}  // namespace

result<int64_t> session_repo::changed(statement& s) {
  if (auto r = run(s); !r) return std::unexpected(r.error());
  return c_.changes();
}

result<int64_t> session_repo::count(const char* sql, const std::string& user_id) {
  PREPARE(s, c_, sql);
  s.bind(1, user_id);
  auto row = s.step();
  if (!row) return std::unexpected(row.error());
  int64_t n = *row ? s.integer(0) : 0;
  s.reset();
  return n;
}

result<void> session_repo::insert_session(const session_record& r) {
  PREPARE(s, c_, "INSERT INTO sessions(id, user_id, created_at, expires_at, last_seen_at, source_ip, user_agent, csrf_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
  s.bind(1, r.id).bind(2, r.user_id).bind(3, epoch_millis(r.created_at)).bind(4, epoch_millis(r.expires_at))
      .bind(5, epoch_millis(r.last_seen_at)).bind(6, r.source_ip).bind(7, r.user_agent).bind(8, r.csrf_hash);
  return run(s);
}

result<std::optional<session_record>> session_repo::get_session(const std::string& id) {
  PREPARE(s, c_, "SELECT id, user_id, created_at, expires_at, last_seen_at, source_ip, user_agent, csrf_hash FROM sessions WHERE id = ?");
  s.bind(1, id);
  auto row = s.step();
  if (!row) return std::unexpected(row.error());
  std::optional<session_record> out;
  if (*row) out = session_row(s);
  s.reset();
  return out;
}

result<void> session_repo::touch_session(const std::string& id, sys_time last_seen) {
  PREPARE(s, c_, "UPDATE sessions SET last_seen_at = ? WHERE id = ?");
  s.bind(1, epoch_millis(last_seen)).bind(2, id);
  return run(s);
}

result<bool> session_repo::remove_session(const std::string& id) {
  PREPARE(s, c_, "DELETE FROM sessions WHERE id = ?");
  s.bind(1, id);
  auto n = changed(s);
  if (!n) return std::unexpected(n.error());
  return *n > 0;
}

result<int64_t> session_repo::remove_sessions_of(const std::string& user_id) {
  PREPARE(s, c_, "DELETE FROM sessions WHERE user_id = ?");
  s.bind(1, user_id);
  return changed(s);
}

result<int64_t> session_repo::count_sessions_of(const std::string& user_id) {
  return count("SELECT COUNT(*) FROM sessions WHERE user_id = ?", user_id);
}

result<void> session_repo::insert_trusted_device(const trusted_device_record& d) {
  PREPARE(s, c_, "INSERT INTO trusted_devices(id, user_id, ua_fingerprint, source_ip, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)");
  s.bind(1, d.id).bind(2, d.user_id).bind(3, d.ua_fingerprint).bind(4, d.source_ip)
      .bind(5, epoch_millis(d.created_at)).bind(6, epoch_millis(d.expires_at));
  return run(s);
}

result<std::optional<trusted_device_record>> session_repo::get_trusted_device(const std::string& id) {
  PREPARE(s, c_, "SELECT id, user_id, ua_fingerprint, source_ip, created_at, expires_at FROM trusted_devices WHERE id = ?");
  s.bind(1, id);
  auto row = s.step();
  if (!row) return std::unexpected(row.error());
  std::optional<trusted_device_record> out;
  if (*row) out = device_row(s);
  s.reset();
  return out;
}

result<int64_t> session_repo::remove_trusted_devices_of(const std::string& user_id) {
  PREPARE(s, c_, "DELETE FROM trusted_devices WHERE user_id = ?");
  s.bind(1, user_id);
  return changed(s);
}

result<int64_t> session_repo::count_trusted_devices_of(const std::string& user_id) {
  return count("SELECT COUNT(*) FROM trusted_devices WHERE user_id = ?", user_id);
}

result<int64_t> session_repo::remove_expired(sys_time now) {
  PREPARE(a, c_, "DELETE FROM sessions WHERE expires_at <= ?");
  a.bind(1, epoch_millis(now));
  auto n = changed(a);
  if (!n) return n;
  PREPARE(b, c_, "DELETE FROM trusted_devices WHERE expires_at <= ?");
  b.bind(1, epoch_millis(now));
  auto m = changed(b);
  if (!m) return m;
  return *n + *m;
}

}  // namespace atrium::store::postgresql
