#pragma once
// Account assignments, asynchronous request status records and provisioned (account, permission set) state (issue 4 items 4-5).
// The interface is reached through transaction::assignments(); store/sqlite implements it in
// assignment_repo.cpp.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "domain/assignment.hpp"
#include "store/repositories.hpp"

namespace atrium::store {

// Which status records a List...Status operation wants (OperationStatusFilter.Status, plus
// CreatedAfter which newer API versions may add). Pages are keyset pages on the request id,
// which is a time-ordered uuid7, so id order is creation order.
struct request_filter {
  domain::request_kind kind = domain::request_kind::create_assignment;
  std::optional<domain::request_status> status;
  std::optional<sys_time> created_after;
};

class assignment_repository {
 public:
  virtual ~assignment_repository() = default;

  // Assignments. insert_assignment: false when the same (account, permission set, principal)
  // already exists (a repeated job after a crash is no error).
  virtual result<bool> insert_assignment(const domain::account_assignment& a) = 0;
  virtual result<bool> remove_assignment(const std::string& account_id, const std::string& permission_set_arn,
                                         const std::string& principal_id) = 0;
  virtual result<std::optional<domain::account_assignment>> get_assignment(
      const std::string& account_id, const std::string& permission_set_arn, const std::string& principal_id) = 0;
  // ListAccountAssignments: ordered by principal id; page_request::after_id is a principal id.
  virtual result<page<domain::account_assignment>> list_for_account(const std::string& account_id,
                                                                    const std::string& permission_set_arn,
                                                                    const page_request& p) = 0;
  // ListAccountAssignmentsForPrincipal: ordered by (account, permission set); after_id is
  // "<account> <permission set arn>".
  virtual result<page<domain::account_assignment>> list_for_principal(const std::string& principal_id,
                                                                      const std::optional<std::string>& account_id,
                                                                      const page_request& p) = 0;
  virtual result<int64_t> count_for_account(const std::string& account_id, const std::string& permission_set_arn) = 0;
  // Removes every assignment of a principal (user or group deleted) and returns them.
  virtual result<std::vector<domain::account_assignment>> remove_all_for_principal(const std::string& principal_id) = 0;

  // Request status records.
  virtual result<void> insert_request(const domain::request_record& r) = 0;
  // Sets status and failure reason of an existing request.
  virtual result<bool> finish_request(const std::string& request_id, domain::request_status s,
                                      const std::string& failure_reason) = 0;
  virtual result<std::optional<domain::request_record>> get_request(const std::string& request_id) = 0;
  virtual result<page<domain::request_record>> list_requests(const request_filter& f, const page_request& p) = 0;
  // IN_PROGRESS requests of every kind, oldest first (the job queue).
  virtual result<std::vector<domain::request_record>> pending_requests(int limit) = 0;
  virtual result<int64_t> count_pending() = 0;
  // The job queue's claim (migration 0020, issue 13 item 2: one node runs a job): the request
  // gets `owner`'s lease until `until` when it is IN_PROGRESS and its lease is free, expired at
  // `now`, or already `owner`'s; false otherwise (another node holds it, or it finished). One
  // conditional UPDATE: of two nodes taking it at once one wins (SQLite's single writer;
  // PostgreSQL's SERIALIZABLE runs the other again, which then finds the lease held). A node
  // that dies leaves its lease to expire, then another takes the request.
  virtual result<bool> take_lease(const std::string& request_id, const std::string& owner, sys_time now,
                                  sys_time until) = 0;
  // Extends the lease while the job runs; false when `owner` no longer holds it (it expired and
  // another node claimed the request, or it finished).
  virtual result<bool> renew_lease(const std::string& request_id, const std::string& owner, sys_time until) = 0;

  // Provisioned state per (account, permission set).
  virtual result<void> put_provisioned(const domain::provisioned_permission_set& p) = 0;
  virtual result<bool> remove_provisioned(const std::string& account_id, const std::string& permission_set_arn) = 0;
  virtual result<std::optional<domain::provisioned_permission_set>> get_provisioned(
      const std::string& account_id, const std::string& permission_set_arn) = 0;
  // Ordered by permission set ARN; after_id is an ARN.
  virtual result<page<domain::provisioned_permission_set>> provisioned_to_account(const std::string& account_id,
                                                                                  const page_request& p) = 0;
  // Ordered by account id; after_id is an account id.
  virtual result<page<domain::provisioned_permission_set>> accounts_of_permission_set(
      const std::string& permission_set_arn, const page_request& p) = 0;
  // True when the permission set is provisioned to any account or assigned anywhere
  // (DeletePermissionSet answers ConflictException then).
  virtual result<bool> permission_set_in_use(const std::string& permission_set_arn) = 0;
};

}  // namespace atrium::store
