#include "app/wire_idsource.hpp"

namespace atrium::app {

std::unique_ptr<idsource_wing> wire_idsource(core& c) {
  auto w = std::make_unique<idsource_wing>();
  w->endpoints = std::make_shared<service::sp_endpoints>();
  std::string base = c.cfg.portal_public_url.empty() ? c.public_url(c.cfg.server.port, "") : c.cfg.portal_public_url;
  if (auto scheme = base.find("://"); scheme != std::string::npos) base = base.substr(0, base.find('/', scheme + 3));
  w->endpoints->set_base_url(base);
  w->keys = std::make_unique<service::sp_keys>(*c.db, c.clk, *c.box, "Atrium SP " + c.ids.instance_id);
  w->service = std::make_unique<service::identity_source_service>(*c.audited, c.clk, c.rnd, *w->keys, w->endpoints,
                                                                  c.ids.identity_store_id);
  w->api = std::make_unique<proto::aws::identity_source_api>(*w->service, c.clk);
  w->configuration_api = std::make_unique<proto::aws::configuration_api>(*w->service);
  return w;
}

void open_sp_sign_in(core& c, idsource_wing& w, signin_wing& s) {
  w.endpoints->set_base_url(s.origin);
  service::sp_settings ss;
  ss.clock_skew = std::chrono::seconds(c.cfg.sp_clock_skew_seconds);
  ss.account_id = c.ids.account_id;
  ss.region = c.cfg.region;
  w.sign_in = std::make_unique<service::sp_sign_in>(*c.audited, *s.sessions, *w.keys, w.endpoints, c.clk, c.rnd, ss);
}

}  // namespace atrium::app
