#pragma once
// The command-line access wing (issue 16, docs/cli.md): the sso-oidc API (RegisterClient,
// StartDeviceAuthorization, CreateToken, the authorization endpoint), the portal API (ListAccounts,
// ListAccountRoles, GetRoleCredentials, Logout), and the portal's device verification and
// credentials routes. Wired with the sign-in wing, once the portal's URL is known (the
// verification URI and the start URL name it).
#include <memory>

#include "app/core.hpp"
#include "app/wire_signin.hpp"
#include "proto/oidc/oidc_door.hpp"
#include "proto/portal/cli_services.hpp"
#include "proto/sso/sso_door.hpp"
#include "service/federation/aws_federation.hpp"
#include "service/oidc/account_access.hpp"
#include "service/oidc/authorization_requests.hpp"
#include "service/oidc/client_registry.hpp"
#include "service/oidc/code_attempts.hpp"
#include "service/oidc/device_authorizations.hpp"
#include "service/oidc/role_credentials_source.hpp"
#include "service/oidc/token_service.hpp"
#include "service/signin/portal_accounts.hpp"

namespace atrium::app {

struct cli_access_wing {
  std::unique_ptr<service::oidc::code_attempts> attempts;
  std::unique_ptr<service::oidc::client_registry> clients;
  std::unique_ptr<service::oidc::device_authorizations> devices;
  std::unique_ptr<service::oidc::authorization_requests> requests;
  std::unique_ptr<service::oidc::token_service> tokens;
  std::unique_ptr<service::portal_accounts> assigned;
  // Where role credentials come from: the AWS federation (the sso-admin wing's).
  std::unique_ptr<service::oidc::role_credentials_source> credentials;
  std::unique_ptr<service::oidc::account_access> accounts;
  std::unique_ptr<proto::oidc::oidc_door> oidc;
  std::unique_ptr<proto::sso::sso_door> sso;
  std::unique_ptr<proto::portal::cli_services> portal;  // handed to the portal door
};

// Registers the sso-oidc and portal API paths with c.routes. `federation`: the sso-admin wing's.
std::unique_ptr<cli_access_wing> wire_cli_access(core& c, signin_wing& s, service::aws_federation& federation);

}  // namespace atrium::app
