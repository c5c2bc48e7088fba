#pragma once
// Turns one AWS JSON call into the request delegated administration evaluates (issue 4 item 7):
// the action "<action_prefix>:<Operation>" and the resources the call names, as ARNs in the
// user guide's resource-type table ("Delegating permission set administration"):
//   InstanceArn                     -> arn:aws:sso:::instance/ssoins-...
//   PermissionSetArn, ResourceArn   -> arn:aws:sso:::permissionSet/ssoins-.../ps-... (with its tags)
//   ApplicationArn                  -> arn:aws:sso::<account>:application/ssoins-.../apl-...
//   TargetId (TargetType AWS_ACCOUNT), AccountId -> arn:aws:sso:::account/<id>
//   IdentityStoreId                 -> arn:aws:identitystore::<account>:identitystore/d-...
// A call naming none of these is evaluated against "*" (ListInstances, the organizations subset).
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "domain/admin_policy.hpp"
#include "service/organization/org_resource_source.hpp"
#include "service/sso_admin/resource_tags.hpp"

namespace atrium::proto::aws {

struct policy_scope {
  std::string account_id;  // the deployment's account, for identity store ARNs
  // The organizations calls' roots, OUs and accounts (AccountId, ParentId, ChildId, ...); without
  // it they name no resource and are evaluated against "*".
  service::org_resource_source* orgs = nullptr;
};

// Tags are read through `tags` only for permission sets and only when `need_tags` (a key whose
// policies never test aws:ResourceTag costs no lookup). A failing lookup is returned.
result<domain::policy_request> policy_request_for(std::string_view action_prefix, std::string_view operation,
                                                  const nlohmann::json& body, const policy_scope& scope,
                                                  service::resource_tag_source* tags, bool need_tags);

// True when any statement tests aws:ResourceTag/... (so tag lookups are worth making).
bool uses_resource_tags(const std::vector<domain::admin_policy>& policies);

}  // namespace atrium::proto::aws
