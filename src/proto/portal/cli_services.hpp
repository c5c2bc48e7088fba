#pragma once
// What the portal door needs for command-line access (issue 16 items 2 and 5; docs/cli.md): the
// device verification page (look a user code up, approve or deny it), the authorization code
// flow's consent page, and the values for `aws configure sso` that the "Command line or
// programmatic access" dialog shows (its credentials come from portal/credentials,
// federation_routes.cpp). Wired by app/wire_cli_access.cpp; absent (null), the routes answer 404.
#include <string>

#include "service/oidc/authorization_requests.hpp"
#include "service/oidc/device_authorizations.hpp"

namespace atrium::proto::portal {

struct cli_services {
  service::oidc::device_authorizations& devices;
  service::oidc::authorization_requests& requests;
  std::string region;  // sso_region of `aws configure sso`
};

}  // namespace atrium::proto::portal
