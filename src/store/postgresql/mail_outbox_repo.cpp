// mail_outbox_repo: migration 0021's mail_outbox table.
#include "store/postgresql/mail_outbox_repo.hpp"

#include "store/postgresql/rows.hpp"

namespace atrium::store::postgresql {

namespace {
outbox_message outbox_row(const statement& st) {
  return outbox_message{st.text(0), st.text(1), st.text(2), from_epoch_millis(st.integer(3)),
                        from_epoch_millis(st.integer(4)), st.integer(5), st.text(6), from_epoch_millis(st.integer(7))};
}
}  // namespace

result<void> mail_outbox_repo::enqueue(const outbox_message& m) {
  PREPARE(s, c_,
          "INSERT INTO mail_outbox(id, event, sealed, created_at, next_attempt_at, attempts, lease_owner, lease_until) "
          "VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
  s.bind(1, m.id).bind(2, m.event).bind(3, m.sealed).bind(4, epoch_millis(m.created_at))
      .bind(5, epoch_millis(m.next_attempt_at)).bind(6, m.attempts).bind(7, m.lease_owner)
      .bind(8, epoch_millis(m.lease_until));
  return run(s);
}

result<std::vector<outbox_message>> mail_outbox_repo::take(const std::string& owner, sys_time now,
                                                           sys_time lease_until, int64_t limit) {
  PREPARE(s, c_,
          "UPDATE mail_outbox SET lease_owner = ?1, lease_until = ?2 WHERE id IN "
          "(SELECT id FROM mail_outbox WHERE next_attempt_at <= ?3 AND (lease_until <= ?3 OR lease_owner = ?1) "
          "ORDER BY next_attempt_at, id LIMIT ?4) AND next_attempt_at <= ?3 AND (lease_until <= ?3 OR lease_owner = ?1) "
          "RETURNING id, event, sealed, created_at, next_attempt_at, attempts, lease_owner, lease_until");
  s.bind(1, owner).bind(2, epoch_millis(lease_until)).bind(3, epoch_millis(now)).bind(4, std::max<int64_t>(1, limit));
  // At most `limit` rows come back (the subquery's LIMIT): page_of reads them all.
  auto got = page_of(s, std::max<int64_t>(1, limit), outbox_row);
  if (!got) return std::unexpected(got.error());
  return std::move(got->items);
}

result<bool> mail_outbox_repo::remove(const std::string& id, const std::string& owner) {
  PREPARE(s, c_, "DELETE FROM mail_outbox WHERE id = ? AND lease_owner = ?");
  s.bind(1, id).bind(2, owner);
  if (auto x = run(s); !x) return std::unexpected(x.error());
  return c_.changes() > 0;
}

result<bool> mail_outbox_repo::retry_later(const std::string& id, const std::string& owner, sys_time next_attempt_at) {
  PREPARE(s, c_,
          "UPDATE mail_outbox SET attempts = attempts + 1, next_attempt_at = ?, lease_owner = '', lease_until = 0 "
          "WHERE id = ? AND lease_owner = ?");
  s.bind(1, epoch_millis(next_attempt_at)).bind(2, id).bind(3, owner);
  if (auto x = run(s); !x) return std::unexpected(x.error());
  return c_.changes() > 0;
}

result<int64_t> mail_outbox_repo::count() {
  PREPARE(s, c_, "SELECT COUNT(*) FROM mail_outbox");
  return scalar(s);
}

}  // namespace atrium::store::postgresql
