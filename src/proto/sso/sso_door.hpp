#pragma once
// The portal API's door (REST-JSON, as botocore's `sso` model; issue 16 item 3; docs/cli.md):
//   GET  /federation/credentials?role_name=&account_id=   GetRoleCredentials
//   GET  /assignment/accounts?max_result=&next_token=     ListAccounts
//   GET  /assignment/roles?account_id=&max_result=&next_token=  ListAccountRoles
//   POST /logout                                          Logout
// The caller is the bearer of an access token from CreateToken in x-amz-sso_bearer_token.
// Errors: status, x-amzn-ErrorType and {"message"} (400 InvalidRequestException, 401
// UnauthorizedException, 403 ForbiddenException, 404 ResourceNotFoundException, 429
// TooManyRequestsException). Every call is audited (sso.amazonaws.com) with the user as
// userIdentity once the token is known.
#include <string>

#include "proto/kit/router.hpp"
#include "service/audit/audited_store.hpp"
#include "service/oidc/account_access.hpp"
#include "service/oidc/token_service.hpp"
#include "service/admin/throttle.hpp"

namespace atrium::proto::sso {

struct sso_services {
  service::oidc::token_service& tokens;
  service::oidc::account_access& accounts;
  service::throttler& throttle;
  service::audited_store& audit;
};

struct sso_settings {
  std::string region = "us-east-1";
  std::string account_id;
};

class sso_door final : public door {
 public:
  sso_door(sso_services svc, sso_settings s) : svc_(svc), s_(std::move(s)) {}

  void add_routes(router& r);
  response handle(const request& req) override;
  response transport_error(const request& partial, response generic) const override;

 private:
  struct call;
  response get_role_credentials(call& c);
  response list_accounts(call& c);
  response list_account_roles(call& c);
  response logout(call& c);

  sso_services svc_;
  sso_settings s_;
};

// The answer of a failed call: status, x-amzn-ErrorType and {"message"}.
response sso_error(int status, std::string_view type, std::string message);
// A service error in the API's words (access_denied -> 403 ForbiddenException "No access", ...).
response sso_error_of(const error& e);

}  // namespace atrium::proto::sso
