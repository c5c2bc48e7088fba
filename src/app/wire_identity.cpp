#include "app/wire_identity.hpp"

namespace atrium::app {

std::string scim_endpoint(const core& c, uint16_t port) { return c.public_url(port, "/scim/v2"); }

std::unique_ptr<identity_wing> wire_identity(core& c) {
  const auto& cfg = c.cfg;
  auto w = std::make_unique<identity_wing>();
  w->identity = std::make_unique<service::identity_services>(*c.audited, c.clk, c.rnd, c.ids.identity_store_id, cfg.quotas);
  w->identitystore = std::make_unique<proto::aws::identitystore_api>(*w->identity);
  w->provisioning = std::make_unique<service::scim_provisioning>(*c.audited, c.clk, c.rnd);
  w->provisioning_api = std::make_unique<proto::aws::provisioning_api>(*w->provisioning, scim_endpoint(c, cfg.server.port));
  proto::scim::scim_settings ss;
  ss.tls = cfg.server.tls;
  ss.public_host = cfg.public_host;
  ss.region = cfg.region;
  ss.account_id = c.ids.account_id;
  ss.max_body_bytes = cfg.server.lim.body_bytes;
  w->scim = std::make_unique<proto::scim::scim_door>(*w->provisioning, w->identity->users, w->identity->groups, *c.throttle, *c.audited, ss);
  c.routes.add(ss.base_path, *w->scim);
  return w;
}

}  // namespace atrium::app
