#include "proto/aws/sso_admin_api.hpp"

#include <cctype>
#include <regex>
#include <stdexcept>

namespace atrium::proto::aws {

using nlohmann::json;

namespace {

// Kept as sent in CloudTrail's requestParameters (json_api.hpp).
const std::vector<std::string_view> sso_admin_audited = {
    "InstanceArn", "PermissionSetArn", "TargetId", "TargetType", "PrincipalType", "PrincipalId",
    "AccountId", "ManagedPolicyArn", "ResourceArn", "ProvisioningStatus", "MaxResults",
    "AccountAssignmentCreationRequestId", "AccountAssignmentDeletionRequestId",
    "ProvisionPermissionSetRequestId"};

// Patterns of the sso-admin service model (botocore data/sso-admin/2020-07-20), matched whole.
const std::regex& instance_arn_re() {
  static const std::regex re(R"(arn:aws(-[a-z]{1,5}){0,3}:sso:::instance/(sso)?ins-[a-zA-Z0-9.\-]{16})");
  return re;
}
const std::regex& permission_set_arn_re() {
  static const std::regex re(
      R"(arn:aws(-[a-z]{1,5}){0,3}:sso:::permissionSet/(sso)?ins-[a-zA-Z0-9.\-]{16}/ps-[a-zA-Z0-9.\-/]{16})");
  return re;
}

std::string shown(const std::string& s) { return s.size() > 64 ? s.substr(0, 64) + "..." : s; }

// sso-admin's exceptions carry only Message (service model: ConflictException,
// ResourceNotFoundException without ResourceType/ResourceId/Reason for these causes).
aws_error sso_admin_error(const error& e) {
  aws_error out = to_aws_error(e);
  out.extra = json::object();
  return out;
}

}  // namespace

sso_admin_api::sso_admin_api(sso_instance_info instance)
    : json_api({"SWBExternalService", "sso-admin", "sso", "sso.amazonaws.com", sso_admin_audited}, sso_admin_error),
      instance_(std::move(instance)) {}

bool is_instance_arn(std::string_view arn) {
  if (arn.size() < 10 || arn.size() > 1224) return false;
  return std::regex_match(arn.begin(), arn.end(), instance_arn_re());
}

bool is_permission_set_arn(std::string_view arn) {
  if (arn.size() < 10 || arn.size() > 1224) return false;
  return std::regex_match(arn.begin(), arn.end(), permission_set_arn_re());
}

std::string instance_id_of(std::string_view arn) {
  for (std::string_view kind : {":instance/", ":permissionSet/"}) {
    auto at = arn.find(kind);
    if (at == std::string_view::npos) continue;
    auto rest = arn.substr(at + kind.size());
    return std::string(rest.substr(0, rest.find('/')));
  }
  return "";
}

result<void> sso_only_members(const json& req, std::initializer_list<const char*> allowed) {
  if (!req.is_object()) return fail(errc::validation, "The request must be a JSON object.");
  for (auto it = req.begin(); it != req.end(); ++it) {
    bool ok = false;
    for (const char* a : allowed) ok = ok || it.key() == a;
    if (!ok) return fail(errc::validation, "Unknown parameter '" + shown(it.key()) + "'.");
  }
  return {};
}

result<std::optional<std::string>> sso_optional_string(const json& req, const char* key, size_t min_len,
                                                       size_t max_len) {
  auto it = req.find(key);
  if (it == req.end() || it->is_null()) return std::optional<std::string>{};
  if (!it->is_string()) return fail(errc::validation, std::string(key) + " must be a string.");
  const auto& s = it->get_ref<const std::string&>();
  if (s.size() < min_len || s.size() > max_len)
    return fail(errc::validation, "1 validation error detected: Value at '" + std::string(key) +
                                      "' failed to satisfy constraint: Member must have length between " +
                                      std::to_string(min_len) + " and " + std::to_string(max_len) + ".");
  return std::optional<std::string>{s};
}

result<std::string> sso_required_string(const json& req, const char* key, size_t min_len, size_t max_len) {
  auto v = sso_optional_string(req, key, min_len, max_len);
  if (!v) return std::unexpected(v.error());
  if (!*v) return fail(errc::validation, std::string(key) + " is required.");
  return std::move(**v);
}

result<void> require_instance(const json& req, const sso_admin_api& api) {
  auto arn = sso_required_string(req, "InstanceArn", 10, 1224);
  if (!arn) return std::unexpected(arn.error());
  if (!is_instance_arn(*arn))
    return fail(errc::validation, "The value of InstanceArn '" + shown(*arn) + "' is not a valid instance ARN.");
  if (*arn != api.instance().instance_arn) return fail(errc::not_found, "Could not find Instance " + shown(*arn) + ".");
  return {};
}

result<void> optional_instance(const json& req, const sso_admin_api& api) {
  if (auto it = req.find("InstanceArn"); it == req.end() || it->is_null()) return {};
  return require_instance(req, api);
}

result<std::string> required_permission_set_arn(const json& req, const sso_admin_api& api, const char* key) {
  auto arn = sso_required_string(req, key, 10, 1224);
  if (!arn) return arn;
  if (!is_permission_set_arn(*arn))
    return fail(errc::validation, "The value of " + std::string(key) + " '" + shown(*arn) +
                                      "' is not a valid permission set ARN.");
  if (instance_id_of(*arn) != instance_id_of(api.instance().instance_arn))
    return fail(errc::not_found, "Could not find PermissionSet " + shown(*arn) + ".");
  return arn;
}

result<int> sso_max_results(const json& req, int fallback) {
  auto it = req.find("MaxResults");
  if (it == req.end() || it->is_null()) return fallback;
  if (!it->is_number_integer()) return fail(errc::validation, "MaxResults must be an integer.");
  auto n = it->get<int64_t>();
  if (n < 1 || n > 100)
    return fail(errc::validation,
                "1 validation error detected: Value at 'maxResults' failed to satisfy constraint: Member must "
                "have value between 1 and 100.");
  return static_cast<int>(n);
}

result<std::optional<std::string>> sso_next_token(const json& req) {
  auto v = sso_optional_string(req, "NextToken", 0, 2048);
  if (!v || !*v) return v;
  if ((**v).empty()) return std::optional<std::string>{};
  for (char c : **v)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '+' || c == '=' || c == '/' || c == '_'))
      return fail(errc::validation, "The NextToken is not valid.");
  return v;
}

}  // namespace atrium::proto::aws
