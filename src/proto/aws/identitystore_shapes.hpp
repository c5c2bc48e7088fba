#pragma once
// identitystore API shapes (service model 2020-06-15) <-> domain values.
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "base/result.hpp"
#include "domain/identity.hpp"
#include "service/identity/identity_types.hpp"

namespace atrium::proto::aws {

nlohmann::json user_to_json(const domain::user& u, const std::string& store_id, bool with_enterprise);
nlohmann::json group_to_json(const domain::group& g, const std::string& store_id);
nlohmann::json membership_to_json(const domain::membership& m, const std::string& store_id);

// CreateUser / CreateGroup request bodies.
result<domain::user> user_from_request(const nlohmann::json& req);
result<domain::group> group_from_request(const nlohmann::json& req);

// Request field readers with the model's constraints.
result<std::string> required_string(const nlohmann::json& req, const char* key);
result<std::optional<std::string>> optional_string(const nlohmann::json& req, const char* key);
result<std::string> required_resource_id(const nlohmann::json& req, const char* key);
result<std::string> member_user_id(const nlohmann::json& req);  // MemberId.UserId
result<int> max_results(const nlohmann::json& req);             // 1-100, default 100
result<std::optional<std::string>> next_token(const nlohmann::json& req);
// UpdateUser / UpdateGroup AttributeOperations: set `path` to `value`, or remove it.
struct attribute_operation {
  std::string path;
  std::optional<nlohmann::json> value;  // absent or null: remove
};
result<std::vector<attribute_operation>> attribute_operations(const nlohmann::json& req);
// The operations as the identity service's edit of the stored entity (proto/kit/attribute_json).
service::user_edit user_edit_of(std::vector<attribute_operation> ops);
service::group_attribute_edit group_edit_of(std::vector<attribute_operation> ops);
result<service::alternate_identifier> alternate_identifier(const nlohmann::json& req);
result<bool> wants_enterprise(const nlohmann::json& req);  // Extensions: ["aws:identitystore:enterprise"]
// Checks that every key of `req` is one of `allowed`.
result<void> only_members(const nlohmann::json& req, std::initializer_list<const char*> allowed);

// CloudTrail requestParameters: the members named in `kept` (an API's identifiers and paging,
// json_api::audited_members) stay, every other value is hidden (as CloudTrail does for
// identitystore's sensitive strings).
nlohmann::json audit_parameters(const nlohmann::json& req, std::span<const std::string_view> kept);

}  // namespace atrium::proto::aws
