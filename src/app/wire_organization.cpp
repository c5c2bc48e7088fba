#include "app/wire_organization.hpp"

namespace atrium::app {

std::unique_ptr<organization_wing> wire_organization(core& c) {
  auto w = std::make_unique<organization_wing>();
  w->organization = std::make_unique<service::organization_service>(*c.audited, c.clk, c.rnd, c.ids.account_id);
  if (auto o = w->organization->ensure(system_context(c.ids.account_id)); !o)
    fatal("cannot create the organization: " + o.error().message);
  w->api = std::make_unique<proto::aws::organizations_api>(*w->organization);
  w->resources = std::make_unique<service::organization_resources>(*c.db);
  return w;
}

}  // namespace atrium::app
