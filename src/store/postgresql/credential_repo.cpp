#include "store/postgresql/credential_repo.hpp"
#include "store/postgresql/rows.hpp"

#include <nlohmann/json.hpp>

namespace atrium::store::postgresql {

namespace {

constexpr const char* token_columns =
    "SELECT id, kind, user_id, secret_hash, created_at, expires_at, used_at, attempts FROM one_time_tokens";

token_kind token_kind_of(const std::string& s) {
  if (s == "invitation") return token_kind::invitation;
  if (s == "email_code") return token_kind::email_code;
  return token_kind::reset;
}

one_time_token token_row(const statement& s) {
  one_time_token t;
  t.id = s.text(0);
  t.kind = token_kind_of(s.text(1));
  t.user_id = s.text(2);
  t.secret_hash = s.text(3);
  t.created_at = from_epoch_millis(s.integer(4));
  t.expires_at = from_epoch_millis(s.integer(5));
  if (!s.is_null(6)) t.used_at = from_epoch_millis(s.integer(6));
  t.attempts = static_cast<int>(s.integer(7));
  return t;
}

result<std::optional<one_time_token>> one_token(statement& s) {
  auto step = s.step();
  if (!step) return std::unexpected(step.error());
  std::optional<one_time_token> out;
  if (*step) out = token_row(s);
  s.reset();
  return out;
}

}  // namespace

result<int64_t> credential_repo::count_passwords() {
  PREPARE(s, c_, "SELECT COUNT(*) FROM user_passwords");
  return scalar(s);
}

result<std::optional<password_record>> credential_repo::get_password(const std::string& user_id) {
  PREPARE(s, c_, "SELECT user_id, hash, history, set_at, must_change FROM user_passwords WHERE user_id = ?");
  s.bind(1, user_id);
  auto step = s.step();
  if (!step) return std::unexpected(step.error());
  std::optional<password_record> out;
  if (*step) {
    password_record r{s.text(0), s.text(1), {}, from_epoch_millis(s.integer(3)), s.integer(4) != 0};
    auto h = nlohmann::json::parse(s.text(2), nullptr, false);
    if (h.is_array())
      for (const auto& v : h)
        if (v.is_string()) r.history.push_back(v.get<std::string>());
    out = std::move(r);
  }
  s.reset();
  return out;
}

result<void> credential_repo::put_password(const password_record& r) {
  PREPARE(s, c_,
               "INSERT INTO user_passwords(user_id, hash, history, set_at, must_change) VALUES (?, ?, ?, ?, ?) "
               "ON CONFLICT(user_id) DO UPDATE SET hash = excluded.hash, history = excluded.history, "
               "set_at = excluded.set_at, must_change = excluded.must_change");
  s.bind(1, r.user_id).bind(2, r.hash).bind(3, nlohmann::json(r.history).dump());
  s.bind(4, epoch_millis(r.set_at)).bind(5, int64_t{r.must_change ? 1 : 0});
  return run(s);
}

result<void> credential_repo::insert_token(const one_time_token& t) {
  PREPARE(s, c_,
               "INSERT INTO one_time_tokens(id, kind, user_id, secret_hash, created_at, expires_at, used_at, attempts) "
               "VALUES (?, ?, ?, ?, ?, ?, NULL, 0)");
  s.bind(1, t.id).bind(2, to_string(t.kind)).bind(3, t.user_id).bind(4, t.secret_hash);
  s.bind(5, epoch_millis(t.created_at)).bind(6, epoch_millis(t.expires_at));
  return run(s);
}

result<std::optional<one_time_token>> credential_repo::find_token(std::string_view secret_hash) {
  PREPARE(s, c_, std::string(token_columns) + " WHERE secret_hash = ?");
  s.bind(1, secret_hash);
  return one_token(s);
}

result<std::optional<one_time_token>> credential_repo::latest_token(const std::string& user_id, token_kind k) {
  PREPARE(s, c_, std::string(token_columns) + " WHERE user_id = ? AND kind = ? ORDER BY created_at DESC, id DESC LIMIT 1");
  s.bind(1, user_id).bind(2, to_string(k));
  return one_token(s);
}

result<bool> credential_repo::mark_used(const std::string& token_id, sys_time at) {
  PREPARE(s, c_, "UPDATE one_time_tokens SET used_at = ? WHERE id = ? AND used_at IS NULL");
  s.bind(1, epoch_millis(at)).bind(2, token_id);
  if (auto r = run(s); !r) return std::unexpected(r.error());
  return c_.changes() > 0;
}

result<void> credential_repo::count_attempt(const std::string& token_id) {
  PREPARE(s, c_, "UPDATE one_time_tokens SET attempts = attempts + 1 WHERE id = ?");
  s.bind(1, token_id);
  return run(s);
}

result<int64_t> credential_repo::remove_tokens(const std::string& user_id, token_kind k) {
  PREPARE(s, c_, "DELETE FROM one_time_tokens WHERE user_id = ? AND kind = ?");
  s.bind(1, user_id).bind(2, to_string(k));
  if (auto r = run(s); !r) return std::unexpected(r.error());
  return c_.changes();
}

result<int64_t> credential_repo::remove_expired(sys_time before) {
  PREPARE(s, c_, "DELETE FROM one_time_tokens WHERE expires_at < ?");
  s.bind(1, epoch_millis(before));
  if (auto r = run(s); !r) return std::unexpected(r.error());
  return c_.changes();
}

result<void> credential_repo::remove_all_for(const std::string& user_id) {
  PREPARE(t, c_, "DELETE FROM one_time_tokens WHERE user_id = ?");
  t.bind(1, user_id);
  if (auto r = run(t); !r) return r;
  PREPARE(p, c_, "DELETE FROM user_passwords WHERE user_id = ?");
  p.bind(1, user_id);
  return run(p);
}

}  // namespace atrium::store::postgresql
