#pragma once
// assignment_service's lookups over the real stores: the instance is this deployment's one,
// permission sets come from the permission-set store (ps) and accounts from the organization
// store (org). app/wire_sso_admin.cpp hands them to the assignment services.
#include <functional>
#include <string>

#include "service/sso_admin/assignment_service.hpp"

namespace atrium::service {

// `instance_arn` is this deployment's instance; `idp_metadata` gives the SAML metadata put into
// each account.
assignment_lookups store_lookups(std::string instance_arn, std::function<std::string()> idp_metadata);

}  // namespace atrium::service
