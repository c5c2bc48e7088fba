#include "store/postgresql/admin_policy_repo.hpp"

#include "store/postgresql/rows.hpp"

namespace atrium::store::postgresql {

namespace {

key_policy_record policy_row(const statement& s) {
  key_policy_record r{s.text(0), s.text(1), std::nullopt, from_epoch_millis(s.integer(3))};
  if (!s.is_null(2)) r.document = s.text(2);
  return r;
}

}  // namespace

result<std::vector<key_policy_record>> admin_policy_repo::list_for_key(const std::string& access_key_id) {
  PREPARE(s, c_, "SELECT access_key_id, name, document, attached_at FROM access_key_policies WHERE access_key_id = ? ORDER BY attached_at, name");
  s.bind(1, access_key_id);
  auto all = page_of(s, INT64_MAX, policy_row);
  if (!all) return std::unexpected(all.error());
  return std::move(all->items);
}

result<void> admin_policy_repo::attach(const key_policy_record& r) {
  PREPARE(s, c_, "INSERT INTO access_key_policies(access_key_id, name, document, attached_at) VALUES (?, ?, ?, ?)");
  s.bind(1, r.access_key_id).bind(2, r.name).bind(3, r.document).bind(4, epoch_millis(r.attached_at));
  auto step = s.step();
  s.reset();
  if (!step) {
    if (step.error().code == errc::conflict)
      return fail(errc::conflict, "The access key already has a policy named " + r.name + ".");
    return std::unexpected(step.error());
  }
  return {};
}

result<bool> admin_policy_repo::detach(const std::string& access_key_id, const std::string& name) {
  PREPARE(s, c_, "DELETE FROM access_key_policies WHERE access_key_id = ? AND name = ?");
  s.bind(1, access_key_id).bind(2, name);
  if (auto r = run(s); !r) return std::unexpected(r.error());
  return c_.changes() > 0;
}

}  // namespace atrium::store::postgresql
