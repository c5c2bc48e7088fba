#pragma once
// The identity-source wing (issue 17): Atrium as SAML 2.0 SP. Its configuration services and
// the AtriumAdmin operations are made at open (the CLI uses them too); the sign-in through the
// IdP once the portal's origin is known (open_portal), because its URLs name it.
#include <memory>

#include "app/core.hpp"
#include "app/wire_signin.hpp"
#include "proto/aws/identity_source_api.hpp"
#include "service/idsource/identity_source_service.hpp"
#include "service/idsource/sp_keys.hpp"
#include "service/idsource/sp_sign_in.hpp"

namespace atrium::app {

struct idsource_wing {
  std::shared_ptr<service::sp_endpoints> endpoints;
  std::unique_ptr<service::sp_keys> keys;
  std::unique_ptr<service::identity_source_service> service;
  std::unique_ptr<proto::aws::identity_source_api> api;
  std::unique_ptr<proto::aws::configuration_api> configuration_api;
  std::unique_ptr<service::sp_sign_in> sign_in;  // made by open_sign_in
};

std::unique_ptr<idsource_wing> wire_idsource(core& c);
// The SP's URLs name the portal's origin; sign-in uses the portal's sessions.
void open_sp_sign_in(core& c, idsource_wing& w, signin_wing& s);

}  // namespace atrium::app
