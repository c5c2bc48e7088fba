#pragma once
// One request and one response value for every front door. http/ reads a request off the
// socket into a `proto::request`, the router hands it to the door that registered its path,
// and the door's `proto::response` goes back to http/ as it is: no conversions in between
// (architecture guide: "Pure handlers. Protocol code takes a parsed request and returns a
// response value; http/ owns sockets").
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace atrium::proto {

using header_list = std::vector<std::pair<std::string, std::string>>;

struct request {
  std::string method;
  std::string target;   // raw request-target (path and query as received)
  header_list headers;  // as received, in order
  std::string body;
  std::string remote_ip;
  std::string request_id;  // generated per request (uuid4), also sent as x-amzn-RequestId
  // Case-insensitive, first match; nullptr when absent.
  const std::string* header(std::string_view name) const;
  // The target without its query string.
  std::string_view path() const;
};

// The value of cookie `name` in the Cookie headers ("" when absent): the portal's session
// cookie is read by the portal door and by the console's API (proto/aws/console_door).
std::string cookie_value(const request& req, std::string_view name);

struct response {
  int status = 200;
  std::string content_type = "application/json";  // empty: no Content-Type (204, 302)
  header_list headers;
  std::string body;
  // Label for metrics and logs ("identitystore.CreateUser", "healthz"); empty -> "other".
  std::string operation;
  std::string error_code;     // logged when set and, by doors that audit, CloudTrail's errorCode
  std::string error_message;  // CloudTrail's errorMessage of a failed call (never sent as a header)
};

}  // namespace atrium::proto
