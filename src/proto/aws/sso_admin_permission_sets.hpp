#pragma once
// sso-admin operations of the instance and its permission sets (owner ps), added to the
// sso_admin_api table at wiring (see sso_admin_api.hpp):
//   ListInstances, DescribeInstance, UpdateInstance;
//   Create/Update/Delete/Describe/ListPermissionSet(s);
//   Attach/Detach/ListManagedPolicies..., Put/Get/DeleteInlinePolicy...,
//   Attach/Detach/ListCustomerManagedPolicyReference(s)..., Put/Get/DeletePermissionsBoundary...;
//   TagResource, UntagResource, ListTagsForResource (permission sets and the instance).
#include "proto/aws/sso_admin_api.hpp"
#include "service/sso_admin/permission_set_service.hpp"

namespace atrium::proto::aws {

void add_permission_set_operations(sso_admin_api& api, service::permission_set_service& ps);

}  // namespace atrium::proto::aws
