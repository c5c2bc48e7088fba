#pragma once
// PostgreSQL implementation of organization_repository (tables of migration 0004).
#include "store/organization_repository.hpp"
#include "store/postgresql/connection.hpp"

namespace atrium::store::postgresql {

class organization_repo final : public organization_repository {
 public:
  explicit organization_repo(connection& c) : c_(c) {}

  result<std::optional<domain::organization>> get_organization() override;
  result<void> insert_organization(const domain::organization& o) override;

  result<std::optional<domain::org_unit>> get_unit(const std::string& id) override;
  result<std::optional<domain::org_unit>> find_unit(const std::string& parent_id, const std::string& name) override;
  result<void> insert_unit(const domain::org_unit& u) override;
  result<void> update_unit(const domain::org_unit& u) override;
  result<bool> remove_unit(const std::string& id) override;
  result<page<domain::org_unit>> units_by_parent(const std::string& parent_id, const page_request& p) override;
  result<page<domain::org_unit>> list_units(const page_request& p) override;

  result<std::optional<domain::account>> get_account(const std::string& id) override;
  result<void> insert_account(const domain::account& a) override;
  result<void> update_account(const domain::account& a) override;
  result<bool> remove_account(const std::string& id) override;
  result<page<domain::account>> accounts_by_parent(const std::string& parent_id, const page_request& p) override;
  result<page<domain::account>> list_accounts(const page_request& p) override;

  result<bool> has_children(const std::string& parent_id) override;

 private:
  connection& c_;
};

}  // namespace atrium::store::postgresql
