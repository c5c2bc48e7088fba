#include "store/postgresql/oidc_repo.hpp"

#include "base/strings.hpp"
#include "store/postgresql/rows.hpp"

namespace atrium::store::postgresql {

namespace {

// Lists are stored space-separated: scopes, grant types and loopback URIs never hold a space
// (the door refuses them before they get here).
std::string joined(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : " ") + s;
  return out;
}

std::vector<std::string> space_words(const std::string& s) {
  std::vector<std::string> out;
  for (auto w : split(s, ' '))
    if (!w.empty()) out.emplace_back(w);
  return out;
}

std::optional<std::string> null_if_empty(const std::string& s) {
  return s.empty() ? std::nullopt : std::optional<std::string>(s);
}

const char* kind_name(oidc_authorization_kind k) { return k == oidc_authorization_kind::device ? "device" : "code"; }

const char* status_name(oidc_authorization_status s) {
  switch (s) {
    case oidc_authorization_status::pending: return "pending";
    case oidc_authorization_status::approved: return "approved";
    case oidc_authorization_status::denied: return "denied";
    case oidc_authorization_status::consumed: return "consumed";
  }
  return "pending";
}

oidc_authorization_status status_of(const std::string& s) {
  if (s == "approved") return oidc_authorization_status::approved;
  if (s == "denied") return oidc_authorization_status::denied;
  if (s == "consumed") return oidc_authorization_status::consumed;
  return oidc_authorization_status::pending;
}

oidc_client_record client_row(const statement& s) {
  return {s.text(0), s.text(1), s.text(2), s.text(3), space_words(s.text(4)), space_words(s.text(5)), space_words(s.text(6)),
          s.text(7), from_epoch_millis(s.integer(8)), from_epoch_millis(s.integer(9))};
}

constexpr const char* authorization_columns =
    "SELECT id, kind, client_id, user_code_hash, code_hash, start_url, scopes, redirect_uri, state, code_challenge, "
    "status, user_id, session_id, created_at, expires_at, last_polled_at, interval_s, grant_id FROM oidc_authorizations ";

oidc_authorization_record authorization_row(const statement& s) {
  oidc_authorization_record a;
  a.id = s.text(0);
  a.kind = s.text(1) == "code" ? oidc_authorization_kind::code : oidc_authorization_kind::device;
  a.client_id = s.text(2);
  a.user_code_hash = s.text(3);
  a.code_hash = s.text(4);
  a.start_url = s.text(5);
  a.scopes = space_words(s.text(6));
  a.redirect_uri = s.text(7);
  a.state = s.text(8);
  a.code_challenge = s.text(9);
  a.status = status_of(s.text(10));
  a.user_id = s.text(11);
  a.session_id = s.text(12);
  a.created_at = from_epoch_millis(s.integer(13));
  a.expires_at = from_epoch_millis(s.integer(14));
  if (!s.is_null(15)) a.last_polled_at = from_epoch_millis(s.integer(15));
  a.interval_seconds = s.integer(16);
  a.grant_id = s.text(17);
  return a;
}

oidc_grant_record grant_row(const statement& s) {
  return {s.text(0), s.text(1), s.text(2), s.text(3), space_words(s.text(4)), from_epoch_millis(s.integer(5)),
          from_epoch_millis(s.integer(6))};
}

oidc_token_record oidc_token_row(const statement& s) {
  oidc_token_record t{s.text(0), s.text(1), s.text(2) == "refresh" ? oidc_token_kind::refresh : oidc_token_kind::access,
                      from_epoch_millis(s.integer(3)), from_epoch_millis(s.integer(4)), std::nullopt};
  if (!s.is_null(5)) t.used_at = from_epoch_millis(s.integer(5));
  return t;
}

}  // namespace

result<void> oidc_repo::insert_client(const oidc_client_record& r) {
  PREPARE(s, c_, "INSERT INTO oidc_clients(id, secret_hash, name, type, scopes, grant_types, redirect_uris, issuer_url, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  s.bind(1, r.id).bind(2, r.secret_hash).bind(3, r.name).bind(4, r.type).bind(5, joined(r.scopes))
      .bind(6, joined(r.grant_types)).bind(7, joined(r.redirect_uris)).bind(8, r.issuer_url)
      .bind(9, epoch_millis(r.created_at)).bind(10, epoch_millis(r.expires_at));
  return run(s);
}

result<std::optional<oidc_client_record>> oidc_repo::get_client(const std::string& id) {
  PREPARE(s, c_, "SELECT id, secret_hash, name, type, scopes, grant_types, redirect_uris, issuer_url, created_at, expires_at FROM oidc_clients WHERE id = ?");
  s.bind(1, id);
  return one_row(s, client_row);
}

result<void> oidc_repo::insert_authorization(const oidc_authorization_record& a) {
  PREPARE(s, c_, "INSERT INTO oidc_authorizations(id, kind, client_id, user_code_hash, code_hash, start_url, scopes, redirect_uri, state, code_challenge, status, user_id, session_id, created_at, expires_at, last_polled_at, interval_s, grant_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  s.bind(1, a.id).bind(2, kind_name(a.kind)).bind(3, a.client_id).bind(4, null_if_empty(a.user_code_hash))
      .bind(5, null_if_empty(a.code_hash)).bind(6, a.start_url).bind(7, joined(a.scopes)).bind(8, a.redirect_uri)
      .bind(9, a.state).bind(10, a.code_challenge).bind(11, status_name(a.status)).bind(12, null_if_empty(a.user_id))
      .bind(13, null_if_empty(a.session_id)).bind(14, epoch_millis(a.created_at)).bind(15, epoch_millis(a.expires_at));
  if (a.last_polled_at) s.bind(16, epoch_millis(*a.last_polled_at));
  else s.bind_null(16);
  s.bind(17, a.interval_seconds).bind(18, null_if_empty(a.grant_id));
  return run(s);
}

result<std::optional<oidc_authorization_record>> oidc_repo::authorization_where(const char* sql,
                                                                                const std::string& value) {
  PREPARE(s, c_, sql);
  s.bind(1, value);
  return one_row(s, authorization_row);
}

result<std::optional<oidc_authorization_record>> oidc_repo::get_authorization(const std::string& id) {
  static const std::string sql = std::string(authorization_columns) + "WHERE id = ?";
  return authorization_where(sql.c_str(), id);
}

result<std::optional<oidc_authorization_record>> oidc_repo::find_by_user_code(const std::string& user_code_hash) {
  static const std::string sql = std::string(authorization_columns) + "WHERE user_code_hash = ?";
  return authorization_where(sql.c_str(), user_code_hash);
}

result<std::optional<oidc_authorization_record>> oidc_repo::find_by_code(const std::string& code_hash) {
  static const std::string sql = std::string(authorization_columns) + "WHERE code_hash = ?";
  return authorization_where(sql.c_str(), code_hash);
}

result<void> oidc_repo::update_authorization(const oidc_authorization_record& a) {
  PREPARE(s, c_, "UPDATE oidc_authorizations SET status = ?, user_id = ?, session_id = ?, code_hash = ?, last_polled_at = ?, interval_s = ?, grant_id = ?, expires_at = ? WHERE id = ?");
  s.bind(1, status_name(a.status)).bind(2, null_if_empty(a.user_id)).bind(3, null_if_empty(a.session_id))
      .bind(4, null_if_empty(a.code_hash));
  if (a.last_polled_at) s.bind(5, epoch_millis(*a.last_polled_at));
  else s.bind_null(5);
  s.bind(6, a.interval_seconds).bind(7, null_if_empty(a.grant_id)).bind(8, epoch_millis(a.expires_at)).bind(9, a.id);
  return run(s);
}

result<void> oidc_repo::insert_grant(const oidc_grant_record& g) {
  PREPARE(s, c_, "INSERT INTO oidc_grants(id, client_id, user_id, session_id, scopes, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)");
  s.bind(1, g.id).bind(2, g.client_id).bind(3, g.user_id).bind(4, g.session_id).bind(5, joined(g.scopes))
      .bind(6, epoch_millis(g.created_at)).bind(7, epoch_millis(g.expires_at));
  return run(s);
}

result<std::optional<oidc_grant_record>> oidc_repo::get_grant(const std::string& id) {
  PREPARE(s, c_, "SELECT id, client_id, user_id, session_id, scopes, created_at, expires_at FROM oidc_grants WHERE id = ?");
  s.bind(1, id);
  return one_row(s, grant_row);
}

result<bool> oidc_repo::remove_grant(const std::string& id) {
  PREPARE(s, c_, "DELETE FROM oidc_grants WHERE id = ?");
  s.bind(1, id);
  TRY_VOID(run(s));
  return c_.changes() > 0;
}

result<int64_t> oidc_repo::count_grants_of_session(const std::string& session_id) {
  PREPARE(s, c_, "SELECT COUNT(*) FROM oidc_grants WHERE session_id = ?");
  s.bind(1, session_id);
  return scalar(s);
}

result<void> oidc_repo::insert_token(const oidc_token_record& t) {
  PREPARE(s, c_, "INSERT INTO oidc_tokens(id, grant_id, kind, created_at, expires_at, used_at) VALUES (?, ?, ?, ?, ?, NULL)");
  s.bind(1, t.id).bind(2, t.grant_id).bind(3, t.kind == oidc_token_kind::refresh ? "refresh" : "access")
      .bind(4, epoch_millis(t.created_at)).bind(5, epoch_millis(t.expires_at));
  return run(s);
}

result<std::optional<oidc_token_record>> oidc_repo::get_token(const std::string& id) {
  PREPARE(s, c_, "SELECT id, grant_id, kind, created_at, expires_at, used_at FROM oidc_tokens WHERE id = ?");
  s.bind(1, id);
  return one_row(s, oidc_token_row);
}

result<bool> oidc_repo::use_token(const std::string& id, sys_time when) {
  PREPARE(s, c_, "UPDATE oidc_tokens SET used_at = ? WHERE id = ? AND used_at IS NULL");
  s.bind(1, epoch_millis(when)).bind(2, id);
  TRY_VOID(run(s));
  return c_.changes() > 0;
}

result<std::optional<oidc_attempts_record>> oidc_repo::get_attempts(const std::string& key) {
  PREPARE(s, c_, "SELECT key, window_start, failures FROM oidc_code_attempts WHERE key = ?");
  s.bind(1, key);
  return one_row(s, [](const statement& r) {
    return oidc_attempts_record{r.text(0), from_epoch_millis(r.integer(1)), r.integer(2)};
  });
}

result<void> oidc_repo::put_attempts(const oidc_attempts_record& a) {
  PREPARE(s, c_, "INSERT INTO oidc_code_attempts(key, window_start, failures) VALUES (?, ?, ?) ON CONFLICT(key) DO UPDATE SET window_start = excluded.window_start, failures = excluded.failures");
  s.bind(1, a.key).bind(2, epoch_millis(a.window_start)).bind(3, a.failures);
  return run(s);
}

result<int64_t> oidc_repo::delete_before(const char* sql, sys_time t) {
  PREPARE(s, c_, sql);
  s.bind(1, epoch_millis(t));
  TRY_VOID(run(s));
  return c_.changes();
}

result<int64_t> oidc_repo::remove_expired(sys_time now, sys_time attempts_before) {
  int64_t n = 0;
  for (const char* sql : {"DELETE FROM oidc_authorizations WHERE expires_at <= ?",
                          "DELETE FROM oidc_grants WHERE expires_at <= ?",
                          "DELETE FROM oidc_clients WHERE expires_at <= ?"}) {
    TRY(k, delete_before(sql, now));
    n += k;
  }
  TRY(k, delete_before("DELETE FROM oidc_code_attempts WHERE window_start <= ?", attempts_before));
  return n + k;
}

}  // namespace atrium::store::postgresql
