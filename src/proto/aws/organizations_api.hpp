#pragma once
// The AWS Organizations subset Identity Center needs (AWS JSON 1.1, target prefix
// "AWSOrganizationsV20161128", SigV4 service "organizations"): the reads the CLI and boto3 use
// to see the organization (ListAccounts, ListRoots, ListOrganizationalUnitsForParent,
// ListAccountsForParent, ListChildren, ListParents, DescribeAccount, DescribeOrganization,
// DescribeOrganizationalUnit) and the writes on its structure (CreateOrganizationalUnit,
// UpdateOrganizationalUnit, DeleteOrganizationalUnit, MoveAccount). Paging is NextToken /
// MaxResults (1-20) as the CLI's paginators expect; errors use Organizations' own names.
#include <nlohmann/json.hpp>
#include <string_view>

#include "proto/aws/json_api.hpp"
#include "service/organization/organization_service.hpp"

namespace atrium::proto::aws {

class organizations_api final : public json_api {
 public:
  explicit organizations_api(service::organization_service& svc);
  // The table's handlers call back into this object.
  organizations_api(const organizations_api&) = delete;
  organizations_api& operator=(const organizations_api&) = delete;

 private:
  result<nlohmann::json> read(std::string_view op, const nlohmann::json& req, const service::call_context& ctx);
  result<nlohmann::json> write(std::string_view op, const nlohmann::json& req, const service::call_context& ctx);
  result<nlohmann::json> list_children(const nlohmann::json& req, const service::call_context& ctx);
  result<nlohmann::json> describe_organization(const service::call_context& ctx);

  service::organization_service& svc_;
};

// Organizations' error value for an atrium::error (exposed for tests).
aws_error organizations_error(const error& e);

}  // namespace atrium::proto::aws
