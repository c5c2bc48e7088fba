#pragma once
// The sso-admin API (AWS JSON 1.1, target prefix "SWBExternalService", service model
// 2020-07-20): one json_api whose operations are contributed by several files.
//
// EXTENSION SEAM (issue 4). The API is the door kit's table of operations {name, read_only,
// handler} (proto/kit/operation_table.hpp);
// `sso_admin_api` itself is only that table plus the shared request helpers below. Each group
// of operations lives in its own file and adds itself at wiring time (src/app/runtime.cpp,
// right after the api is made, before the server serves requests):
//
//   // sso_admin_permission_sets.hpp (owner ps): ListInstances, DescribeInstance,
//   // UpdateInstance, the permission set operations and Tag/Untag/ListTagsForResource
//   void add_permission_set_operations(sso_admin_api& api, service::permission_set_service& ps);
//   // sso_admin_assignments.hpp (owner assign), sso_admin_abac.hpp (owner authz): the same shape
//   void add_assignment_operations(sso_admin_api& api, <your services>...);
//
//   api.add({"CreatePermissionSet", /*read_only=*/false,
//            [&ps](const json& req, const service::call_context& ctx) -> result<json> { ... }});
//
// A handler is a pure function of the parsed JSON body and the call context (the door has
// already authenticated, throttled and parsed; it records failures). Handlers validate their
// input and return `fail(errc::validation, ...)` etc.; `map_error` turns errors into
// sso-admin's shapes ({"__type", "Message"}; sso-admin's ResourceNotFoundException and
// ConflictException carry no ResourceType/Reason members). Read-only admin keys are refused
// for non-read-only operations by the API before the handler runs. Adding the same name twice
// throws std::logic_error (a wiring bug, found at start-up).
//
// Shared request helpers for every operation file are declared below (instance ARN check,
// paging, ARN formats); use them so that every operation answers the same way.
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.hpp"
#include "proto/aws/json_api.hpp"
#include "service/audit/call_context.hpp"

namespace atrium::proto::aws {

// What the instance operations answer (DescribeInstance; the guide: one instance per
// deployment, "ssoins-" + 16 hex).
struct sso_instance_info {
  std::string instance_arn;       // arn:aws:sso:::instance/ssoins-0123456789abcdef
  std::string identity_store_id;  // d-xxxxxxxxxx
  std::string owner_account_id;   // 12 digits
};

class sso_admin_api final : public json_api {
 public:
  explicit sso_admin_api(sso_instance_info instance);

  const sso_instance_info& instance() const { return instance_; }

 private:
  sso_instance_info instance_;
};

// ---- Request helpers shared by every sso-admin operation file ----

// "InstanceArn" is required, must match the model's pattern (ValidationException) and name
// this deployment's instance (ResourceNotFoundException otherwise).
result<void> require_instance(const nlohmann::json& req, const sso_admin_api& api);
// The same for an optional "InstanceArn" (TagResource etc. in the newer model).
result<void> optional_instance(const nlohmann::json& req, const sso_admin_api& api);
// A required permission set ARN member ("PermissionSetArn"), pattern-checked; it must belong
// to this deployment's instance (ResourceNotFoundException otherwise). Existence is the
// service's business.
result<std::string> required_permission_set_arn(const nlohmann::json& req, const sso_admin_api& api,
                                                const char* key = "PermissionSetArn");
// MaxResults 1..100 (model "MaxResults"), `fallback` when absent.
result<int> sso_max_results(const nlohmann::json& req, int fallback = 100);
// NextToken: string 0..2048 of [-a-zA-Z0-9+=/_] (model "Token"); empty/absent -> nullopt.
result<std::optional<std::string>> sso_next_token(const nlohmann::json& req);
// Every key of `req` is one of `allowed` (ValidationException naming the unknown member).
result<void> sso_only_members(const nlohmann::json& req, std::initializer_list<const char*> allowed);
// A required / optional string member with the model's length limits (ValidationException).
result<std::string> sso_required_string(const nlohmann::json& req, const char* key, size_t min_len, size_t max_len);
result<std::optional<std::string>> sso_optional_string(const nlohmann::json& req, const char* key,
                                                       size_t min_len, size_t max_len);

// ARN formats (architecture guide: "Ids and ARNs follow the service's formats").
bool is_instance_arn(std::string_view arn);        // arn:aws:sso:::instance/ssoins-<16>
bool is_permission_set_arn(std::string_view arn);  // arn:aws:sso:::permissionSet/ssoins-<16>/ps-<16>
// "ssoins-0123456789abcdef" of either ARN kind ("" when it is neither).
std::string instance_id_of(std::string_view arn);

}  // namespace atrium::proto::aws
