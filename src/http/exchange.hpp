#pragma once
// The pure half of the server (Beast examples' handle_request): conversions between Beast
// messages and atrium::http values, the built-in routes, error answers and the access-log
// line. No sockets and no clocks here; server.cpp does the I/O around these.
#include <utility>  // before Asio/Beast: Boost 1.74 needs it (architecture guide)

#include <boost/beast/http/error.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/system/error_code.hpp>

#include <optional>
#include <string>
#include <string_view>

#include "http/metrics.hpp"
#include "http/server.hpp"

namespace atrium::http {

using beast_request = boost::beast::http::request<boost::beast::http::string_body>;
using beast_response = boost::beast::http::response<boost::beast::http::string_body>;

// The request-target without its query string. Query strings may carry presigned signatures,
// so this is the only form of the target that goes to logs.
std::string_view path_of(std::string_view target);

request to_request(beast_request&& in, std::string remote_ip, std::string request_id);

// GET /healthz and GET /metrics, answered by the server itself; nullopt for everything else.
std::optional<response> builtin_route(const request& req, const metrics_registry& metrics);

// 500 with {"__type":"InternalServerException","message":"Internal server error"}.
response internal_error_response();

// The answer to a request that could not be read: 413 (body limit), 431 (header limit), 400
// (malformed). nullopt for transport errors (timeout, reset, peer gone), which get no answer.
std::optional<response> read_error_response(const boost::system::error_code& ec);

// True when the handler asked for the connection to close (a "Connection: close" header).
bool asks_to_close(const response& res);

// Server, Content-Type, x-amzn-RequestId, Content-Length and Connection are set here; the
// handler's own headers follow, except the ones that frame the message (Content-Length,
// Transfer-Encoding, Connection) and any with CR, LF or NUL in them.
beast_response to_beast(response res, std::string_view request_id, unsigned version, bool keep_alive);

struct access_record {
  std::string_view request_id, method, target, remote_ip, operation, error_code;
  int status = 0;
  double duration_ms = 0;
};
// One request as JSON object members without the braces (the app's log pattern adds them).
// The path is logged without its query string; headers and bodies are never logged.
std::string access_log_fields(const access_record& r);

}  // namespace atrium::http
