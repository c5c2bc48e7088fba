#pragma once
// One AWS JSON 1.1 API served by aws_door (identitystore, sso-admin, organizations, Atrium's
// own admin API, and the doors to come): what the API is called in each place the door names
// it, plus the door kit's operation table (proto/kit/operation_table.hpp). The door owns
// everything shared: SigV4, throttling, body parsing, the delegated-administration check and
// the failure audit; an API only names its operations and runs them as pure functions of a
// parsed request.
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.hpp"
#include "proto/aws/wire.hpp"
#include "proto/kit/operation_table.hpp"
#include "service/audit/call_context.hpp"

namespace atrium::proto::aws {

struct json_api_names {
  std::string target_prefix;  // "AWSIdentityStore" in "X-Amz-Target: AWSIdentityStore.CreateUser"
  std::string service_name;   // metrics, logs, throttle keys: "identitystore.CreateUser"
  std::string action_prefix;  // delegated administration: "identitystore:CreateUser"
  std::string event_source;   // CloudTrail eventSource of the API's records
  // Request members CloudTrail's requestParameters keep as sent (identifiers, paging); the door
  // masks every other member (names, descriptions, policies, attributes).
  std::vector<std::string_view> audited_members;
  // Its read-only operations are point reads or one page (DescribeUser, ListUsers): the HTTP
  // layer may serve them on the network thread (router.hpp, door::is_point_read).
  bool point_reads = false;
};

class json_api {
 public:
  // `map_error`: the API's own error shapes (organizations names its not-found errors per
  // resource type; sso-admin's carry only a message). Default: identitystore's (wire.hpp).
  explicit json_api(json_api_names names, std::function<aws_error(const error&)> map_error = to_aws_error);

  std::string_view target_prefix() const { return names_.target_prefix; }
  std::string_view service_name() const { return names_.service_name; }
  std::string_view action_prefix() const { return names_.action_prefix; }
  std::string_view event_source() const { return names_.event_source; }
  const std::vector<std::string_view>& audited_members() const { return names_.audited_members; }

  // The operation table (call add() only while wiring).
  void add(json_operation op) { table_.add(std::move(op)); }
  bool has(std::string_view operation) const { return table_.has(operation); }
  const json_operation* find(std::string_view operation) const { return table_.find(operation); }
  bool is_read_only(std::string_view operation) const { return table_.is_read_only(operation); }
  bool is_point_read(std::string_view operation) const { return names_.point_reads && is_read_only(operation); }
  result<nlohmann::json> call(std::string_view operation, const nlohmann::json& req,
                              const service::call_context& ctx) const {
    return table_.call(operation, req, ctx);
  }
  aws_error map_error(const error& e) const { return map_error_(e); }

  // An operation may also answer with its body already written as text (issue 18 item 1: a
  // point read's answer without building the JSON object and dumping it). The text must be the
  // bytes json_response would give for the table handler's value; the door prefers it when set.
  using text_handler = std::function<result<std::string>(const nlohmann::json& req, const service::call_context& ctx)>;
  void add_text(std::string operation, text_handler h) { text_rows_.emplace_back(std::move(operation), std::move(h)); }
  const text_handler* find_text(std::string_view operation) const {
    for (const auto& [name, h] : text_rows_)
      if (name == operation) return &h;
    return nullptr;
  }

 private:
  json_api_names names_;
  std::function<aws_error(const error&)> map_error_;
  operation_table table_;
  std::vector<std::pair<std::string, text_handler>> text_rows_;  // a few rows: a scan is enough
};

}  // namespace atrium::proto::aws
