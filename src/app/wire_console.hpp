#pragma once
// The admin console wing (issue 14, docs/admin-console.md): console access (policies attached
// to identity-store users and groups) and its AtriumAdmin operations are made at open (the CLI
// uses them too); the console's API door once the portal's sessions exist (open_portal), and
// before the portal door is routed, so that its exact path wins over the portal's /portal.
#include <memory>

#include "app/core.hpp"
#include "app/wire_signin.hpp"
#include "proto/aws/aws_door.hpp"
#include "proto/aws/cloudtrail_api.hpp"
#include "proto/aws/console_access_api.hpp"
#include "proto/aws/console_directory_api.hpp"
#include "proto/aws/console_door.hpp"
#include "service/admin/console_access.hpp"
#include "service/audit/audit_lookup.hpp"

namespace atrium::app {

struct console_wing {
  std::unique_ptr<service::console_access> access;
  std::unique_ptr<proto::aws::console_access_api> api;
  std::unique_ptr<proto::aws::directory_users_api> users_api;
  // The MFA settings (Get/PutMfaDeviceManagementForDirectory). Its own mfa_service, as the CLI
  // makes one: the sign-in wing's is made only once the portal's origin is known.
  std::unique_ptr<service::mfa_service> mfa;
  std::unique_ptr<proto::aws::mfa_settings_api> mfa_api;
  std::unique_ptr<service::audit_lookup> audit;  // the audit view: CloudTrail's LookupEvents
  std::unique_ptr<proto::aws::cloudtrail_api> audit_api;
  std::unique_ptr<proto::aws::directory_search_api> search_api;  // SearchUsers, SearchGroups
  std::unique_ptr<service::portal_session_settings> portal_session;  // the portal's session duration
  std::unique_ptr<proto::aws::portal_session_api> portal_session_api;
  std::unique_ptr<proto::aws::console_door> door;  // made by open_console_door
};

std::unique_ptr<console_wing> wire_console(core& c, service::identity_services& identity,
                                           service::password_service& passwords);
void open_console_door(core& c, console_wing& w, proto::aws::aws_door& api, signin_wing& s);

}  // namespace atrium::app
