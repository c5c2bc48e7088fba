#include "store/sqlite/admin_policy_repo.hpp"

#include "store/sqlite/rows.hpp"

namespace atrium::store::sqlite {

namespace {

key_policy_record policy_row(const statement& s) {
  key_policy_record r{s.text(0), s.text(1), std::nullopt, from_epoch_millis(s.integer(3))};
  if (!s.is_null(2)) r.document = s.text(2);
  return r;
}

console_policy_record console_row(const statement& s) {
  console_policy_record r{s.text(0), s.text(1), s.text(2), std::nullopt, from_epoch_millis(s.integer(4))};
  if (!s.is_null(3)) r.document = s.text(3);
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

result<std::vector<console_policy_record>> admin_policy_repo::list_console() {
  PREPARE(s, c_, "SELECT principal_type, principal_id, name, document, attached_at FROM console_access_policies ORDER BY attached_at, principal_type, principal_id, name");
  auto all = page_of(s, INT64_MAX, console_row);
  if (!all) return std::unexpected(all.error());
  return std::move(all->items);
}

// One indexed lookup per principal (the primary key's prefix): a user is in few groups.
result<std::vector<console_policy_record>> admin_policy_repo::list_console_for(
    const std::vector<std::pair<std::string, std::string>>& principals) {
  PREPARE(s, c_, "SELECT principal_type, principal_id, name, document, attached_at FROM console_access_policies WHERE principal_type = ? AND principal_id = ? ORDER BY attached_at, name");
  std::vector<console_policy_record> out;
  for (const auto& [type, id] : principals) {
    s.bind(1, type).bind(2, id);
    auto rows = page_of(s, INT64_MAX, console_row);
    if (!rows) return std::unexpected(rows.error());
    for (auto& r : rows->items) out.push_back(std::move(r));
  }
  return out;
}

result<void> admin_policy_repo::attach_console(const console_policy_record& r) {
  PREPARE(s, c_, "INSERT INTO console_access_policies(principal_type, principal_id, name, document, attached_at) VALUES (?, ?, ?, ?, ?)");
  s.bind(1, r.principal_type).bind(2, r.principal_id).bind(3, r.name).bind(4, r.document).bind(5, epoch_millis(r.attached_at));
  auto step = s.step();
  s.reset();
  if (!step) {
    if (step.error().code == errc::conflict)
      return fail(errc::conflict, "The " + std::string(r.principal_type == "USER" ? "user" : "group") +
                                      " already has a console policy named " + r.name + ".");
    return std::unexpected(step.error());
  }
  return {};
}

result<bool> admin_policy_repo::detach_console(const std::string& principal_type, const std::string& principal_id,
                                               const std::string& name) {
  PREPARE(s, c_, "DELETE FROM console_access_policies WHERE principal_type = ? AND principal_id = ? AND name = ?");
  s.bind(1, principal_type).bind(2, principal_id).bind(3, name);
  if (auto r = run(s); !r) return std::unexpected(r.error());
  return c_.changes() > 0;
}

}  // namespace atrium::store::sqlite
