#pragma once
// The AWS JSON 1.1 protocol as the identitystore, sso-admin and organizations APIs use it:
// POST / with X-Amz-Target "<Prefix>.<Operation>", a JSON body, and errors as
// {"__type": "<ErrorName>", "Message": "..."} with HTTP 400 (client) or 500 (server).
// Framework-free: app/ converts http::request values to these and back.
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "base/result.hpp"

namespace atrium::proto::aws {

struct wire_request {
  std::string method;
  std::string target;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string remote_ip;
  std::string request_id;
  const std::string* header(std::string_view name) const;
};

struct wire_response {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string operation;   // "identitystore.CreateUser"
  std::string error_code;  // "ValidationException"
};

// An error value in AWS's words.
struct aws_error {
  int status = 400;
  std::string type;  // __type
  std::string message;
  nlohmann::json extra = nlohmann::json::object();  // ResourceType, Reason, RetryAfterSeconds...
};

// Maps domain/service errors to identitystore's error shapes.
aws_error to_aws_error(const error& e);
const char* aws_error_name(const error& e);
wire_response error_response(const aws_error& e, const std::string& request_id);
wire_response json_response(const nlohmann::json& body);

}  // namespace atrium::proto::aws
