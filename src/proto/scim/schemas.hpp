#pragma once
// What the SCIM endpoint supports, described once: the attribute definitions of the User,
// Group and enterprise-extension schemas (RFC 7643 §4, §7, §8.7.1, pruned to what Atrium
// stores), from which /Schemas, /ResourceTypes and /ServiceProviderConfig are rendered and
// which drive PATCH (multi-valued or not, types, mutability, caseExact).
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace atrium::proto::scim {

inline constexpr std::string_view user_schema_urn = "urn:ietf:params:scim:schemas:core:2.0:User";
inline constexpr std::string_view group_schema_urn = "urn:ietf:params:scim:schemas:core:2.0:Group";
inline constexpr std::string_view enterprise_user_urn =
    "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
inline constexpr std::string_view patch_op_urn = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
inline constexpr std::string_view list_response_urn = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
inline constexpr std::string_view error_urn = "urn:ietf:params:scim:api:messages:2.0:Error";
inline constexpr std::string_view service_provider_config_urn =
    "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig";
inline constexpr std::string_view resource_type_urn = "urn:ietf:params:scim:schemas:core:2.0:ResourceType";
inline constexpr std::string_view schema_urn = "urn:ietf:params:scim:schemas:core:2.0:Schema";

enum class resource_kind { user, group };

// RFC 7643 §2.2 / §7 attribute characteristics.
struct attribute_def {
  enum class type { string, boolean, decimal, integer, date_time, reference, complex };
  enum class mutability { read_only, read_write, immutable, write_only };
  enum class returned { always, never, default_, request };
  enum class uniqueness { none, server, global };

  std::string_view name;
  type t = type::string;
  bool multi_valued = false;
  bool required = false;
  bool case_exact = false;
  mutability mut = mutability::read_write;
  returned ret = returned::default_;
  uniqueness uniq = uniqueness::none;
  std::string_view description;
  std::vector<std::string_view> reference_types{};   // for type::reference
  std::vector<std::string_view> canonical_values{};  // e.g. "work", "home"
  std::vector<attribute_def> sub_attributes{};       // for type::complex
};

// The attributes of one schema (core User, core Group, or the enterprise extension).
const std::vector<attribute_def>& schema_attributes(std::string_view schema_urn);

// Looks an attribute up the way a path names it: `urn` empty means the resource's core schema
// (for users, a name not in the core schema is also looked up in the enterprise extension);
// a urn must be the core schema of `kind` or, for users, the enterprise extension. Names
// compare case-insensitively. nullptr when unknown.
const attribute_def* find_attribute(resource_kind kind, std::string_view urn, std::string_view name);
// A sub-attribute of a complex attribute, case-insensitively; nullptr when unknown.
const attribute_def* find_sub_attribute(const attribute_def& parent, std::string_view name);

// Discovery documents (RFC 7644 §4). base_url is the endpoint's base, e.g.
// "https://host:8443/scim/v2" (no trailing slash), used for meta.location.
nlohmann::json schema_json(std::string_view schema_urn, std::string_view base_url);  // null if unknown
nlohmann::json schemas_list_json(std::string_view base_url);          // ListResponse of all three
nlohmann::json resource_type_json(resource_kind kind, std::string_view base_url);
nlohmann::json resource_types_list_json(std::string_view base_url);   // ListResponse of both

struct provider_limits {
  int max_results = 100;            // filter.maxResults (largest `count` a list honours)
  std::size_t max_payload_bytes = 1 << 20;
  int max_operations = 0;           // bulk is not supported; kept for the document
  std::string documentation_uri{};  // ServiceProviderConfig.documentationUri; omitted when empty
};
// patch true, bulk false, filter true (maxResults), changePassword false, sort false,
// etag true, authenticationSchemes: oauthbearertoken (primary).
nlohmann::json service_provider_config_json(std::string_view base_url, const provider_limits& lim);

}  // namespace atrium::proto::scim
