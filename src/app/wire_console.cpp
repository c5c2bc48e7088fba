#include "app/wire_console.hpp"

namespace atrium::app {

std::unique_ptr<console_wing> wire_console(core& c, service::identity_services& identity,
                                           service::password_service& passwords) {
  auto w = std::make_unique<console_wing>();
  w->access = std::make_unique<service::console_access>(*c.audited, c.clk, c.ids.account_id);
  w->api = std::make_unique<proto::aws::console_access_api>(*w->access);
  w->mfa = std::make_unique<service::mfa_service>(*c.audited, *c.box, c.clk, c.rnd, service::mfa_options{});
  w->users_api = std::make_unique<proto::aws::directory_users_api>(identity.users, *w->mfa, passwords);
  w->search_api = std::make_unique<proto::aws::directory_search_api>(identity);
  w->portal_session = std::make_unique<service::portal_session_settings>(
      *c.audited, std::chrono::hours(c.cfg.portal_session_hours));
  w->portal_session_api = std::make_unique<proto::aws::portal_session_api>(*w->portal_session);
  w->mfa_api = std::make_unique<proto::aws::mfa_settings_api>(*w->mfa);
  w->audit = std::make_unique<service::audit_lookup>(*c.audited);
  w->audit_api = std::make_unique<proto::aws::cloudtrail_api>(*w->audit);
  return w;
}

void open_console_door(core& c, console_wing& w, proto::aws::aws_door& api, signin_wing& s) {
  w.door = std::make_unique<proto::aws::console_door>(api, *s.sessions, *w.access,
                                                     proto::aws::console_settings{c.cfg.region, c.ids.identity_store_id,
                                                                                  c.ids.instance_arn});
  c.routes.add_exact(std::string(proto::aws::console_api_path), *w.door, {"POST"});
}

}  // namespace atrium::app
