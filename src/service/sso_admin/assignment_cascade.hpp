#pragma once
// What other use cases need from account assignments, without the assignment service itself
// (kept small so that the user, group and permission set services rebuild only if it changes).
// Defined in assignment_service.cpp.
#include <string>

#include "base/clock.hpp"
#include "base/random.hpp"
#include "base/result.hpp"
#include "store/repositories.hpp"

namespace atrium::service {

// Inside the transaction that deletes a user or group (identitystore API or SCIM): removes the
// principal's assignments and queues a deletion request (IN_PROGRESS, picked up by the job
// runner within its poll interval) for each (account, permission set) left without
// assignments, so that its role is removed from the account. The guide ("Manage identities"):
// "When identities are deleted in the AWS SSO store, corresponding assignments also get deleted".
result<void> remove_assignments_of_principal(store::transaction& tx, random_source& rnd, sys_time now,
                                             const std::string& principal_id);

// DeletePermissionSet's guard (the hook `ps` calls): true while the permission set is assigned
// or provisioned anywhere.
result<bool> permission_set_in_use(store::transaction& tx, const std::string& permission_set_arn);

}  // namespace atrium::service
