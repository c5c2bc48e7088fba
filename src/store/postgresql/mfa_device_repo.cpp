#include "store/postgresql/mfa_device_repo.hpp"

namespace atrium::store::postgresql {

namespace {

constexpr const char* columns =
    "SELECT id, user_id, kind, name, totp_secret, totp_last_step, credential_id, public_key, sign_count, aaguid, "
    "attestation_format, created_at, last_used_at, flagged_at FROM mfa_devices ";

std::optional<sys_time> time_or_null(const statement& s, int col) {
  if (s.is_null(col)) return std::nullopt;
  return from_epoch_millis(s.integer(col));
}

mfa_device_record row(const statement& s) {
  mfa_device_record r;
  r.id = s.text(0);
  r.user_id = s.text(1);
  r.kind = s.text(2);
  r.name = s.text(3);
  r.sealed_secret = s.is_null(4) ? std::string() : s.text(4);
  if (!s.is_null(5)) r.last_step = s.integer(5);
  r.credential_id = s.is_null(6) ? std::string() : s.text(6);
  r.public_key = s.is_null(7) ? std::string() : s.text(7);
  r.sign_count = s.integer(8);
  r.aaguid = s.is_null(9) ? std::string() : s.text(9);
  r.attestation_format = s.is_null(10) ? std::string() : s.text(10);
  r.created = from_epoch_millis(s.integer(11));
  r.last_used = time_or_null(s, 12);
  r.flagged = time_or_null(s, 13);
  return r;
}

std::optional<std::string> text_or_null(const std::string& v) {
  if (v.empty()) return std::nullopt;
  return v;
}

}  // namespace

result<std::vector<mfa_device_record>> mfa_device_repo::select(const char* where, const std::string& value) {
  auto st = c_.prepare(std::string(columns) + where);
  if (!st) return std::unexpected(st.error());
  statement& s = **st;
  s.bind(1, value);
  std::vector<mfa_device_record> out;
  while (true) {
    auto more = s.step();
    if (!more) {
      s.reset();
      return std::unexpected(more.error());
    }
    if (!*more) break;
    out.push_back(row(s));
  }
  s.reset();
  return out;
}

result<std::vector<mfa_device_record>> mfa_device_repo::list_for_user(const std::string& user_id) {
  return select("WHERE user_id = ? ORDER BY created_at, rowid", user_id);
}

result<std::optional<mfa_device_record>> mfa_device_repo::get(const std::string& id) {
  auto rows = select("WHERE id = ?", id);
  if (!rows) return std::unexpected(rows.error());
  if (rows->empty()) return std::optional<mfa_device_record>{};
  return std::optional<mfa_device_record>{std::move(rows->front())};
}

result<std::optional<mfa_device_record>> mfa_device_repo::find_by_credential(const std::string& credential_id) {
  auto rows = select("WHERE credential_id = ?", credential_id);
  if (!rows) return std::unexpected(rows.error());
  if (rows->empty()) return std::optional<mfa_device_record>{};
  return std::optional<mfa_device_record>{std::move(rows->front())};
}

result<void> mfa_device_repo::insert(const mfa_device_record& r) {
  auto st = c_.prepare(
      "INSERT INTO mfa_devices(id, user_id, kind, name, totp_secret, totp_last_step, credential_id, public_key, "
      "sign_count, aaguid, attestation_format, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  if (!st) return std::unexpected(st.error());
  statement& s = **st;
  s.bind(1, r.id).bind(2, r.user_id).bind(3, r.kind).bind(4, r.name).bind(5, text_or_null(r.sealed_secret));
  if (r.last_step) s.bind(6, *r.last_step);
  else s.bind_null(6);
  s.bind(7, text_or_null(r.credential_id)).bind(8, text_or_null(r.public_key)).bind(9, r.sign_count);
  s.bind(10, text_or_null(r.aaguid)).bind(11, text_or_null(r.attestation_format)).bind(12, epoch_millis(r.created));
  auto step = s.step();
  s.reset();
  if (!step) {
    if (step.error().code != errc::conflict) return std::unexpected(step.error());
    // SQLite names the UNIQUE columns in its message; say which rule it was in our words.
    if (step.error().message.find("credential_id") != std::string::npos)
      return fail(errc::conflict, "This security key is already registered.");
    return fail(errc::conflict, "The user already has an MFA device named " + r.name + ".");
  }
  return {};
}

result<bool> mfa_device_repo::rename(const std::string& id, const std::string& name) {
  auto st = c_.prepare("UPDATE mfa_devices SET name = ? WHERE id = ?");
  if (!st) return std::unexpected(st.error());
  statement& s = **st;
  s.bind(1, name).bind(2, id);
  auto step = s.step();
  s.reset();
  if (!step) {
    if (step.error().code == errc::conflict) return fail(errc::conflict, "The user already has an MFA device named " + name + ".");
    return std::unexpected(step.error());
  }
  return c_.changes() > 0;
}

result<bool> mfa_device_repo::remove(const std::string& id) {
  auto st = c_.prepare("DELETE FROM mfa_devices WHERE id = ?");
  if (!st) return std::unexpected(st.error());
  statement& s = **st;
  s.bind(1, id);
  auto step = s.step();
  s.reset();
  if (!step) return std::unexpected(step.error());
  return c_.changes() > 0;
}

result<bool> mfa_device_repo::change(const char* sql, const std::string& id, int64_t a, int64_t b) {
  auto st = c_.prepare(sql);
  if (!st) return std::unexpected(st.error());
  statement& s = **st;
  s.bind(1, a).bind(2, b).bind(3, id);
  auto step = s.step();
  s.reset();
  if (!step) return std::unexpected(step.error());
  return c_.changes() > 0;
}

result<bool> mfa_device_repo::accept_totp_step(const std::string& id, int64_t step, sys_time when) {
  auto st = c_.prepare(
      "UPDATE mfa_devices SET totp_last_step = ?1, last_used_at = ?2 "
      "WHERE id = ?3 AND kind = 'totp' AND (totp_last_step IS NULL OR totp_last_step < ?1)");
  if (!st) return std::unexpected(st.error());
  statement& s = **st;
  s.bind(1, step).bind(2, epoch_millis(when)).bind(3, id);
  auto r = s.step();
  s.reset();
  if (!r) return std::unexpected(r.error());
  return c_.changes() > 0;
}

result<bool> mfa_device_repo::record_assertion(const std::string& id, int64_t sign_count, sys_time when) {
  return change("UPDATE mfa_devices SET sign_count = ?, last_used_at = ? WHERE id = ?", id, sign_count, epoch_millis(when));
}

result<bool> mfa_device_repo::flag(const std::string& id, sys_time when) {
  auto st = c_.prepare("UPDATE mfa_devices SET flagged_at = ? WHERE id = ?");
  if (!st) return std::unexpected(st.error());
  statement& s = **st;
  s.bind(1, epoch_millis(when)).bind(2, id);
  auto r = s.step();
  s.reset();
  if (!r) return std::unexpected(r.error());
  return c_.changes() > 0;
}

}  // namespace atrium::store::postgresql
