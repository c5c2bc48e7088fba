#pragma once
// Reading user and group attributes from JSON documents. Keys match case-insensitively, so the
// same code reads the identitystore API's PascalCase ("GivenName") and SCIM's camelCase
// ("givenName"). Types are strict: a string attribute must be a JSON string, `Primary` a boolean
// (lenient_booleans also accepts "True"/"False", which one major IdP sends over SCIM).
#include <nlohmann/json.hpp>
#include <string_view>
#include <vector>

#include "base/result.hpp"
#include "domain/identity.hpp"

namespace atrium::proto {

struct json_read_options {
  bool lenient_booleans = false;
};

// Looks a key up case-insensitively; nullptr when absent.
const nlohmann::json* find_key(const nlohmann::json& obj, std::string_view key);

result<std::optional<std::string>> read_string(const nlohmann::json& obj, std::string_view key,
                                               std::string_view field);
result<domain::name> name_from_json(const nlohmann::json& j);
result<std::vector<domain::email>> emails_from_json(const nlohmann::json& j, json_read_options o = {});
result<std::vector<domain::address>> addresses_from_json(const nlohmann::json& j,
                                                         json_read_options o = {});
result<std::vector<domain::phone_number>> phones_from_json(const nlohmann::json& j,
                                                           json_read_options o = {});
result<std::vector<domain::external_id>> external_ids_from_json(const nlohmann::json& j);
result<domain::enterprise> enterprise_from_json(const nlohmann::json& j);

// UpdateUser / UpdateGroup AttributeOperations: set `path` to `value`, or remove it when value
// is null or absent. Paths: userName, displayName, nickName, profileUrl, userType, title,
// preferredLanguage, locale, timezone, name, name.<part>, emails, addresses, phoneNumbers,
// emails.<sub> / addresses.<sub> / phoneNumbers.<sub> (the single item), externalIds,
// aws:identitystore:enterprise[.<attr>[.value]].
result<void> apply_user_attribute(domain::user& u, std::string_view path,
                                  const nlohmann::json* value);
// Paths: displayName, description, externalIds.
result<void> apply_group_attribute(domain::group& g, std::string_view path,
                                   const nlohmann::json* value);

inline constexpr std::string_view enterprise_extension = "aws:identitystore:enterprise";

}  // namespace atrium::proto
