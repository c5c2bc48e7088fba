#pragma once
// The portal's applications (issue 15 items 3 and 5; docs/applications.md "Portal"): the tiles
// of the landing page and the two ways a tile or a service provider gets a SAML Response:
//   POST /portal/api/applications/<apl-id>/launch  -> {"post": {...}} or {"redirect": "<start URL>"}
//   POST /portal/api/saml/continue {"request": h}  -> {"post": {...}}   (an SP-initiated request)
// where post is {"acsUrl", "samlResponse", "relayState"?} for the page to submit (SAML bindings
// §3.5.4) and errors are {"error": "NotAssigned" | "Reauthenticate" | "RequestExpired" |
// "RequestAnswered" | "InvalidRequest", "message"}.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "domain/application.hpp"

namespace atrium::proto::portal {

// The landing page's applications: id, name, description, icon, and how the tile launches.
nlohmann::json application_tiles_json(const std::vector<domain::application>& apps);

}  // namespace atrium::proto::portal
