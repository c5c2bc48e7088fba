#pragma once
// The AWS JSON 1.1 protocol as the identitystore, sso-admin and organizations APIs use it:
// POST / with X-Amz-Target "<Prefix>.<Operation>", a JSON body, and errors as
// {"__type": "<ErrorName>", "Message": "..."} with HTTP 400 (client) or 500 (server).
// Requests and responses are the door kit's values (proto/kit/exchange.hpp).
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "base/result.hpp"
#include "proto/kit/exchange.hpp"

namespace atrium::proto::aws {

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
// The error body {"__type", "Message", "message", "RequestId", ...extra} with x-amzn-ErrorType;
// error_code and error_message carry CloudTrail's errorCode/errorMessage.
response error_response(const aws_error& e, const std::string& request_id);
response json_response(const nlohmann::json& body);
// The same answer from a body already written as the dump of its JSON value would be.
response json_text_response(std::string body);

}  // namespace atrium::proto::aws
