#pragma once
// Accounts, organizational units and the organization itself (issue 4 item 2).
// The interface is reached through transaction::organization(); store/sqlite implements it in
// organization_repo.cpp. Listings are keyset pages in id order (page_request::after_id); the
// listings by parent use an index on (parent_id, id), so a page costs the same with ten
// accounts under a parent or ten thousand.
#include <optional>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "domain/org.hpp"
#include "store/repositories.hpp"

namespace atrium::store {

class organization_repository {
 public:
  virtual ~organization_repository() = default;

  // The one organization of the deployment (nullopt before first use).
  virtual result<std::optional<domain::organization>> get_organization() = 0;
  virtual result<void> insert_organization(const domain::organization& o) = 0;

  virtual result<std::optional<domain::org_unit>> get_unit(const std::string& id) = 0;
  // An OU named exactly `name` directly under parent_id.
  virtual result<std::optional<domain::org_unit>> find_unit(const std::string& parent_id, const std::string& name) = 0;
  virtual result<void> insert_unit(const domain::org_unit& u) = 0;  // same name under same parent -> conflict
  virtual result<void> update_unit(const domain::org_unit& u) = 0;  // name and parent
  virtual result<bool> remove_unit(const std::string& id) = 0;
  virtual result<page<domain::org_unit>> units_by_parent(const std::string& parent_id, const page_request& p) = 0;
  // Every OU of the organization in id order.
  virtual result<page<domain::org_unit>> list_units(const page_request& p) = 0;

  virtual result<std::optional<domain::account>> get_account(const std::string& id) = 0;
  virtual result<void> insert_account(const domain::account& a) = 0;  // existing id -> conflict
  virtual result<void> update_account(const domain::account& a) = 0;  // name, email, parent, status
  virtual result<bool> remove_account(const std::string& id) = 0;
  virtual result<page<domain::account>> accounts_by_parent(const std::string& parent_id, const page_request& p) = 0;
  virtual result<page<domain::account>> list_accounts(const page_request& p) = 0;

  // True when an account or an OU has parent_id as its parent.
  virtual result<bool> has_children(const std::string& parent_id) = 0;
};

}  // namespace atrium::store
