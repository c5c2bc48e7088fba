#pragma once
// The admin console's API (issue 14 item 2, docs/admin-console.md "The door"): one path,
// `POST /portal/api/console`, that carries X-Amz-Target and the same JSON bodies as the AWS JSON
// APIs (identitystore, sso-admin, organizations, AtriumAdmin). Only the authentication differs:
// the portal's session cookie (atrium_session) and its X-CSRF-Token header instead of SigV4.
// The signed-in user's console principal (service::console_access) is then checked, throttled,
// dispatched and audited by aws_door::serve, so every console action runs the same operation
// rows as the CLI and the SDKs, refusals are the same AccessDeniedException, and CloudTrail
// names the identity-store user as the principal (type IdentityCenterUser).
//
// It lives beside aws_door (not in proto/portal) because it dispatches to aws_door's operation
// tables, and a door may not include another door; it is under /portal/api/ because the session
// cookie is scoped to Path=/portal.
//
// One target is the door's own: "AtriumConsole.DescribeCaller" {Actions: ["identitystore:CreateUser",
// ...]} -> {UserId, UserName, IdentityStoreId, InstanceArn, Allowed: {action: bool}}: which of those actions the
// caller's policies allow on any resource ("*"), so the UI offers only what may succeed. It
// reads nothing but the caller's own policies and changes nothing.
#include <string_view>

#include "proto/aws/aws_door.hpp"
#include "service/admin/console_access.hpp"
#include "service/signin/session_service.hpp"

namespace atrium::proto::aws {

inline constexpr std::string_view console_api_path = "/portal/api/console";

// The deployment's names DescribeCaller hands the console (the ids every request body carries).
struct console_settings {
  std::string region;
  std::string identity_store_id;
  std::string instance_arn;
};

class console_door final : public door {
 public:
  console_door(aws_door& api, service::session_service& sessions, service::console_access& access,
               console_settings settings);

  response handle(const request& req) override;
  // The session check is a store read; the rest is aws_door's question.
  bool is_point_read(const request& req) const override { return api_.is_point_read(req); }

 private:
  std::expected<service::principal, aws_error> authenticate(const request& req, service::call_context& ctx);
  response describe_caller(const request& req);

  aws_door& api_;
  service::session_service& sessions_;
  service::console_access& access_;
  console_settings settings_;
};

}  // namespace atrium::proto::aws
