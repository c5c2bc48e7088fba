// webauthn_challenge_repo: migration 0016's webauthn_challenges table.
#include "store/postgresql/webauthn_challenge_repo.hpp"

#include "store/postgresql/rows.hpp"

namespace atrium::store::postgresql {

result<void> webauthn_challenge_repo::put(const webauthn_challenge_record& r) {
  PREPARE(s, c_,
          "INSERT INTO webauthn_challenges(user_id, ceremony, challenge, created_at, expires_at) VALUES (?, ?, ?, ?, ?) "
          "ON CONFLICT(user_id, ceremony) DO UPDATE SET challenge = excluded.challenge, "
          "created_at = excluded.created_at, expires_at = excluded.expires_at");
  s.bind(1, r.user_id).bind(2, r.ceremony).bind(3, r.sealed_challenge).bind(4, epoch_millis(r.created))
      .bind(5, epoch_millis(r.expires));
  return run(s);
}

result<std::optional<webauthn_challenge_record>> webauthn_challenge_repo::take(const std::string& user_id,
                                                                               const std::string& ceremony,
                                                                               sys_time now) {
  // DELETE ... RETURNING (SQLite 3.35, PostgreSQL): the row is gone whether or not it expired.
  PREPARE(s, c_,
          "DELETE FROM webauthn_challenges WHERE user_id = ? AND ceremony = ? "
          "RETURNING user_id, ceremony, challenge, created_at, expires_at");
  s.bind(1, user_id).bind(2, ceremony);
  auto row = one_row(s, [](const statement& st) {
    return webauthn_challenge_record{st.text(0), st.text(1), st.text(2), from_epoch_millis(st.integer(3)),
                                     from_epoch_millis(st.integer(4))};
  });
  if (!row) return std::unexpected(row.error());
  if (*row && (*row)->expires <= now) return std::optional<webauthn_challenge_record>();
  return row;
}

result<int64_t> webauthn_challenge_repo::remove_expired(sys_time now) {
  PREPARE(s, c_, "DELETE FROM webauthn_challenges WHERE expires_at <= ?");
  s.bind(1, epoch_millis(now));
  if (auto r = run(s); !r) return std::unexpected(r.error());
  return c_.changes();
}

}  // namespace atrium::store::postgresql
