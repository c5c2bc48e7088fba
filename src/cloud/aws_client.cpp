#include "cloud/aws_client.hpp"

#include <cstdio>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <random>
#include <thread>

#include "base/strings.hpp"
#include "crypto/sigv4.hpp"

namespace atrium::cloud {

namespace {

// Marks errors made from a peer's answer: resource_type = "aws:<service>", resource_id = code.
constexpr std::string_view peer_marker = "aws:";

bool contains(std::string_view s, std::string_view part) { return s.find(part) != std::string_view::npos; }

// AWS "Error retries and exponential backoff": throttling codes across IAM, STS, Organizations.
bool is_throttling(std::string_view code) {
  static constexpr std::array<std::string_view, 7> codes = {
      "Throttling", "ThrottlingException", "TooManyRequestsException", "RequestLimitExceeded",
      "SlowDown", "RequestThrottled", "PriorRequestNotComplete"};
  return std::find(codes.begin(), codes.end(), code) != codes.end();
}

errc errc_of(std::string_view code, int status) {
  if (is_throttling(code) || status == 429) return errc::throttled;
  if (contains(code, "NotFound") || code == "NoSuchEntity") return errc::not_found;
  if (contains(code, "AlreadyExists") || contains(code, "ConcurrentModification")) return errc::conflict;
  if (contains(code, "AccessDenied") || code == "AWSOrganizationsNotInUseException") return errc::access_denied;
  if (code == "InvalidClientTokenId" || code == "SignatureDoesNotMatch" || code == "ExpiredToken" ||
      code == "UnrecognizedClientException" || code == "IncompleteSignature" || status == 401 || status == 403)
    return errc::unauthenticated;
  if (code == "LimitExceeded" || contains(code, "QuotaExceeded")) return errc::quota_exceeded;
  if (status >= 500) return errc::internal;
  return errc::validation;
}

std::unexpected<error> peer_error(std::string_view service, int status, std::string code, std::string message) {
  if (code.empty()) code = "HTTP" + std::to_string(status);
  if (message.size() > 1024) message = message.substr(0, 1024) + "...";
  return std::unexpected<error>(error{errc_of(code, status), code + ": " + message,
                                      std::string(peer_marker) + std::string(service), code});
}

bool is_unreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
         c == '.' || c == '~';
}

void append_encoded(std::string& out, std::string_view s) {
  static constexpr char hex[] = "0123456789ABCDEF";
  for (unsigned char c : s) {
    if (is_unreserved(c)) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
}

std::string json_type_code(std::string type) {
  // "com.amazonaws.organizations#AccessDeniedException" or "AccessDeniedException:http://..."
  if (auto hash = type.rfind('#'); hash != std::string::npos) type = type.substr(hash + 1);
  if (auto colon = type.find(':'); colon != std::string::npos) type = type.substr(0, colon);
  return type;
}

}  // namespace

std::optional<credentials> credentials_from_environment() {
  const char* id = std::getenv("AWS_ACCESS_KEY_ID");
  const char* secret = std::getenv("AWS_SECRET_ACCESS_KEY");
  if (!id || !secret || !*id || !*secret) return std::nullopt;
  credentials c{id, secret, {}, std::nullopt};
  if (const char* token = std::getenv("AWS_SESSION_TOKEN")) c.session_token = token;
  return c;
}

std::string peer_code(const error& e) {
  return e.resource_type.starts_with(peer_marker) ? e.resource_id : std::string{};
}

std::string form_encode(std::string_view action, std::string_view version, const query_params& params) {
  std::string out = "Action=";
  append_encoded(out, action);
  out += "&Version=";
  append_encoded(out, version);
  for (const auto& [k, v] : params) {
    out += '&';
    append_encoded(out, k);
    out += '=';
    append_encoded(out, v);
  }
  return out;
}

std::optional<sys_time> parse_aws_time(const std::string& s) {
  int y, mo, d, h, mi, sec;
  if (std::sscanf(s.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d", &y, &mo, &d, &h, &mi, &sec) != 6) return std::nullopt;
  std::chrono::year_month_day ymd{std::chrono::year(y), std::chrono::month(static_cast<unsigned>(mo)),
                                  std::chrono::day(static_cast<unsigned>(d))};
  if (!ymd.ok() || h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 60) return std::nullopt;
  return sys_time(std::chrono::sys_days(ymd)) + std::chrono::hours(h) + std::chrono::minutes(mi) + std::chrono::seconds(sec);
}

std::pair<std::string, std::string> parse_query_error(std::string_view body) {
  auto doc = parse_xml(body);
  if (!doc) return {};
  // IAM/STS: <ErrorResponse><Error>…; EC2-style peers: <Response><Errors><Error>….
  const xml_node* err = doc->child("Error");
  if (!err) err = doc->find("Errors/Error");
  if (!err && doc->name == "Error") err = &*doc;
  if (!err) return {};
  return {err->text_at("Code"), err->text_at("Message")};
}

std::pair<std::string, std::string> parse_json_error(std::string_view body, std::string_view error_type_header) {
  std::string code = json_type_code(std::string(error_type_header));
  std::string message;
  // Untrusted: nlohmann recurses, so deep nesting is refused before parsing (as the doors do).
  auto j = json_nesting_depth(body) > 64 ? nlohmann::json() : nlohmann::json::parse(body, nullptr, false);
  if (j.is_object()) {
    if (auto t = j.find("__type"); t != j.end() && t->is_string()) code = json_type_code(t->get<std::string>());
    for (const char* key : {"message", "Message"})
      if (auto m = j.find(key); m != j.end() && m->is_string()) message = m->get<std::string>();
  }
  return {code, message};
}

aws_client::aws_client(client_config config, credentials creds, std::shared_ptr<http_transport> transport,
                       std::shared_ptr<const clock> clk, std::function<void(std::chrono::milliseconds)> sleep)
    : config_(std::move(config)),
      creds_(std::move(creds)),
      transport_(transport ? std::move(transport) : make_beast_transport(config_.transport)),
      clock_(clk ? std::move(clk) : std::make_shared<system_clock>()),
      sleep_(sleep ? std::move(sleep) : [](std::chrono::milliseconds d) { std::this_thread::sleep_for(d); }) {
  if (auto ep = parse_endpoint(config_.endpoint_url)) endpoint_ = std::move(*ep);
  else endpoint_error_ = ep.error();
}

result<http_reply> aws_client::exchange(http_request req) {
  if (!endpoint_error_.message.empty()) return std::unexpected(endpoint_error_);
  if (config_.sign && creds_.empty()) return fail(errc::unauthenticated, "no AWS credentials configured for " + config_.service);
  req.target = endpoint_.path;
  req.headers.emplace_back("Host", endpoint_.host_header());
  if (config_.sign && !creds_.session_token.empty()) req.headers.emplace_back("X-Amz-Security-Token", creds_.session_token);
  std::minstd_rand jitter(std::random_device{}());
  const int attempts = std::max(1, config_.retry.max_attempts);
  result<http_reply> reply = fail(errc::internal, "no attempt made");
  for (int attempt = 0; attempt < attempts; ++attempt) {
    if (attempt > 0) {
      // Full jitter: uniform in [0, min(max, base * 2^attempt)].
      auto cap = std::min<long long>(config_.retry.max_delay.count(),
                                     config_.retry.base_delay.count() << std::min(attempt, 20));
      sleep_(std::chrono::milliseconds(std::uniform_int_distribution<long long>(0, cap)(jitter)));
    }
    http_request signed_req = req;
    if (config_.sign) {
      crypto::sigv4_request sreq{req.method, req.target, {}, req.body};
      for (const auto& [n, v] : req.headers) sreq.headers.push_back({n, v});
      for (auto& h : crypto::sigv4_sign(sreq, creds_.access_key_id, creds_.secret_access_key, config_.region,
                                        config_.service, clock_->now()))
        signed_req.headers.emplace_back(std::move(h.name), std::move(h.value));
    }
    reply = transport_->send(endpoint_, signed_req);
    if (!reply) continue;  // connection refused, reset, timeout: retried
    if (reply->status >= 500 || reply->status == 429) continue;
    if (reply->status >= 400) {
      auto [code, msg] = reply->header("Content-Type").find("json") != std::string::npos
                             ? parse_json_error(reply->body, reply->header("x-amzn-ErrorType"))
                             : parse_query_error(reply->body);
      if (is_throttling(code)) continue;
    }
    return reply;
  }
  return reply;
}

result<xml_node> aws_client::call_query(std::string_view action, std::string_view version, const query_params& params) {
  http_request req;
  req.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded; charset=utf-8");
  req.body = form_encode(action, version, params);
  auto reply = exchange(std::move(req));
  if (!reply) return std::unexpected(reply.error());
  if (reply->status < 200 || reply->status >= 300) {
    auto [code, msg] = parse_query_error(reply->body);
    return peer_error(config_.service, reply->status, std::move(code), std::move(msg));
  }
  auto doc = parse_xml(reply->body);
  if (!doc) return fail(errc::internal, std::string(action) + " answer of " + config_.service + ": " + doc.error().message);
  return doc;
}

result<nlohmann::json> aws_client::call_json(std::string_view target, const nlohmann::json& body) {
  http_request req;
  req.headers.emplace_back("Content-Type", "application/x-amz-json-1.1");
  req.headers.emplace_back("X-Amz-Target", std::string(target));
  req.body = body.dump();
  auto reply = exchange(std::move(req));
  if (!reply) return std::unexpected(reply.error());
  if (reply->status < 200 || reply->status >= 300) {
    auto [code, msg] = parse_json_error(reply->body, reply->header("x-amzn-ErrorType"));
    return peer_error(config_.service, reply->status, std::move(code), std::move(msg));
  }
  if (reply->body.empty()) return nlohmann::json::object();
  if (json_nesting_depth(reply->body) > 64) return fail(errc::internal, std::string(target) + ": the answer nests too deep");
  auto j = nlohmann::json::parse(reply->body, nullptr, false);
  if (j.is_discarded()) return fail(errc::internal, std::string(target) + ": the answer is not JSON");
  return j;
}

}  // namespace atrium::cloud
