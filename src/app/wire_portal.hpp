#pragma once
// The portal wing: the landing page's accounts and roles and the portal door at /portal (and
// GET /, redirected there), serving the built web UI (web.assets_dir).
#include <memory>

#include "app/core.hpp"
#include "app/wire_applications.hpp"
#include "app/wire_idsource.hpp"
#include "app/wire_signin.hpp"
#include "proto/portal/portal_door.hpp"
#include "service/signin/portal_accounts.hpp"

namespace atrium::app {

struct portal_wing {
  std::unique_ptr<service::portal_accounts> accounts;
  std::unique_ptr<proto::portal::portal_door> door;
};

// Registers the portal door's paths with c.routes.
// `federation`: the sso-admin wing's (Management console); `apps`: the applications' tiles and SAML
// sign-in (null: none); `cli`: command-line access's routes (app/wire_cli_access.hpp), or null;
// `console`: the admin console's access (the session answer says whether the user may open it).
std::unique_ptr<portal_wing> wire_portal(core& c, signin_wing& s, service::password_service& passwords,
                                         service::aws_federation& federation, applications_wing* apps = nullptr,
                                         proto::portal::cli_services* cli = nullptr, idsource_wing* idsource = nullptr,
                                         service::console_access* console = nullptr);

}  // namespace atrium::app
