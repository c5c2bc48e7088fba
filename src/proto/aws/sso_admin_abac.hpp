#pragma once
// sso-admin's four attribute-based access control operations (issue 4 item 6):
// Create/Describe/Update/DeleteInstanceAccessControlAttributeConfiguration, added to the
// sso-admin API through its extension seam (sso_admin_api.hpp) from app/runtime.cpp.
#include <nlohmann/json.hpp>
#include <vector>

#include "domain/access_control_attributes.hpp"
#include "proto/aws/sso_admin_api.hpp"
#include "service/sso_admin/abac_service.hpp"

namespace atrium::proto::aws {

void add_abac_operations(sso_admin_api& api, service::abac_service& abac);

// The request's InstanceAccessControlAttributeConfiguration.AccessControlAttributes, shape-checked
// (the values themselves are domain::validate_access_control_attributes's).
result<std::vector<domain::access_control_attribute>> parse_access_control_attributes(const nlohmann::json& req);

}  // namespace atrium::proto::aws
