#include "proto/aws/wire.hpp"

#include "base/conflict.hpp"
#include "base/strings.hpp"

namespace atrium::proto::aws {

const char* aws_error_name(const error& e) {
  switch (e.code) {
    case errc::validation: return "ValidationException";
    case errc::not_found: return "ResourceNotFoundException";
    case errc::conflict:
    case errc::concurrent_modification: return "ConflictException";
    case errc::access_denied: return "AccessDeniedException";
    case errc::unauthenticated: return "UnrecognizedClientException";
    case errc::throttled: return "ThrottlingException";
    case errc::quota_exceeded: return "ServiceQuotaExceededException";
    case errc::internal: return "InternalServerException";
  }
  return "InternalServerException";
}

aws_error to_aws_error(const error& e) {
  aws_error out;
  out.type = aws_error_name(e);
  out.message = e.message;
  switch (e.code) {
    case errc::not_found:
      if (!e.resource_type.empty()) out.extra["ResourceType"] = e.resource_type;
      if (!e.resource_id.empty()) out.extra["ResourceId"] = e.resource_id;
      break;
    case errc::conflict:
      // Only a uniqueness violation names a Reason; a conflict of state has none (base/conflict.hpp).
      if (is_uniqueness_violation(e)) out.extra["Reason"] = "UNIQUENESS_CONSTRAINT_VIOLATION";
      break;
    case errc::concurrent_modification: out.extra["Reason"] = "CONCURRENT_MODIFICATION"; break;
    case errc::internal:
      out.status = 500;
      // Internal details stay in our logs; the client gets the service's generic text.
      out.message = "The request processing has failed because of an unknown error, exception or failure.";
      break;
    default: break;
  }
  return out;
}

namespace {
constexpr const char* amz_json = "application/x-amz-json-1.1";
}

response error_response(const aws_error& e, const std::string& request_id) {
  nlohmann::json body = e.extra;
  body["__type"] = e.type;
  body["Message"] = e.message;
  body["message"] = e.message;
  if (!request_id.empty()) body["RequestId"] = request_id;
  response r;
  r.status = e.status;
  r.content_type = amz_json;
  r.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  r.error_code = e.type;
  r.error_message = e.message;
  r.headers.emplace_back("x-amzn-ErrorType", e.type);
  return r;
}

response json_response(const nlohmann::json& body) {
  response r;
  r.content_type = amz_json;
  r.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return r;
}

response json_text_response(std::string body) {
  response r;
  r.content_type = amz_json;
  r.body = std::move(body);
  return r;
}

}  // namespace atrium::proto::aws
