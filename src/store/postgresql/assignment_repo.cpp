#include "store/postgresql/assignment_repo.hpp"

#include "store/postgresql/rows.hpp"

namespace atrium::store::postgresql {

namespace {

constexpr const char* assignment_columns =
    "SELECT account_id, permission_set_arn, principal_type, principal_id, created_at FROM account_assignments";

domain::account_assignment assignment_row(const statement& s) {
  return {s.text(0), s.text(1),
          domain::parse_principal_type(s.text(2)).value_or(domain::principal_type::user), s.text(3),
          from_epoch_millis(s.integer(4))};
}

constexpr const char* request_columns =
    "SELECT request_id, kind, status, failure_reason, created_at, instance_arn, account_id, target_type, "
    "permission_set_arn, principal_type, principal_id FROM assignment_requests";

domain::request_kind kind_of(const std::string& s) {
  if (s == "delete_assignment") return domain::request_kind::delete_assignment;
  if (s == "provision_permission_set") return domain::request_kind::provision_permission_set;
  return domain::request_kind::create_assignment;
}

domain::request_record request_row(const statement& s) {
  domain::request_record r;
  r.request_id = s.text(0);
  r.kind = kind_of(s.text(1));
  r.status = domain::parse_request_status(s.text(2)).value_or(domain::request_status::failed);
  r.failure_reason = s.text(3);
  r.created_at = from_epoch_millis(s.integer(4));
  r.instance_arn = s.text(5);
  r.account_id = s.text(6);
  r.target_type = s.text(7);
  r.permission_set_arn = s.text(8);
  r.principal_kind = domain::parse_principal_type(s.text(9)).value_or(domain::principal_type::user);
  r.principal_id = s.text(10);
  return r;
}

constexpr const char* provisioned_columns =
    "SELECT account_id, permission_set_arn, version, updated_at, role_name, role_path FROM provisioned_permission_sets";

domain::provisioned_permission_set provisioned_row(const statement& s) {
  return {s.text(0), s.text(1), s.integer(2), from_epoch_millis(s.integer(3)), s.text(4), s.text(5)};
}

}  // namespace

result<bool> assignment_repo::insert_assignment(const domain::account_assignment& a) {
  // ON CONFLICT DO NOTHING: PostgreSQL's spelling of SQLite's INSERT OR IGNORE.
  PREPARE(s, c_, "INSERT INTO account_assignments(account_id, permission_set_arn, principal_id, "
                 "principal_type, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING");
  s.bind(1, a.account_id).bind(2, a.permission_set_arn).bind(3, a.principal_id);
  s.bind(4, domain::to_string(a.principal_kind)).bind(5, epoch_millis(a.created_at));
  if (auto r = run(s); !r) return std::unexpected(r.error());
  return c_.changes() > 0;
}

result<bool> assignment_repo::remove_assignment(const std::string& account_id, const std::string& permission_set_arn,
                                                const std::string& principal_id) {
  PREPARE(s, c_, "DELETE FROM account_assignments WHERE account_id = ? AND permission_set_arn = ? AND principal_id = ?");
  s.bind(1, account_id).bind(2, permission_set_arn).bind(3, principal_id);
  if (auto r = run(s); !r) return std::unexpected(r.error());
  return c_.changes() > 0;
}

result<std::optional<domain::account_assignment>> assignment_repo::get_assignment(
    const std::string& account_id, const std::string& permission_set_arn, const std::string& principal_id) {
  PREPARE(s, c_, std::string(assignment_columns) +
                     " WHERE account_id = ? AND permission_set_arn = ? AND principal_id = ?");
  s.bind(1, account_id).bind(2, permission_set_arn).bind(3, principal_id);
  return one_row(s, assignment_row);
}

result<page<domain::account_assignment>> assignment_repo::list_for_account(const std::string& account_id,
                                                                           const std::string& permission_set_arn,
                                                                           const page_request& p) {
  PREPARE(s, c_, std::string(assignment_columns) +
                     " WHERE account_id = ? AND permission_set_arn = ? AND principal_id > ? "
                     "ORDER BY principal_id LIMIT ?");
  s.bind(1, account_id).bind(2, permission_set_arn).bind(3, p.after_id).bind(4, page_limit(p) + 1);
  return page_of(s, page_limit(p), assignment_row);
}

result<page<domain::account_assignment>> assignment_repo::list_for_principal(
    const std::string& principal_id, const std::optional<std::string>& account_id, const page_request& p) {
  // after_id "<account> <permission set arn>"; a row-value comparison keeps this a range scan
  // of account_assignments_principal.
  std::string after_account, after_ps;
  if (auto nl = p.after_id.find(' '); nl != std::string::npos) {
    after_account = p.after_id.substr(0, nl);
    after_ps = p.after_id.substr(nl + 1);
  }
  std::string sql = std::string(assignment_columns) + " WHERE principal_id = ? AND (account_id, permission_set_arn) > (?, ?)";
  if (account_id) sql += " AND account_id = ?";
  sql += " ORDER BY account_id, permission_set_arn LIMIT ?";
  PREPARE(s, c_, sql);
  s.bind(1, principal_id).bind(2, after_account).bind(3, after_ps);
  int next = 4;
  if (account_id) s.bind(next++, *account_id);
  s.bind(next, page_limit(p) + 1);
  return page_of(s, page_limit(p), assignment_row);
}

result<int64_t> assignment_repo::count_for_account(const std::string& account_id, const std::string& permission_set_arn) {
  PREPARE(s, c_, "SELECT COUNT(*) FROM account_assignments WHERE account_id = ? AND permission_set_arn = ?");
  s.bind(1, account_id).bind(2, permission_set_arn);
  return scalar(s);
}

result<std::vector<domain::account_assignment>> assignment_repo::remove_all_for_principal(
    const std::string& principal_id) {
  std::vector<domain::account_assignment> out;
  {
    PREPARE(s, c_, std::string(assignment_columns) + " WHERE principal_id = ? ORDER BY account_id, permission_set_arn");
    s.bind(1, principal_id);
    auto all = page_of(s, INT64_MAX, assignment_row);
    if (!all) return std::unexpected(all.error());
    out = std::move(all->items);
  }
  PREPARE(d, c_, "DELETE FROM account_assignments WHERE principal_id = ?");
  d.bind(1, principal_id);
  if (auto r = run(d); !r) return std::unexpected(r.error());
  return out;
}

result<void> assignment_repo::insert_request(const domain::request_record& r) {
  PREPARE(s, c_, "INSERT INTO assignment_requests(request_id, kind, status, failure_reason, created_at, instance_arn, "
                 "account_id, target_type, permission_set_arn, principal_type, principal_id) "
                 "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  s.bind(1, r.request_id).bind(2, domain::to_string(r.kind)).bind(3, domain::to_string(r.status));
  s.bind(4, r.failure_reason).bind(5, epoch_millis(r.created_at)).bind(6, r.instance_arn);
  s.bind(7, r.account_id).bind(8, r.target_type).bind(9, r.permission_set_arn);
  s.bind(10, domain::to_string(r.principal_kind)).bind(11, r.principal_id);
  return run(s);
}

result<bool> assignment_repo::finish_request(const std::string& request_id, domain::request_status st,
                                             const std::string& failure_reason) {
  PREPARE(s, c_, "UPDATE assignment_requests SET status = ?, failure_reason = ? WHERE request_id = ?");
  s.bind(1, domain::to_string(st)).bind(2, failure_reason).bind(3, request_id);
  if (auto r = run(s); !r) return std::unexpected(r.error());
  return c_.changes() > 0;
}

result<std::optional<domain::request_record>> assignment_repo::get_request(const std::string& request_id) {
  PREPARE(s, c_, std::string(request_columns) + " WHERE request_id = ?");
  s.bind(1, request_id);
  return one_row(s, request_row);
}

result<page<domain::request_record>> assignment_repo::list_requests(const request_filter& f, const page_request& p) {
  std::string sql = std::string(request_columns) + " WHERE kind = ? AND request_id > ?";
  if (f.status) sql += " AND status = ?";
  if (f.created_after) sql += " AND created_at > ?";
  sql += " ORDER BY request_id LIMIT ?";
  PREPARE(s, c_, sql);
  s.bind(1, domain::to_string(f.kind)).bind(2, p.after_id);
  int next = 3;
  if (f.status) s.bind(next++, domain::to_string(*f.status));
  if (f.created_after) s.bind(next++, epoch_millis(*f.created_after));
  s.bind(next, page_limit(p) + 1);
  return page_of(s, page_limit(p), request_row);
}

result<std::vector<domain::request_record>> assignment_repo::pending_requests(int limit) {
  PREPARE(s, c_, std::string(request_columns) + " WHERE status = 'IN_PROGRESS' ORDER BY request_id LIMIT ?");
  s.bind(1, static_cast<int64_t>(std::max(1, limit)));
  auto pg = page_of(s, INT64_MAX, request_row);
  if (!pg) return std::unexpected(pg.error());
  return std::move(pg->items);
}

result<int64_t> assignment_repo::count_pending() {
  PREPARE(s, c_, count_pending_sql);
  return scalar(s);
}

result<bool> assignment_repo::take_lease(const std::string& request_id, const std::string& owner, sys_time now,
                                         sys_time until) {
  PREPARE(s, c_,
          "UPDATE assignment_requests SET lease_owner = ?, lease_until = ? WHERE request_id = ? "
          "AND status = 'IN_PROGRESS' AND (lease_until <= ? OR lease_owner = ?)");
  s.bind(1, owner).bind(2, epoch_millis(until)).bind(3, request_id).bind(4, epoch_millis(now)).bind(5, owner);
  if (auto r = run(s); !r) return std::unexpected(r.error());
  return c_.changes() > 0;
}

result<bool> assignment_repo::renew_lease(const std::string& request_id, const std::string& owner, sys_time until) {
  PREPARE(s, c_,
          "UPDATE assignment_requests SET lease_until = ? WHERE request_id = ? AND lease_owner = ? "
          "AND status = 'IN_PROGRESS'");
  s.bind(1, epoch_millis(until)).bind(2, request_id).bind(3, owner);
  if (auto r = run(s); !r) return std::unexpected(r.error());
  return c_.changes() > 0;
}

result<void> assignment_repo::put_provisioned(const domain::provisioned_permission_set& p) {
  PREPARE(s, c_, "INSERT INTO provisioned_permission_sets(account_id, permission_set_arn, version, updated_at, "
                 "role_name, role_path) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(account_id, permission_set_arn) DO UPDATE "
                 "SET version = excluded.version, updated_at = excluded.updated_at, role_name = excluded.role_name, "
                 "role_path = excluded.role_path");
  s.bind(1, p.account_id).bind(2, p.permission_set_arn).bind(3, p.version).bind(4, epoch_millis(p.updated_at));
  s.bind(5, p.role_name).bind(6, p.role_path);
  return run(s);
}

result<bool> assignment_repo::remove_provisioned(const std::string& account_id, const std::string& permission_set_arn) {
  PREPARE(s, c_, "DELETE FROM provisioned_permission_sets WHERE account_id = ? AND permission_set_arn = ?");
  s.bind(1, account_id).bind(2, permission_set_arn);
  if (auto r = run(s); !r) return std::unexpected(r.error());
  return c_.changes() > 0;
}

result<std::optional<domain::provisioned_permission_set>> assignment_repo::get_provisioned(
    const std::string& account_id, const std::string& permission_set_arn) {
  PREPARE(s, c_, std::string(provisioned_columns) + " WHERE account_id = ? AND permission_set_arn = ?");
  s.bind(1, account_id).bind(2, permission_set_arn);
  return one_row(s, provisioned_row);
}

result<page<domain::provisioned_permission_set>> assignment_repo::provisioned_to_account(const std::string& account_id,
                                                                                         const page_request& p) {
  PREPARE(s, c_, std::string(provisioned_columns) +
                     " WHERE account_id = ? AND permission_set_arn > ? ORDER BY permission_set_arn LIMIT ?");
  s.bind(1, account_id).bind(2, p.after_id).bind(3, page_limit(p) + 1);
  return page_of(s, page_limit(p), provisioned_row);
}

result<page<domain::provisioned_permission_set>> assignment_repo::accounts_of_permission_set(
    const std::string& permission_set_arn, const page_request& p) {
  PREPARE(s, c_, std::string(provisioned_columns) +
                     " WHERE permission_set_arn = ? AND account_id > ? ORDER BY account_id LIMIT ?");
  s.bind(1, permission_set_arn).bind(2, p.after_id).bind(3, page_limit(p) + 1);
  return page_of(s, page_limit(p), provisioned_row);
}

result<bool> assignment_repo::permission_set_in_use(const std::string& permission_set_arn) {
  PREPARE(s, c_, "SELECT EXISTS(SELECT 1 FROM provisioned_permission_sets WHERE permission_set_arn = ?1) "
                 "OR EXISTS(SELECT 1 FROM account_assignments WHERE permission_set_arn = ?1)");
  s.bind(1, permission_set_arn);
  auto n = scalar(s);
  if (!n) return std::unexpected(n.error());
  return *n != 0;
}

}  // namespace atrium::store::postgresql
