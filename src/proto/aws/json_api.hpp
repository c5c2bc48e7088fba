#pragma once
// One AWS JSON 1.1 API served by aws_door (identitystore, sso-admin, organizations, Atrium's
// own admin API). The door owns everything shared: SigV4, throttling, body parsing, the
// delegated-administration check and the failure audit; an API only names its operations and
// runs them as pure functions of a parsed request.
#include <nlohmann/json.hpp>
#include <span>
#include <string_view>

#include "base/result.hpp"
#include "proto/aws/wire.hpp"
#include "service/call_context.hpp"

namespace atrium::proto::aws {

class json_api {
 public:
  virtual ~json_api() = default;
  // "AWSIdentityStore" in "X-Amz-Target: AWSIdentityStore.CreateUser".
  virtual std::string_view target_prefix() const = 0;
  // Name in metrics, logs and throttle keys ("identitystore" -> "identitystore.CreateUser").
  virtual std::string_view service_name() const = 0;
  // IAM action prefix for delegated administration ("identitystore" -> "identitystore:CreateUser").
  virtual std::string_view action_prefix() const = 0;
  // CloudTrail eventSource of the API's records.
  virtual std::string_view event_source() const = 0;
  virtual bool has(std::string_view operation) const = 0;
  virtual bool is_read_only(std::string_view operation) const = 0;
  // Request members CloudTrail's requestParameters keep as sent (identifiers, paging); the door
  // masks every other member (names, descriptions, policies, attributes). None by default.
  virtual std::span<const std::string_view> audited_members() const { return {}; }
  virtual result<nlohmann::json> call(std::string_view operation, const nlohmann::json& req,
                                      const service::call_context& ctx) = 0;
  // The API's own error shapes (organizations names its not-found errors per resource type).
  virtual aws_error map_error(const error& e) const { return to_aws_error(e); }
};

}  // namespace atrium::proto::aws
