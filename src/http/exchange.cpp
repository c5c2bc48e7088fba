#include "http/exchange.hpp"

#include <nlohmann/json.hpp>

#include "base/strings.hpp"

namespace atrium::http {

namespace bhttp = boost::beast::http;

namespace {

response json_error(int status, std::string type, std::string_view message) {
  response r;
  r.status = status;
  r.body = nlohmann::json{{"__type", type}, {"message", message}}.dump();
  r.error_code = std::move(type);
  return r;
}

bool framing_header(std::string_view name) {
  return iequals_ascii(name, "content-length") || iequals_ascii(name, "transfer-encoding") ||
         iequals_ascii(name, "connection");
}

// Headers the server sets itself and a handler may replace rather than repeat.
bool single_header(std::string_view name) {
  return iequals_ascii(name, "content-type") || iequals_ascii(name, "server") ||
         iequals_ascii(name, "x-amzn-requestid");
}

bool unsafe_header(std::string_view name, std::string_view value) {
  auto bad = [](std::string_view s) { return s.find_first_of(std::string_view("\r\n\0", 3)) != s.npos; };
  return name.empty() || bad(name) || bad(value);
}

// A final response; 1xx are interim and anything outside 100..599 is not a status at all.
int final_status(int status) { return status >= 200 && status <= 599 ? status : 500; }

}  // namespace

std::string_view path_of(std::string_view target) { return target.substr(0, target.find('?')); }

request to_request(beast_request&& in, std::string remote_ip, std::string request_id) {
  request r;
  r.method = std::string(in.method_string());
  r.target = std::string(in.target());
  r.headers.reserve(static_cast<std::size_t>(std::distance(in.begin(), in.end())));
  for (const auto& f : in) r.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
  r.body = std::move(in.body());
  r.remote_ip = std::move(remote_ip);
  r.request_id = std::move(request_id);
  return r;
}

std::optional<response> builtin_route(const request& req, const metrics_registry& metrics) {
  if (req.method != "GET") return std::nullopt;
  auto path = path_of(req.target);
  response r;
  if (path == "/healthz") {
    r.body = R"({"status":"ok"})";
    r.operation = "healthz";
    return r;
  }
  if (path == "/metrics") {
    r.body = metrics.render();
    r.content_type = "text/plain; version=0.0.4";
    r.operation = "metrics";
    return r;
  }
  return std::nullopt;
}

response internal_error_response() {
  return json_error(500, "InternalServerException", "Internal server error");
}

std::optional<response> read_error_response(const boost::system::error_code& ec) {
  if (ec == bhttp::error::body_limit)
    return json_error(413, "RequestEntityTooLarge", "The request body is too large.");
  if (ec == bhttp::error::header_limit || ec == bhttp::error::buffer_overflow)
    return json_error(431, "RequestHeaderFieldsTooLarge", "The request headers are too large.");
  // The peer went away mid-message (or before one): nobody is left to read an answer.
  if (ec == bhttp::error::end_of_stream || ec == bhttp::error::partial_message) return std::nullopt;
  if (ec.category() == bhttp::make_error_code(bhttp::error::bad_method).category())
    return json_error(400, "BadRequest", "The request could not be parsed.");
  return std::nullopt;
}

bool asks_to_close(const response& res) {
  for (const auto& [k, v] : res.headers)
    if (iequals_ascii(k, "connection") && iequals_ascii(trim(v), "close")) return true;
  return false;
}

beast_response to_beast(response res, std::string_view request_id, unsigned version, bool keep_alive) {
  int status = final_status(res.status);
  beast_response out{static_cast<bhttp::status>(status), version};
  out.set(bhttp::field::server, "Atrium");
  if (!res.content_type.empty()) out.set(bhttp::field::content_type, res.content_type);
  out.set("x-amzn-RequestId", request_id);
  for (const auto& [k, v] : res.headers) {
    if (framing_header(k) || unsafe_header(k, v)) continue;
    if (single_header(k)) out.set(k, v);
    else out.insert(k, v);
  }
  // 204 and 304 carry no body (RFC 9110 §15.3.5, §15.4.5); Beast refuses to frame one.
  if (status != 204 && status != 304) out.body() = std::move(res.body);
  out.keep_alive(keep_alive);
  out.prepare_payload();
  return out;
}

std::string access_log_fields(const access_record& r) {
  nlohmann::ordered_json j = {{"msg", "request"},
                              {"request_id", r.request_id},
                              {"method", r.method},
                              {"path", path_of(r.target)},
                              {"status", r.status},
                              {"duration_ms", r.duration_ms},
                              {"operation", r.operation},
                              {"error_code", r.error_code},
                              {"remote_ip", r.remote_ip}};
  auto s = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return s.substr(1, s.size() - 2);
}

}  // namespace atrium::http
