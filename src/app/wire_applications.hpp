#pragma once
// The applications wing (issue 15): the catalog of pre-integrated applications, the
// applications with their SAML settings and certificates, the sso-admin application
// operations, the AtriumAdmin SAML-settings operations, and the SAML IdP door under /saml.
#include <memory>

#include "app/core.hpp"
#include "app/wire_sso_admin.hpp"
#include "proto/aws/application_console_api.hpp"
#include "proto/saml/saml_door.hpp"
#include "service/applications/app_certificates.hpp"
#include "service/applications/application_catalog.hpp"
#include "service/applications/application_service.hpp"
#include "service/applications/saml_idp_service.hpp"
#include "service/applications/saml_settings_service.hpp"

namespace atrium::app {

struct applications_wing {
  std::unique_ptr<service::application_catalog> catalog;
  // The IdP's URLs: set by serve() once the port is known (before the first request).
  std::shared_ptr<service::idp_endpoints> endpoints;
  std::unique_ptr<service::signer_cache> signers;
  std::unique_ptr<service::application_service> apps;
  std::unique_ptr<service::saml_settings_service> settings;
  std::unique_ptr<service::saml_idp_service> idp;
  std::unique_ptr<proto::aws::application_console_api> console_api;
  std::unique_ptr<proto::saml::saml_door> door;
};

// Adds the application operations to the sso-admin table and registers /saml with c.routes.
std::unique_ptr<applications_wing> wire_applications(core& c, sso_admin_wing& sso);

}  // namespace atrium::app
