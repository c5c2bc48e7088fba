#include "proto/aws/wire.hpp"

#include "base/strings.hpp"

namespace atrium::proto::aws {

const std::string* wire_request::header(std::string_view name) const {
  for (const auto& [k, v] : headers)
    if (iequals_ascii(k, name)) return &v;
  return nullptr;
}

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
    case errc::conflict: out.extra["Reason"] = "UNIQUENESS_CONSTRAINT_VIOLATION"; break;
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

wire_response error_response(const aws_error& e, const std::string& request_id) {
  nlohmann::json body = e.extra;
  body["__type"] = e.type;
  body["Message"] = e.message;
  body["message"] = e.message;
  if (!request_id.empty()) body["RequestId"] = request_id;
  wire_response r;
  r.status = e.status;
  r.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  r.error_code = e.type;
  r.headers.emplace_back("Content-Type", "application/x-amz-json-1.1");
  r.headers.emplace_back("x-amzn-ErrorType", e.type);
  return r;
}

wire_response json_response(const nlohmann::json& body) {
  wire_response r;
  r.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  r.headers.emplace_back("Content-Type", "application/x-amz-json-1.1");
  return r;
}

}  // namespace atrium::proto::aws
