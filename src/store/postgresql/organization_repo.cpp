#include "store/postgresql/organization_repo.hpp"

#include "store/postgresql/rows.hpp"

namespace atrium::store::postgresql {

namespace {

// Names what a uniqueness violation was about (SQLite's message names the columns only).
error org_conflict_of(const error& e) {
  if (e.code != errc::conflict) return e;
  if (e.message.find("org_units.parent_id") != std::string::npos)
    return error{errc::conflict, "An OU with this name already exists under the parent.", "DUPLICATE_OU", {}};
  if (e.message.find("org_accounts.id") != std::string::npos)
    return error{errc::conflict, "The account is already in the organization.", "DUPLICATE_ACCOUNT", {}};
  return error{errc::conflict, "The resource already exists.", {}, {}};
}

constexpr const char* unit_columns = "SELECT id, parent_id, name, created_at FROM org_units";
constexpr const char* account_columns =
    "SELECT id, parent_id, name, email, status, joined_method, joined_at FROM org_accounts";

domain::org_unit unit_row(const statement& s) {
  return {s.text(0), s.text(2), s.text(1), from_epoch_millis(s.integer(3))};
}

domain::account account_row(const statement& s) {
  return {s.text(0), s.text(2), s.text(3), s.text(1), s.text(4), s.text(5), from_epoch_millis(s.integer(6))};
}

}  // namespace

result<std::optional<domain::organization>> organization_repo::get_organization() {
  PREPARE(s, c_, "SELECT id, management_account_id, root_id, feature_set, created_at FROM org_organization LIMIT 1");
  return one_row(s, [](const statement& st) {
    return domain::organization{st.text(0), st.text(1), st.text(2), st.text(3), from_epoch_millis(st.integer(4))};
  });
}

result<void> organization_repo::insert_organization(const domain::organization& o) {
  PREPARE(s, c_, "INSERT INTO org_organization(id, management_account_id, root_id, feature_set, created_at) VALUES (?, ?, ?, ?, ?)");
  s.bind(1, o.id).bind(2, o.management_account_id).bind(3, o.root_id).bind(4, o.feature_set).bind(5, epoch_millis(o.created_at));
  return run(s, org_conflict_of);
}

result<std::optional<domain::org_unit>> organization_repo::get_unit(const std::string& id) {
  PREPARE(s, c_, std::string(unit_columns) + " WHERE id = ?");
  s.bind(1, id);
  return one_row(s, unit_row);
}

result<std::optional<domain::org_unit>> organization_repo::find_unit(const std::string& parent_id, const std::string& name) {
  PREPARE(s, c_, std::string(unit_columns) + " WHERE parent_id = ? AND name = ?");
  s.bind(1, parent_id).bind(2, name);
  return one_row(s, unit_row);
}

result<void> organization_repo::insert_unit(const domain::org_unit& u) {
  PREPARE(s, c_, "INSERT INTO org_units(id, parent_id, name, created_at) VALUES (?, ?, ?, ?)");
  s.bind(1, u.id).bind(2, u.parent_id).bind(3, u.name).bind(4, epoch_millis(u.created_at));
  return run(s, org_conflict_of);
}

result<void> organization_repo::update_unit(const domain::org_unit& u) {
  PREPARE(s, c_, "UPDATE org_units SET parent_id = ?, name = ? WHERE id = ?");
  s.bind(1, u.parent_id).bind(2, u.name).bind(3, u.id);
  return run(s, org_conflict_of);
}

result<bool> organization_repo::remove_unit(const std::string& id) {
  PREPARE(s, c_, "DELETE FROM org_units WHERE id = ?");
  s.bind(1, id);
  if (auto r = run(s, org_conflict_of); !r) return std::unexpected(r.error());
  return c_.changes() > 0;
}

result<page<domain::org_unit>> organization_repo::units_by_parent(const std::string& parent_id, const page_request& p) {
  PREPARE(s, c_, std::string(unit_columns) + " WHERE parent_id = ? AND id > ? ORDER BY id LIMIT ?");
  s.bind(1, parent_id).bind(2, p.after_id).bind(3, page_limit(p) + 1);
  return page_of(s, page_limit(p), unit_row);
}

result<page<domain::org_unit>> organization_repo::list_units(const page_request& p) {
  PREPARE(s, c_, std::string(unit_columns) + " WHERE id > ? ORDER BY id LIMIT ?");
  s.bind(1, p.after_id).bind(2, page_limit(p) + 1);
  return page_of(s, page_limit(p), unit_row);
}

result<std::optional<domain::account>> organization_repo::get_account(const std::string& id) {
  PREPARE(s, c_, std::string(account_columns) + " WHERE id = ?");
  s.bind(1, id);
  return one_row(s, account_row);
}

result<void> organization_repo::insert_account(const domain::account& a) {
  PREPARE(s, c_,
          "INSERT INTO org_accounts(id, parent_id, name, email, status, joined_method, joined_at) VALUES (?, ?, ?, ?, ?, ?, ?)");
  s.bind(1, a.id).bind(2, a.parent_id).bind(3, a.name).bind(4, a.email).bind(5, a.status).bind(6, a.joined_method);
  s.bind(7, epoch_millis(a.joined_at));
  return run(s, org_conflict_of);
}

result<void> organization_repo::update_account(const domain::account& a) {
  PREPARE(s, c_, "UPDATE org_accounts SET parent_id = ?, name = ?, email = ?, status = ? WHERE id = ?");
  s.bind(1, a.parent_id).bind(2, a.name).bind(3, a.email).bind(4, a.status).bind(5, a.id);
  return run(s, org_conflict_of);
}

result<bool> organization_repo::remove_account(const std::string& id) {
  PREPARE(s, c_, "DELETE FROM org_accounts WHERE id = ?");
  s.bind(1, id);
  if (auto r = run(s, org_conflict_of); !r) return std::unexpected(r.error());
  return c_.changes() > 0;
}

result<page<domain::account>> organization_repo::accounts_by_parent(const std::string& parent_id, const page_request& p) {
  PREPARE(s, c_, std::string(account_columns) + " WHERE parent_id = ? AND id > ? ORDER BY id LIMIT ?");
  s.bind(1, parent_id).bind(2, p.after_id).bind(3, page_limit(p) + 1);
  return page_of(s, page_limit(p), account_row);
}

result<page<domain::account>> organization_repo::list_accounts(const page_request& p) {
  PREPARE(s, c_, std::string(account_columns) + " WHERE id > ? ORDER BY id LIMIT ?");
  s.bind(1, p.after_id).bind(2, page_limit(p) + 1);
  return page_of(s, page_limit(p), account_row);
}

result<bool> organization_repo::has_children(const std::string& parent_id) {
  PREPARE(s, c_,
          "SELECT EXISTS(SELECT 1 FROM org_accounts WHERE parent_id = ?1) OR "
          "EXISTS(SELECT 1 FROM org_units WHERE parent_id = ?1)");
  s.bind(1, parent_id);
  auto any = scalar(s);
  if (!any) return std::unexpected(any.error());
  return *any != 0;
}

}  // namespace atrium::store::postgresql
