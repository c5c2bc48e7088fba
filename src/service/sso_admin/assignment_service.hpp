#pragma once
// Account assignments and permission-set provisioning of the sso-admin API (issue 4 items 4-5;
// API reference: CreateAccountAssignment, DeleteAccountAssignment, ProvisionPermissionSet and
// their status operations). The create/delete/provision calls are asynchronous as in the
// service: they validate, store an IN_PROGRESS request and return it; `provisioning_jobs`
// (provisioning_jobs.hpp) does the work in the accounts and finishes the request.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.hpp"
#include "base/random.hpp"
#include "domain/assignment.hpp"
#include "service/sso_admin/account_provisioner.hpp"
#include "service/sso_admin/assignment_cascade.hpp"
#include "service/audit/audited_store.hpp"
#include "service/audit/call_context.hpp"
#include "service/identity/identity_types.hpp"
#include "store/assignment_repository.hpp"

namespace atrium::service {

// What a permission set becomes in an account; read from the permission-set store by the
// lookup app wires in.
struct permission_set_facts {
  std::string arn;
  std::string name;
  std::string description;
  int64_t version = 0;  // bumped by every change; compared with the provisioned version
  std::vector<std::string> managed_policy_arns;
  std::optional<std::string> inline_policy;
  std::vector<customer_policy_ref> customer_managed;
  std::optional<boundary_spec> boundary;
};

// The role a permission set becomes (<prefix><name>_<16 of the ps> under the naming's path,
// trusting AWSSSO_<16 of the instance>_DO_NOT_DELETE).
role_spec role_for(const std::string& instance_arn, const permission_set_facts& ps, const domain::role_naming& naming);

// What assignments need from the other aggregates (instance and permission sets: `ps`;
// accounts: `org`; IdP metadata: `cloud`). Kept as functions so that this part builds and is
// tested on its own; app wires them over the real stores (assignment_lookups.hpp).
struct assignment_lookups {
  std::function<result<bool>(store::transaction&, const std::string& instance_arn)> instance_exists;
  std::function<result<std::optional<permission_set_facts>>(store::transaction&, const std::string& ps_arn)>
      permission_set;
  std::function<result<bool>(store::transaction&, const std::string& account_id)> account_exists;
  std::function<std::string()> idp_metadata;  // SAML metadata XML put into each account
};

struct assignment_settings {
  // sso_admin.max_outstanding_requests. The service allows 10 outstanding asynchronous
  // account-assignment calls (guide, "Quotas"); Atrium allows more by default.
  int64_t max_outstanding_requests = 1000;
};

struct assignment_request {
  std::string instance_arn;
  std::string account_id;  // TargetId
  std::string permission_set_arn;
  domain::principal_type principal_kind = domain::principal_type::user;
  std::string principal_id;
};

struct provision_request {
  std::string instance_arn;
  std::string permission_set_arn;
  std::optional<std::string> account_id;  // TargetType AWS_ACCOUNT; nullopt: ALL_PROVISIONED_ACCOUNTS
};

// ListPermissionSetsProvisionedToAccount / ListAccountsForProvisionedPermissionSet filter.
enum class provisioning_filter { any, latest_provisioned, latest_not_provisioned };

class assignment_service {
 public:
  assignment_service(audited_store& store, const clock& clk, random_source& rnd, assignment_lookups lookups,
                     assignment_settings settings);

  // Called after a request is stored so that the job runner picks it up at once.
  void on_enqueue(std::function<void()> fn) { wake_ = std::move(fn); }

  result<domain::request_record> create_assignment(const call_context& ctx, const assignment_request& r);
  result<domain::request_record> delete_assignment(const call_context& ctx, const assignment_request& r);
  result<domain::request_record> provision_permission_set(const call_context& ctx, const provision_request& r);

  // kind must match the operation (a creation request id is not found by the deletion one).
  result<domain::request_record> describe_request(const call_context& ctx, const std::string& instance_arn,
                                                  domain::request_kind kind, const std::string& request_id);
  result<listing<domain::request_record>> list_requests(const call_context& ctx, const std::string& instance_arn,
                                                        const store::request_filter& f,
                                                        const std::optional<std::string>& next_token, int max);

  result<listing<domain::account_assignment>> list_assignments(const call_context& ctx, const std::string& instance_arn,
                                                               const std::string& account_id,
                                                               const std::string& permission_set_arn,
                                                               const std::optional<std::string>& next_token, int max);
  result<listing<domain::account_assignment>> list_assignments_for_principal(
      const call_context& ctx, const std::string& instance_arn, domain::principal_type kind,
      const std::string& principal_id, const std::optional<std::string>& account_id,
      const std::optional<std::string>& next_token, int max);

  result<listing<std::string>> permission_sets_provisioned_to_account(const call_context& ctx,
                                                                     const std::string& instance_arn,
                                                                     const std::string& account_id,
                                                                     provisioning_filter f,
                                                                     const std::optional<std::string>& next_token,
                                                                     int max);
  result<listing<std::string>> accounts_for_provisioned_permission_set(const call_context& ctx,
                                                                      const std::string& instance_arn,
                                                                      const std::string& permission_set_arn,
                                                                      provisioning_filter f,
                                                                      const std::optional<std::string>& next_token,
                                                                      int max);

 private:
  result<domain::request_record> enqueue_assignment(const call_context& ctx, const assignment_request& r,
                                                    domain::request_kind kind);
  result<void> check_instance(store::transaction& tx, const std::string& instance_arn) const;
  result<permission_set_facts> load_permission_set(store::transaction& tx, const std::string& ps_arn) const;
  result<void> check_outstanding(store::transaction& tx) const;
  result<domain::request_record> stored(const call_context& ctx, domain::request_record rec,
                                        const std::function<result<void>(store::transaction&)>& checks);
  result<listing<std::string>> provisioned_listing(const call_context& ctx, const std::string& instance_arn,
                                                   const std::string& scope, bool by_account,
                                                   const std::string& key, provisioning_filter f,
                                                   const std::optional<std::string>& next_token, int max);

  audited_store& store_;
  const clock& clock_;
  random_source& random_;
  assignment_lookups lookups_;
  assignment_settings settings_;
  std::function<void()> wake_;
};

}  // namespace atrium::service
