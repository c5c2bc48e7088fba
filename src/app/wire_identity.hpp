#pragma once
// The identity wing: the identity store's use cases, the identitystore API, automatic
// provisioning (SCIM tokens and the AtriumAdmin API) and the SCIM door at /scim/v2.
#include <memory>
#include <string>

#include "app/core.hpp"
#include "proto/aws/identitystore_api.hpp"
#include "proto/aws/provisioning_api.hpp"
#include "proto/scim/scim_door.hpp"
#include "service/identity/identity_services.hpp"
#include "service/identity/scim_provisioning.hpp"

namespace atrium::app {

struct identity_wing {
  std::unique_ptr<service::identity_services> identity;  // users, groups, memberships
  std::unique_ptr<proto::aws::identitystore_api> identitystore;
  std::unique_ptr<service::scim_provisioning> provisioning;
  std::unique_ptr<proto::aws::provisioning_api> provisioning_api;
  std::unique_ptr<proto::scim::scim_door> scim;
};

// Registers the SCIM door's path with c.routes.
std::unique_ptr<identity_wing> wire_identity(core& c);

// The SCIM endpoint users paste into their IdP: scheme://public_host:port/scim/v2.
std::string scim_endpoint(const core& c, uint16_t port);

}  // namespace atrium::app
