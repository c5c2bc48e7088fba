#include "app/wire_applications.hpp"

#include <filesystem>

#include "proto/aws/sso_admin_applications.hpp"

namespace atrium::app {

std::unique_ptr<applications_wing> wire_applications(core& c, sso_admin_wing& sso) {
  auto w = std::make_unique<applications_wing>();
  // applications.catalog_dir, else catalog/ beside the binary, else the source tree's data/catalog.
  auto catalog = service::application_catalog::load(
      data_dir_of(c.cfg.applications_catalog_dir, "catalog", "applications", ATRIUM_CATALOG_DIR));
  if (!catalog) fatal("cannot load the application catalog: " + catalog.error().message);
  w->catalog = std::make_unique<service::application_catalog>(std::move(*catalog));
  w->endpoints = std::make_shared<service::idp_endpoints>();
  // The portal's origin (portal.public_url, else https://<public_host>:<server.port>); serve()
  // sets it again once the port is bound.
  std::string base = c.cfg.portal_public_url.empty() ? c.public_url(c.cfg.server.port, "") : c.cfg.portal_public_url;
  if (auto scheme = base.find("://"); scheme != std::string::npos) base = base.substr(0, base.find('/', scheme + 3));
  w->endpoints->set_base_url(base);
  w->signers = std::make_unique<service::signer_cache>(*c.box);
  service::application_settings as{c.ids.instance_id, c.ids.account_id, c.cfg.region, {c.cfg.applications_key_bits, 60},
                                   c.cfg.applications_max};
  w->apps = std::make_unique<service::application_service>(*c.audited, c.clk, c.rnd, *c.box, *w->catalog, as);
  w->settings = std::make_unique<service::saml_settings_service>(*c.audited, c.clk, *c.box, *w->catalog, w->endpoints);
  w->idp = std::make_unique<service::saml_idp_service>(*c.audited, c.clk, c.rnd, *w->signers, w->endpoints);
  proto::aws::add_application_operations(*sso.api, *w->apps, w->endpoints);
  w->console_api = std::make_unique<proto::aws::application_console_api>(sso.api->instance(), *w->settings, *w->catalog,
                                                                         w->endpoints, c.clk);
  w->door = std::make_unique<proto::saml::saml_door>(*w->idp, *w->settings, *w->catalog, *c.audited,
                                                     proto::saml::saml_door_settings{c.cfg.region, c.ids.account_id});
  c.routes.add("/saml", *w->door);
  return w;
}

}  // namespace atrium::app
