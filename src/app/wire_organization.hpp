#pragma once
// The organization wing: the organization (management account = this deployment's account,
// created at first start) and the Organizations API.
#include <memory>

#include "app/core.hpp"
#include "proto/aws/organizations_api.hpp"
#include "service/organization/organization_resources.hpp"
#include "service/organization/organization_service.hpp"

namespace atrium::app {

struct organization_wing {
  std::unique_ptr<service::organization_service> organization;
  std::unique_ptr<proto::aws::organizations_api> api;
  // The roots', OUs' and accounts' ARNs for delegated administration (the AWS door's policy check).
  std::unique_ptr<service::organization_resources> resources;
};

std::unique_ptr<organization_wing> wire_organization(core& c);

}  // namespace atrium::app
