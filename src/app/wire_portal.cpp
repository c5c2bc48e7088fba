#include "app/wire_portal.hpp"

#include <filesystem>

#include "proto/portal/portal_http.hpp"

namespace atrium::app {

std::unique_ptr<portal_wing> wire_portal(core& c, signin_wing& s, service::password_service& passwords,
                                         service::aws_federation& federation, applications_wing* apps,
                                         proto::portal::cli_services* cli, idsource_wing* idsource,
                                         service::console_access* console) {
  auto w = std::make_unique<portal_wing>();
  w->accounts = std::make_unique<service::portal_accounts>(*c.db);
  proto::portal::portal_settings ps;
  ps.public_url = s.origin;
  ps.assets_dir = data_dir_of(c.cfg.web_assets_dir, "web", "index.html", ATRIUM_WEB_DIST);  // web.assets_dir
  ps.form_action = proto::portal::form_action_sources(federation.settings().signin_url);
  w->door = std::make_unique<proto::portal::portal_door>(
      proto::portal::portal_services{*s.sign_in, *s.sessions, passwords, *s.mfa, *w->accounts, federation, *c.audited,
                                     apps ? apps->apps.get() : nullptr, apps ? apps->idp.get() : nullptr, cli,
                                     idsource ? idsource->sign_in.get() : nullptr,
                                     idsource ? idsource->service.get() : nullptr, console},
      ps);
  c.routes.add("/portal", *w->door);
  c.routes.add_exact("/", *w->door, {"GET", "HEAD"});  // redirected to /portal/
  c.routes.add_exact("/console", *w->door, {"GET", "HEAD"});  // the admin console: /portal/console/
  c.routes.add_exact("/console/", *w->door, {"GET", "HEAD"});
  return w;
}

}  // namespace atrium::app
