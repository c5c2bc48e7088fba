#include "proto/scim/scim_door.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <condition_variable>
#include <deque>
#include <mutex>

#include "base/json_text.hpp"
#include "base/strings.hpp"
#include "domain/ids.hpp"
#include "proto/kit/door_call.hpp"
#include "proto/kit/json_body.hpp"
#include "proto/scim/list_query.hpp"
#include "proto/scim/scim_call.hpp"
#include "proto/scim/schemas.hpp"

namespace atrium::proto::scim {

using nlohmann::json;

namespace {

constexpr std::string_view hidden = "HIDDEN_DUE_TO_SECURITY_REASONS";

// CloudTrail's errorCode for a SCIM failure: the service's error names (its SCIM guide's
// error table), so that an admin can search the trail as the guide's troubleshooting says.
std::string aws_error_code(int status) {
  switch (status) {
    case 400: return "ValidationException";
    case 401: return "UnauthorizedException";
    case 403: return "AccessDeniedException";
    case 404: return "ResourceNotFoundException";
    case 405: return "MethodNotAllowedException";
    case 409: return "ConflictException";
    case 412: return "PreconditionFailedException";
    case 413: return "PayloadTooLargeException";
    case 429: return "ThrottlingException";
    case 501: return "NotImplementedException";
    default: return "InternalServerException";
  }
}

// Request bodies in audit records keep their shape and ids but not the people's data
// (the service records SCIM bodies the same way): strings are hidden except schema URNs,
// PATCH op/path, and resource ids.
json mask(const json& v, std::string_view key = {}) {
  if (v.is_object()) {
    json out = json::object();
    for (auto it = v.begin(); it != v.end(); ++it) out[it.key()] = mask(it.value(), it.key());
    return out;
  }
  if (v.is_array()) {
    json out = json::array();
    for (const auto& x : v) out.push_back(mask(x, key));
    return out;
  }
  if (!v.is_string()) return v;
  const auto& s = v.get_ref<const std::string&>();
  if (iequals_ascii(key, "schemas") || iequals_ascii(key, "op") || iequals_ascii(key, "path") ||
      domain::is_resource_id(s))
    return v;
  return hidden;
}

// Filter text with its quoted values hidden: the attribute names stay for diagnosis.
std::string mask_filter(std::string_view f) {
  std::string out;
  bool in_string = false;
  for (std::size_t i = 0; i < f.size() && out.size() < 1024; ++i) {
    char ch = f[i];
    if (in_string) {
      if (ch == '\\') ++i;
      else if (ch == '"') in_string = false, out += "\"";
      continue;
    }
    out += ch;
    if (ch == '"') in_string = true, out += hidden;
  }
  return out;
}

std::string percent_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out += ' ';
    } else if (s[i] == '%' && i + 2 < s.size() && std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
               std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      out += static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

std::map<std::string, std::string> parse_query(std::string_view q) {
  std::map<std::string, std::string> out;
  for (auto part : split(q, '&')) {
    if (part.empty()) continue;
    auto eq = part.find('=');
    auto name = to_lower_ascii(percent_decode(part.substr(0, eq)));
    out[name] = eq == std::string_view::npos ? std::string() : percent_decode(part.substr(eq + 1));
  }
  return out;
}

std::vector<std::string> comma_list(const std::optional<std::string>& v) {
  std::vector<std::string> out;
  if (!v) return out;
  for (auto p : split(*v, ','))
    if (auto t = trim(p); !t.empty()) out.emplace_back(t);
  return out;
}

// The operation a request asks for, named as the service names SCIM operations in CloudTrail.
std::string operation_of(const std::string& method, const std::vector<std::string>& seg) {
  if (seg.empty()) return "Unknown";
  const std::string& r = seg[0];
  bool one = seg.size() == 2, base = seg.size() == 1;
  bool search = one && seg[1] == ".search" && method == "POST";
  if (r == "Users" || r == "Groups") {
    std::string noun = r == "Users" ? "User" : "Group";
    if (search || (base && method == "GET")) return "List" + r;
    if (base && method == "POST") return "Create" + noun;
    if (one && method == "GET") return "Get" + noun;
    if (one && method == "PUT") return "Put" + noun;
    if (one && method == "PATCH") return "Patch" + noun;
    if (one && method == "DELETE") return "Delete" + noun;
  }
  if (method != "GET") return "Unknown";
  if (r == "ServiceProviderConfig" && base) return "GetServiceProviderConfig";
  if (r == "Schemas") return base ? "ListSchemas" : (one ? "GetSchema" : "Unknown");
  if (r == "ResourceTypes") return base ? "ListResourceTypes" : (one ? "GetResourceType" : "Unknown");
  return "Unknown";
}

// Reads by what they do, not by method: POST /Users/.search is a ListUsers.
bool is_read(const std::string& method, std::string_view operation) {
  return method == "GET" || starts_with(operation, "List") || starts_with(operation, "Get");
}

// The body checks of the door kit in SCIM's words (RFC 7644 §3.12: invalidSyntax).
scim_error body_error(body_problem p, std::size_t max_bytes) {
  switch (p) {
    case body_problem::too_large:
      return {413, "", "The request body is larger than " + std::to_string(max_bytes) + " bytes."};
    case body_problem::wrong_media_type:
      return {400, scim_type::invalid_syntax, "Content-Type must be application/scim+json or application/json."};
    case body_problem::too_deep:
      return {400, scim_type::invalid_syntax,
              "The request body nests deeper than " + std::to_string(max_json_nesting) + " levels."};
    case body_problem::not_a_json_object: break;
  }
  return {400, scim_type::invalid_syntax, "The request body is not a valid JSON object."};
}

// Host for meta.location: the client's Host header when it is a plain host[:port].
std::string host_of(const request& req, const std::string& fallback) {
  const std::string* h = req.header("Host");
  if (!h || h->empty() || h->size() > 255) return fallback;
  for (unsigned char ch : *h)
    if (!(std::isalnum(ch) || ch == '.' || ch == '-' || ch == ':' || ch == '[' || ch == ']')) return fallback;
  return *h;
}

}  // namespace

// ---- helpers shared by the handlers ------------------------------------------------------

std::optional<std::string> scim_door::call::param(const std::string& lower_name) const {
  auto it = query.find(lower_name);
  if (it == query.end()) return std::nullopt;
  return it->second;
}

response json_reply(int status, const json& body, std::string_view etag) {
  response r;
  r.status = status;
  r.content_type = "application/scim+json";
  r.body = body.dump(-1, ' ', false, json::error_handler_t::replace);
  if (!etag.empty()) r.headers.emplace_back("ETag", std::string(etag));
  return r;
}

response no_content(std::string_view etag) {
  response r;
  r.status = 204;
  r.content_type.clear();
  if (!etag.empty()) r.headers.emplace_back("ETag", std::string(etag));
  return r;
}

response error_reply(const scim_error& e) {
  // RFC 7644 §3.12: status is a string; scimType only where one applies.
  json body = {{"schemas", json::array({error_urn})}, {"status", std::to_string(e.status)}, {"detail", e.detail}};
  if (!e.scim_type.empty()) body["scimType"] = e.scim_type;
  auto r = json_reply(e.status, body);
  r.error_code = aws_error_code(e.status);
  r.error_message = e.detail;
  return r;
}

scim_result<service::version_condition> if_match(const scim_door::call& c, std::string_view header) {
  const std::string* h = c.req.header(header);
  if (!h) return service::version_condition{};
  return parse_etag(*h);
}

bool not_modified(const scim_door::call& c, int64_t version) {
  if (!c.req.header("If-None-Match")) return false;
  auto tags = if_match(c, "If-None-Match");
  return tags && service::check_version(*tags, version).has_value();
}

scim_result<service::query_window> window_of(const scim_door::call& c, int max_count) {
  service::query_window w;
  w.count = max_count;
  auto number = [](const std::string& name, const std::string& v) -> scim_result<int64_t> {
    int64_t n = 0;
    auto t = trim(v);
    auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), n);
    if (t.empty() || ec != std::errc() || p != t.data() + t.size())
      return bad_request(scim_type::invalid_value, name + " must be an integer.");
    return n;
  };
  auto cursor = c.param("cursor");
  auto start = c.param("startindex");
  if (cursor && start)
    return bad_request(scim_type::invalid_value, "Use either cursor or startIndex paging, not both.");
  if (auto count = c.param("count")) {
    auto n = number("count", *count);
    if (!n) return std::unexpected(n.error());
    // RFC 7644 §3.4.2.4: negative means 0; more than the server's maximum gets the maximum.
    w.count = static_cast<int>(std::clamp<int64_t>(*n, cursor ? 1 : 0, max_count));
  }
  if (cursor) {
    if (cursor->size() > 4096) return bad_request(scim_type::invalid_value, "The cursor is not valid.");
    w.cursor = *cursor;
  } else if (start) {
    auto n = number("startIndex", *start);
    if (!n) return std::unexpected(n.error());
    w.offset = std::max<int64_t>(*n, 1) - 1;  // values below 1 are 1 (RFC 7644 §3.4.2.4)
  }
  return w;
}

response not_modified_reply(int64_t version) {
  response r = no_content(etag_of(version));
  r.status = 304;
  return r;
}

void search_body_to_query(scim_door::call& c) {
  auto take = [&](const char* key, const char* param) {
    auto it = c.body.find(key);
    if (it == c.body.end()) return;
    if (it->is_string()) {
      c.query[param] = it->get<std::string>();
    } else if (it->is_number_integer()) {
      c.query[param] = std::to_string(it->get<int64_t>());
    } else if (it->is_array()) {
      std::string joined;
      for (const auto& a : *it)
        if (a.is_string()) joined += (joined.empty() ? "" : ",") + a.get<std::string>();
      c.query[param] = joined;
    }
  };
  take("filter", "filter"), take("startIndex", "startindex"), take("count", "count"), take("cursor", "cursor");
  take("attributes", "attributes"), take("excludedAttributes", "excludedattributes");
  c.proj.attributes = comma_list(c.param("attributes"));
  c.proj.excluded_attributes = comma_list(c.param("excludedattributes"));
}

json list_response(std::vector<json> resources, const service::query_window& w, std::optional<int64_t> total,
                   const std::optional<std::string>& next_cursor) {
  json out = {{"schemas", json::array({list_response_urn})}};
  if (!w.cursor) {
    out["totalResults"] = total.value_or(static_cast<int64_t>(resources.size()));
    out["startIndex"] = w.offset + 1;
  }
  out["itemsPerPage"] = resources.size();
  if (next_cursor) out["nextCursor"] = *next_cursor;
  out["Resources"] = std::move(resources);
  return out;
}

// ---- the door ----------------------------------------------------------------------------

scim_door::scim_door(service::scim_provisioning& tokens, service::user_service& users, service::group_service& groups,
                     service::throttler& throttle, service::audited_store& audit, scim_settings settings)
    : tokens_(tokens), users_(users), groups_(groups), throttle_(throttle), audit_(audit), settings_(std::move(settings)) {}

response scim_door::transport_error(const request&, response generic) const {
  int status = generic.status;
  std::string detail = status == 413   ? "The request body is larger than " + std::to_string(settings_.max_body_bytes) + " bytes."
                       : status == 431 ? "The request headers are too large."
                                       : "The request could not be parsed.";
  auto r = error_reply({status, status == 400 ? scim_type::invalid_syntax : "", std::move(detail)});
  r.operation = "scim.Unknown";
  for (auto& h : generic.headers) r.headers.push_back(std::move(h));
  return r;
}

bool scim_door::is_point_read(const request& req) const {
  if (req.method != "GET" || !handles(req.target)) return false;
  auto path = req.path();
  std::vector<std::string_view> seg;
  for (auto s : split(path.substr(std::min(path.size(), settings_.base_path.size())), '/'))
    if (!s.empty()) seg.push_back(s);
  if (seg.size() != 1 || (seg[0] != "Users" && seg[0] != "Groups")) return true;  // one resource, discovery, 404s
  auto qpos = req.target.find('?');
  auto query = parse_query(qpos == std::string::npos ? std::string_view() : std::string_view(req.target).substr(qpos + 1));
  if (query.contains("startindex")) return false;
  auto filter = query.find("filter");
  if (filter == query.end()) return false;  // a whole page of the store
  // The door's own translation of the filter (list_query.hpp) decides, not the filter's text: a
  // filter pinning a unique key (id, userName / displayName, externalId) answers one row at most;
  // a users-in-group filter expands nested groups first, and a filter the door refuses answers
  // with its error on the pool like any other.
  if (seg[0] == "Users") {
    auto q = user_query_from(filter->second, settings_.filter);
    return q && !q->in_group && (q->filter.id || q->filter.user_name_key || q->filter.external_id);
  }
  auto q = group_query_from(filter->second, settings_.filter);
  return q && (q->filter.id || q->filter.display_name_key || q->filter.external_id);
}

bool scim_door::handles(std::string_view target) const {
  auto path = target.substr(0, target.find('?'));
  if (!starts_with(path, settings_.base_path)) return false;
  return path.size() == settings_.base_path.size() || path[settings_.base_path.size()] == '/';
}

namespace {

// The synchronous form's wait (scim_door::handle): the write's completion is posted here and runs
// on the waiting thread (never the writer's), then answers.
class answer_waiter {
 public:
  store::post_fn poster() {
    return [this](std::function<void()> work) {
      std::lock_guard lock(m_);
      work_.push_back(std::move(work));
      cv_.notify_one();  // under the lock: the waiter may return and go as soon as it is released
    };
  }
  responder::answer_fn answerer() {
    return [this](std::optional<response> r) {
      std::lock_guard lock(m_);
      out_ = std::move(r);
      answered_ = true;
      cv_.notify_one();
    };
  }
  // Runs posted work until the answer came; a dropped responder answers 500 (as the HTTP layer does).
  response wait() {
    std::unique_lock lock(m_);
    for (;;) {
      cv_.wait(lock, [&] { return answered_ || !work_.empty(); });
      if (work_.empty()) break;
      auto work = std::move(work_.front());
      work_.pop_front();
      lock.unlock();
      work();
      work = nullptr;
      lock.lock();
    }
    if (out_) return std::move(*out_);
    return error_reply({500, "", "The request could not be completed."});
  }

 private:
  std::mutex m_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> work_;
  std::optional<response> out_;
  bool answered_ = false;
};

}  // namespace

response scim_door::handle(const request& req) {
  answer_waiter waiter;
  handle_async(req, responder(waiter.answerer(), waiter.poster()));
  return waiter.wait();
}

void scim_door::handle_async(const request& req, responder later) {
  auto c = std::make_shared<call>(call{req, context_of(req, settings_.region), {}, {}, json::object(), {}, {},
                                       later.poster(), {}, std::nullopt});
  // Every answer, at once or from a write's completion, ends here: one failure record per failed call.
  reply_fn reply = [this, c, later](response r) { later(finish_call(audit_, c->ctx, std::move(r), "scim")); };
  if (auto refused = prepare(*c)) return reply(std::move(*refused));
  dispatch(c, reply);
}

std::optional<response> scim_door::prepare(call& c) {
  const request& req = c.req;
  auto& ctx = c.ctx;
  ctx.event_source = "identitystore-scim.amazonaws.com";
  ctx.via = domain::door::scim;
  ctx.who.type = "WebIdentityUser";
  ctx.who.account_id = settings_.account_id;
  ctx.who.arn.clear();

  auto qpos = req.target.find('?');
  std::string_view path = req.path();
  // Tolerate the trailing slash the guide warns about, and the doubled slash it produces.
  for (auto s : split(path.substr(std::min(path.size(), settings_.base_path.size())), '/'))
    if (!s.empty()) c.segments.push_back(percent_decode(s));
  if (qpos != std::string::npos) c.query = parse_query(std::string_view(req.target).substr(qpos + 1));
  c.base_url = std::string(settings_.tls ? "https://" : "http://") + host_of(req, settings_.public_host) +
               settings_.base_path;
  ctx.event_name = operation_of(req.method, c.segments);
  ctx.read_only = is_read(req.method, ctx.event_name);
  json params = {{"tenantId", users_.identity_store_id()}};
  if (auto f = c.param("filter")) params["filter"] = mask_filter(*f);
  ctx.request_parameters = to_json_text(params);
  ctx.request_parameters_canonical = true;  // the auditor keeps this text as it is

  const std::string* auth = req.header("Authorization");
  std::string_view bearer;
  if (auth && auth->size() > 7 && iequals_ascii(std::string_view(*auth).substr(0, 7), "Bearer "))
    bearer = trim(std::string_view(*auth).substr(7));
  auto token = tokens_.authenticate(bearer);
  if (!token) {
    auto r = error_reply(from_error(token.error()));
    if (r.status == 401) r.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"atrium-scim\"");
    return r;
  }
  ctx.who.access_key_id = token->id;
  ctx.who.principal_id = token->id;

  if (auto secs = throttled_for(throttle_, "scim." + ctx.event_name)) {
    auto r = error_reply({429, "", "Too many requests; retry after " + std::to_string(*secs) + " seconds."});
    add_retry_after(r, *secs);
    return r;
  }

  if (req.method == "POST" || req.method == "PUT" || req.method == "PATCH") {
    auto body = read_json_body(req, {settings_.max_body_bytes, {"application/scim+json", "application/json"}, false});
    if (!body) return error_reply(body_error(body.error(), settings_.max_body_bytes));
    c.body = std::move(*body);
    params["httpBody"] = mask(c.body);
    ctx.request_parameters = to_json_text(params);
  }
  c.proj.attributes = comma_list(c.param("attributes"));
  c.proj.excluded_attributes = comma_list(c.param("excludedattributes"));
  return std::nullopt;
}

void scim_door::dispatch(const call_ptr& cp, const reply_fn& reply) {
  call& c = *cp;
  const auto& seg = c.segments;
  const std::string& m = c.req.method;
  if (seg.empty()) return reply(error_reply({404, "", "Not found; resources are /Users, /Groups, /Schemas, /ResourceTypes and /ServiceProviderConfig."}));
  if (seg[0] == "Me" || seg[0] == "Bulk" || seg[0] == ".search")
    return reply(error_reply({501, "", "/" + seg[0] + " is not supported."}));
  if (seg[0] == "Users" || seg[0] == "Groups") {
    if (seg.size() > 2) return reply(error_reply({404, "", "Not found."}));
    bool allowed = seg.size() == 1 ? (m == "GET" || m == "POST")
                                   : (seg[1] == ".search" ? m == "POST"
                                                          : (m == "GET" || m == "PUT" || m == "PATCH" || m == "DELETE"));
    if (!allowed) {
      auto r = error_reply({405, "", "Method " + m.substr(0, 16) + " is not allowed here."});
      r.headers.emplace_back("Allow", seg.size() == 1 ? "GET, POST" : (seg[1] == ".search" ? "POST" : "GET, PUT, PATCH, DELETE"));
      return reply(std::move(r));
    }
    return seg[0] == "Users" ? users(cp, reply) : groups(cp, reply);
  }
  if (seg[0] == "ServiceProviderConfig" || seg[0] == "Schemas" || seg[0] == "ResourceTypes") {
    if (m != "GET") {
      auto r = error_reply({405, "", "Method " + m.substr(0, 16) + " is not allowed here."});
      r.headers.emplace_back("Allow", "GET");
      return reply(std::move(r));
    }
    return reply(discovery(c));
  }
  reply(error_reply({404, "", "Not found."}));
}

response scim_door::discovery(call& c) {
  const auto& seg = c.segments;
  // RFC 7644 §4: discovery endpoints are not filtered.
  if (c.param("filter")) return error_reply({403, "", "Filtering is not supported on " + seg[0] + "."});
  json doc;
  if (seg[0] == "ServiceProviderConfig" && seg.size() == 1) {
    provider_limits lim;
    lim.max_results = settings_.max_count;
    lim.max_payload_bytes = settings_.max_body_bytes;
    doc = service_provider_config_json(c.base_url, lim);
  } else if (seg[0] == "Schemas" && seg.size() == 1) {
    doc = schemas_list_json(c.base_url);
  } else if (seg[0] == "Schemas" && seg.size() == 2) {
    doc = schema_json(seg[1], c.base_url);
    if (doc.is_null()) return error_reply({404, "", "Schema '" + seg[1].substr(0, 200) + "' not found."});
  } else if (seg[0] == "ResourceTypes" && seg.size() == 1) {
    doc = resource_types_list_json(c.base_url);
  } else if (seg[0] == "ResourceTypes" && seg.size() == 2 && (seg[1] == "User" || seg[1] == "Group")) {
    doc = resource_type_json(seg[1] == "User" ? resource_kind::user : resource_kind::group, c.base_url);
  } else {
    return error_reply({404, "", "Not found."});
  }
  audit_.record_success(c.ctx);
  return json_reply(200, doc);
}

}  // namespace atrium::proto::scim
