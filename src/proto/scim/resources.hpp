#pragma once
// Users and groups as SCIM resources (RFC 7643 §4.1, §4.2, §4.3): rendering domain entities
// to JSON, and reading request bodies (POST, PUT, and a PATCHed document) back into them with
// the service's input rules (the guide's "Considerations for using automatic provisioning":
// givenName, familyName, userName and displayName required; single-valued lists).
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "proto/scim/schemas.hpp"
#include "proto/scim/scim_error.hpp"
#include "service/identity/identity_types.hpp"

namespace atrium::proto::scim {

// SCIM's single externalId is kept as the identity store's ExternalIds entry with this issuer,
// so that it is visible (and settable) through the identitystore API too.
inline constexpr std::string_view scim_external_id_issuer = "scim";

// RFC 7644 §3.9 attributes / excludedAttributes: which attributes a response carries.
struct projection {
  std::vector<std::string> attributes;           // empty: the defaults
  std::vector<std::string> excluded_attributes;  // ignored when attributes is set
  bool wants(std::string_view attribute) const;  // top-level name, case-insensitive
};
// Applies a projection to a rendered resource; id and schemas are always kept (returned
// "always", RFC 7643 §7), and "attributes" may name sub-attributes ("name.givenName").
void project(nlohmann::json& resource, const projection& p);

// Weak entity tag of a version (RFC 7644 §3.14): W/"<version>".
std::string etag_of(int64_t version);
// Parses an If-Match / If-None-Match value: a comma-separated list of W/"n" or "n", or *
// (RFC 9110 §13.1.1). nullopt for * (any version); 412 for a tag this server did not issue.
scim_result<service::version_condition> parse_etag(std::string_view header);

nlohmann::json user_json(const service::user_view& v, std::string_view base_url);
nlohmann::json group_json(const service::group_view& v, std::string_view base_url, bool with_members);

// Reads a User body. `current` (for PUT) supplies what a replace keeps: the id, ExternalIds of
// other issuers, and `active` when the body leaves it out. Read-only attributes (id, meta,
// groups) are ignored (RFC 7643 §2.2).
scim_result<domain::user> user_from_json(const nlohmann::json& body, const domain::user* current);

struct group_body {
  domain::group group;
  std::optional<std::vector<std::string>> member_ids;  // nullopt: "members" not sent
};
scim_result<group_body> group_from_json(const nlohmann::json& body, const domain::group* current);

}  // namespace atrium::proto::scim
