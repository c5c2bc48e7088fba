#pragma once
// Use cases of the sso-admin instance and its permission sets (issue 4 items 1 and 3; user
// guide "Permission sets", "Configure permission set properties", "Tagging AWS SSO
// resources", "Quotas"). Each runs load -> domain rule -> save -> CloudTrail record in one
// transaction through audited_store.
//
// For the other issue-4 parts (they run inside their own transactions, no audit of their own):
//   permission_set_service::load(tx, arn)     -> the permission set with policies, boundary,
//                                                tags and version (nullopt when unknown)
//   permission_set_service::tags_of(tx, arn)  -> tags of a permission set or instance ARN
//                                                (for aws:ResourceTag conditions)
// DeletePermissionSet asks `provisioned_check` (set at wiring by the assignments owner)
// whether the permission set is still provisioned to an account; while it is, the delete is
// a ConflictException (the service's answer).
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "base/clock.hpp"
#include "base/random.hpp"
#include "base/result.hpp"
#include "domain/permission_set.hpp"
#include "service/audit/audited_store.hpp"
#include "service/audit/call_context.hpp"
#include "store/permission_set_repository.hpp"

namespace atrium::service {

// Defaults are at least the service's (guide "Quotas": 500 permission sets per instance, one
// inline policy of 10,240 bytes (today's service: 32,768), IAM: 20 managed policies per role;
// tags: 50 per resource). Config keys: quotas.permission_sets, quotas.managed_policies_per_permission_set,
// quotas.customer_managed_policies_per_permission_set, quotas.inline_policy_bytes,
// quotas.tags_per_resource (docs/configuration.md).
struct permission_set_quotas {
  int permission_sets = 500;
  int managed_policies = 20;
  int customer_managed_policies = 20;
  int inline_policy_bytes = 32768;
  int tags = 50;
};

// UpdatePermissionSet: members that are present replace the stored value.
struct permission_set_changes {
  std::optional<std::string> description;
  std::optional<std::string> session_duration;
  std::optional<std::string> relay_state;
};

// CreatePermissionSet's request.
struct permission_set_draft {
  std::string name;
  std::optional<std::string> description;
  std::optional<std::string> session_duration;
  std::optional<std::string> relay_state;
  std::vector<domain::resource_tag> tags;
};

template <class T>
struct sso_page {
  std::vector<T> items;
  std::optional<std::string> next_token;
};

struct instance_view {
  std::string instance_arn;
  std::string identity_store_id;
  std::string owner_account_id;
  std::string name;
  sys_time created_at{};
};

class permission_set_service {
 public:
  using provisioned_check = std::function<result<bool>(store::transaction&, const std::string& ps_arn)>;

  permission_set_service(audited_store& store, const clock& clk, random_source& rnd, std::string instance_id,
                         std::string identity_store_id, std::string owner_account_id, permission_set_quotas q);

  // Wiring: the assignments owner tells whether a permission set is provisioned somewhere.
  void set_provisioned_check(provisioned_check f) { provisioned_ = std::move(f); }
  // Creates the instance row on first start (not a client's change: no audit record).
  result<void> open_instance();

  const std::string& instance_id() const { return instance_id_; }
  std::string instance_arn() const { return domain::instance_arn(instance_id_); }

  // ---- Instance ----
  result<instance_view> describe_instance(const call_context& ctx);
  result<std::monostate> update_instance(const call_context& ctx, const std::string& name);

  // ---- Permission sets ----
  result<domain::permission_set> create(const call_context& ctx, permission_set_draft d);
  result<domain::permission_set> describe(const call_context& ctx, const std::string& arn);
  result<domain::permission_set> update(const call_context& ctx, const std::string& arn,
                                        const permission_set_changes& c);
  result<std::monostate> remove(const call_context& ctx, const std::string& arn);
  result<sso_page<std::string>> list(const call_context& ctx, const std::optional<std::string>& token, int max);

  result<std::monostate> attach_managed(const call_context& ctx, const std::string& arn, const std::string& policy_arn);
  result<std::monostate> detach_managed(const call_context& ctx, const std::string& arn, const std::string& policy_arn);
  result<sso_page<std::string>> list_managed(const call_context& ctx, const std::string& arn,
                                             const std::optional<std::string>& token, int max);

  result<std::monostate> attach_customer(const call_context& ctx, const std::string& arn,
                                         const domain::customer_managed_ref& ref);
  result<std::monostate> detach_customer(const call_context& ctx, const std::string& arn,
                                         const domain::customer_managed_ref& ref);
  result<sso_page<domain::customer_managed_ref>> list_customer(const call_context& ctx, const std::string& arn,
                                                               const std::optional<std::string>& token, int max);

  result<std::monostate> put_inline(const call_context& ctx, const std::string& arn, const std::string& doc);
  // "" when the permission set has none (the service answers an empty InlinePolicy).
  result<std::string> get_inline(const call_context& ctx, const std::string& arn);
  result<std::monostate> delete_inline(const call_context& ctx, const std::string& arn);

  result<std::monostate> put_boundary(const call_context& ctx, const std::string& arn,
                                      const domain::permissions_boundary& b);
  result<domain::permissions_boundary> get_boundary(const call_context& ctx, const std::string& arn);
  result<std::monostate> delete_boundary(const call_context& ctx, const std::string& arn);

  // Tags of a permission set or of the instance (TaggableResourceArn).
  result<std::monostate> tag(const call_context& ctx, const std::string& resource_arn,
                             const std::vector<domain::resource_tag>& tags);
  result<std::monostate> untag(const call_context& ctx, const std::string& resource_arn,
                               const std::vector<std::string>& keys);
  result<sso_page<domain::resource_tag>> list_tags(const call_context& ctx, const std::string& resource_arn,
                                                   const std::optional<std::string>& token);

  // ---- Reads for the other issue-4 parts (inside their transaction; no audit) ----
  static result<std::optional<domain::permission_set>> load(store::transaction& tx, const std::string& arn);
  result<std::vector<domain::resource_tag>> tags_of(store::transaction& tx, const std::string& resource_arn) const;

 private:
  using ps_mutation = std::function<result<void>(domain::permission_set&)>;
  // Loads, mutates, bumps version and updated_at when `changes_role`, saves, audits.
  result<domain::permission_set> mutate(const call_context& ctx, const std::string& arn, bool changes_role,
                                        const ps_mutation& fn);
  result<domain::permission_set> read_one(const call_context& ctx, const std::string& arn);
  result<domain::permission_set> must_load(store::transaction& tx, const std::string& arn) const;
  result<store::instance_record> must_instance(store::transaction& tx) const;
  result<std::monostate> done(result<domain::permission_set> r) const;

  audited_store& store_;
  const clock& clock_;
  random_source& random_;
  std::string instance_id_;
  std::string identity_store_id_;
  std::string owner_account_id_;
  permission_set_quotas quotas_;
  provisioned_check provisioned_;
};

}  // namespace atrium::service
