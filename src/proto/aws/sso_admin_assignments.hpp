#pragma once
// The sso-admin operations of account assignments and permission-set provisioning (API
// reference 2020-07-20): Create/DeleteAccountAssignment, their Describe/List...Status,
// ListAccountAssignments, ListAccountAssignmentsForPrincipal, ProvisionPermissionSet,
// Describe/ListPermissionSetProvisioningStatus, ListPermissionSetsProvisionedToAccount and
// ListAccountsForProvisionedPermissionSet. Pure functions of a parsed request; plugged into the
// sso-admin json_api (sso_admin_api) through its extension seam.
#include <nlohmann/json.hpp>
#include <string_view>

#include "base/result.hpp"
#include "proto/aws/sso_admin_api.hpp"
#include "service/sso_admin/assignment_service.hpp"
#include "service/audit/call_context.hpp"

namespace atrium::proto::aws {

class sso_admin_assignments {
 public:
  explicit sso_admin_assignments(service::assignment_service& svc) : svc_(svc) {}

  bool has(std::string_view operation) const;
  bool is_read_only(std::string_view operation) const;
  result<nlohmann::json> call(std::string_view operation, const nlohmann::json& req,
                              const service::call_context& ctx);

 private:
  result<nlohmann::json> assignments(std::string_view op, const nlohmann::json& req, const service::call_context& ctx);
  result<nlohmann::json> statuses(std::string_view op, const nlohmann::json& req, const service::call_context& ctx);
  result<nlohmann::json> provisioning(std::string_view op, const nlohmann::json& req, const service::call_context& ctx);

  service::assignment_service& svc_;
};

// The seam of sso_admin_api.hpp: adds the 13 operations above to the sso-admin API.
void add_assignment_operations(sso_admin_api& api, service::assignment_service& svc);

}  // namespace atrium::proto::aws
