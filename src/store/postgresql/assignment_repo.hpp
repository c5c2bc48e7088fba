#pragma once
#include "store/assignment_repository.hpp"
#include "store/postgresql/connection.hpp"

namespace atrium::store::postgresql {

class assignment_repo final : public assignment_repository {
 public:
  // The outstanding-request count of every Create/DeleteAccountAssignment, counted through the
  // partial index assignment_requests_pending (only the IN_PROGRESS rows). The plain
  // COUNT(*) ... WHERE status = 'IN_PROGRESS' made SQLite's planner scan the covering index
  // assignment_requests_kind_status, i.e. every request ever made: each create then cost
  // O(requests) in the writer thread and seeding 100,000 assignments grew quadratically (issue 18
  // item 4, docs/PERFORMANCE.md). The subquery's ORDER BY is what selects the partial index; a
  // test checks the plan.
  static constexpr const char* count_pending_sql =
      "SELECT COUNT(*) FROM (SELECT request_id FROM assignment_requests WHERE status = 'IN_PROGRESS' "
      "ORDER BY request_id) AS pending";

  explicit assignment_repo(connection& c) : c_(c) {}

  result<bool> insert_assignment(const domain::account_assignment& a) override;
  result<bool> remove_assignment(const std::string& account_id, const std::string& permission_set_arn,
                                 const std::string& principal_id) override;
  result<std::optional<domain::account_assignment>> get_assignment(const std::string& account_id,
                                                                   const std::string& permission_set_arn,
                                                                   const std::string& principal_id) override;
  result<page<domain::account_assignment>> list_for_account(const std::string& account_id,
                                                            const std::string& permission_set_arn,
                                                            const page_request& p) override;
  result<page<domain::account_assignment>> list_for_principal(const std::string& principal_id,
                                                              const std::optional<std::string>& account_id,
                                                              const page_request& p) override;
  result<int64_t> count_for_account(const std::string& account_id, const std::string& permission_set_arn) override;
  result<std::vector<domain::account_assignment>> remove_all_for_principal(const std::string& principal_id) override;

  result<void> insert_request(const domain::request_record& r) override;
  result<bool> finish_request(const std::string& request_id, domain::request_status s,
                              const std::string& failure_reason) override;
  result<std::optional<domain::request_record>> get_request(const std::string& request_id) override;
  result<page<domain::request_record>> list_requests(const request_filter& f, const page_request& p) override;
  result<std::vector<domain::request_record>> pending_requests(int limit) override;
  result<int64_t> count_pending() override;
  result<bool> take_lease(const std::string& request_id, const std::string& owner, sys_time now,
                          sys_time until) override;
  result<bool> renew_lease(const std::string& request_id, const std::string& owner, sys_time until) override;

  result<void> put_provisioned(const domain::provisioned_permission_set& p) override;
  result<bool> remove_provisioned(const std::string& account_id, const std::string& permission_set_arn) override;
  result<std::optional<domain::provisioned_permission_set>> get_provisioned(
      const std::string& account_id, const std::string& permission_set_arn) override;
  result<page<domain::provisioned_permission_set>> provisioned_to_account(const std::string& account_id,
                                                                          const page_request& p) override;
  result<page<domain::provisioned_permission_set>> accounts_of_permission_set(const std::string& permission_set_arn,
                                                                              const page_request& p) override;
  result<bool> permission_set_in_use(const std::string& permission_set_arn) override;

 private:
  connection& c_;
};

}  // namespace atrium::store::postgresql
