#include "app/wire_portal.hpp"

#include <filesystem>

#include "proto/portal/portal_http.hpp"

namespace atrium::app {

namespace {

// web.assets_dir, else the first built UI found: next to the binary (installed), then the
// source tree's web/dist (make build).
std::filesystem::path assets_dir_of(const config& cfg) {
  if (!cfg.web_assets_dir.empty()) return cfg.web_assets_dir;
  std::error_code ec;
  auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec && std::filesystem::exists(exe.parent_path() / "web" / "index.html", ec)) return exe.parent_path() / "web";
  return ATRIUM_WEB_DIST;
}

}  // namespace

std::unique_ptr<portal_wing> wire_portal(core& c, signin_wing& s, service::password_service& passwords,
                                         service::aws_federation& federation, applications_wing* apps) {
  auto w = std::make_unique<portal_wing>();
  w->accounts = std::make_unique<service::portal_accounts>(*c.db);
  proto::portal::portal_settings ps;
  ps.public_url = s.origin;
  ps.assets_dir = assets_dir_of(c.cfg);
  ps.form_action = proto::portal::form_action_sources(federation.settings().signin_url);
  w->door = std::make_unique<proto::portal::portal_door>(
      proto::portal::portal_services{*s.sign_in, *s.sessions, passwords, *s.mfa, *w->accounts, federation, *c.audited,
                                     apps ? apps->apps.get() : nullptr, apps ? apps->idp.get() : nullptr},
      ps);
  c.routes.add("/portal", *w->door);
  c.routes.add_exact("/", *w->door, {"GET", "HEAD"});  // redirected to /portal/
  return w;
}

}  // namespace atrium::app
