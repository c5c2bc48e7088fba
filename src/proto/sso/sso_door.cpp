#include "proto/sso/sso_door.hpp"

#include <charconv>

#include "base/json_text.hpp"
#include "base/strings.hpp"
#include <algorithm>
#include <nlohmann/json.hpp>
#include "proto/kit/door_call.hpp"
#include "proto/kit/query.hpp"
#include "service/audit/event_sources.hpp"

namespace atrium::proto::sso {

using nlohmann::json;

namespace {

constexpr std::string_view service_name = "sso";
constexpr std::size_t max_role_name = 32;  // permission set names (sso-admin: 1-32 characters)
constexpr std::string_view bearer_header = "x-amz-sso_bearer_token";

struct route_entry {
  std::string_view path;
  std::string_view method;
  std::string_view operation;
  bool read_only;
};
constexpr route_entry routes[] = {{"/federation/credentials", "GET", "GetRoleCredentials", true},
                                  {"/assignment/accounts", "GET", "ListAccounts", true},
                                  {"/assignment/roles", "GET", "ListAccountRoles", true},
                                  {"/logout", "POST", "Logout", false}};

response json_answer(const json& body) {
  response r;
  r.body = body.dump();
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

bool account_id_ok(const std::string& id) { return id.size() == 12 && std::all_of(id.begin(), id.end(), is_ascii_digit); }

bool role_name_ok(const std::string& n) {
  return !n.empty() && n.size() <= max_role_name && std::all_of(n.begin(), n.end(), [](char c) {
    return is_ascii_alnum(c) || c == '_' || c == '+' || c == '=' || c == ',' || c == '.' || c == '@' || c == '-';
  });
}

}  // namespace

struct sso_door::call {
  const request& req;
  service::call_context ctx;
  query_params query;
  service::oidc::bearer who;
};

response sso_error(int status, std::string_view type, std::string message) {
  response r;
  r.status = status;
  r.body = json{{"message", message}}.dump();
  r.headers.emplace_back("x-amzn-ErrorType", std::string(type));
  r.error_code = std::string(type);
  r.error_message = std::move(message);
  return r;
}

response sso_error_of(const error& e) {
  switch (e.code) {
    case errc::validation: return sso_error(400, "InvalidRequestException", e.message);
    case errc::unauthenticated: return sso_error(401, "UnauthorizedException", e.message);
    case errc::access_denied: return sso_error(403, "ForbiddenException", e.message);
    case errc::not_found: return sso_error(404, "ResourceNotFoundException", e.message);
    case errc::throttled: return sso_error(429, "TooManyRequestsException", e.message);
    default: break;
  }
  auto r = sso_error(500, "InternalServerException", "An internal error occurred.");
  r.error_message = e.message;
  return r;
}

void sso_door::add_routes(router& r) {
  for (const auto& e : routes) r.add_exact(std::string(e.path), *this);
}

response sso_door::transport_error(const request&, response generic) const {
  auto r = sso_error(generic.status, "InvalidRequestException", "The request could not be read.");
  return r;
}

response sso_door::handle(const request& req) {
  auto path = req.path();
  const route_entry* entry = nullptr;
  for (const auto& e : routes)
    if (path == e.path) entry = &e;
  call c{req, context_of(req, s_.region), {}, {}};
  c.ctx.event_source = std::string(service::event_sources::sso);
  c.ctx.event_name = entry ? std::string(entry->operation) : "Unknown";
  c.ctx.read_only = entry && entry->read_only;
  c.ctx.who.type = "Unknown";
  c.ctx.who.account_id = s_.account_id;
  c.ctx.who.principal_id = s_.account_id;
  auto run = [&]() -> response {
    if (!entry) return sso_error(404, "ResourceNotFoundException", "Unknown path.");
    if (req.method != entry->method) return sso_error(400, "InvalidRequestException", "Use " + std::string(entry->method) + ".");
    auto q = parse_query(req);
    if (!q) return sso_error(400, "InvalidRequestException", "The query string is malformed or too long.");
    c.query = std::move(*q);
    if (auto wait = throttled_for(svc_.throttle, std::string(service_name) + "." + c.ctx.event_name)) {
      auto r = sso_error(429, "TooManyRequestsException", "Too many requests.");
      add_retry_after(r, *wait);
      return r;
    }
    const std::string* token = req.header(bearer_header);
    auto who = svc_.tokens.authenticate(token ? std::string_view(*token) : std::string_view());
    if (!who) return sso_error(401, "UnauthorizedException", "Session token not found or invalid");
    c.who = std::move(*who);
    c.ctx.who = svc_.tokens.user_principal(c.who.user);
    c.ctx.session_id = c.who.grant.session_id;  // the portal session the CLI's grant was made in
    if (entry->operation == "GetRoleCredentials") return get_role_credentials(c);
    if (entry->operation == "ListAccounts") return list_accounts(c);
    if (entry->operation == "ListAccountRoles") return list_account_roles(c);
    return logout(c);
  };
  return finish_call(svc_.audit, c.ctx, run(), service_name);
}

namespace {

// max_result (1-100, default 100) and next_token of a listing.
result<std::pair<int, std::string>> paging_of(const query_params& q) {
  int max = 100;
  if (const std::string* m = query_value(q, "max_result")) {
    auto [end, ec] = std::from_chars(m->data(), m->data() + m->size(), max);
    if (ec != std::errc() || end != m->data() + m->size() || max < 1 || max > 100)
      return invalid("max_result must be an integer between 1 and 100.");
  }
  const std::string* next = query_value(q, "next_token");
  return std::pair<int, std::string>{max, next ? *next : std::string()};
}

}  // namespace

response sso_door::get_role_credentials(call& c) {
  const std::string* role = query_value(c.query, "role_name");
  const std::string* account = query_value(c.query, "account_id");
  if (!role || !account) return sso_error(400, "InvalidRequestException", "role_name and account_id are required.");
  c.ctx.request_parameters = to_json_text({{"roleName", *role}, {"accountId", *account}});
  if (!account_id_ok(*account)) return sso_error(400, "InvalidRequestException", "account_id must be 12 digits.");
  if (!role_name_ok(*role)) return sso_error(403, "ForbiddenException", "No access");
  auto creds = svc_.accounts.credentials(c.ctx, c.who.user.id, *account, *role);
  if (!creds) {
    const auto& e = creds.error();
    // Not the user's role: the service's words, revealing nothing about what exists. A deployment
    // that cannot issue credentials (record-only provisioner) says why.
    if (e.code == errc::access_denied) return sso_error(403, "ForbiddenException", "No access");
    if (e.code == errc::conflict) return sso_error(400, "InvalidRequestException", e.message);
    return sso_error_of(e);
  }
  return json_answer({{"roleCredentials",
                       {{"accessKeyId", creds->access_key_id},
                        {"secretAccessKey", creds->secret_access_key},
                        {"sessionToken", creds->session_token},
                        // Epoch milliseconds: the SDKs read seconds as already expired.
                        {"expiration", epoch_millis(creds->expiration)}}}});
}

response sso_door::list_accounts(call& c) {
  auto paging = paging_of(c.query);
  if (!paging) return sso_error_of(paging.error());
  c.ctx.request_parameters = to_json_text({{"maxResults", paging->first}});
  auto page = svc_.accounts.accounts(c.ctx, c.who.user.id, paging->first, paging->second);
  if (!page) return sso_error_of(page.error());
  json list = json::array();
  for (const auto& a : page->items)
    list.push_back({{"accountId", a.account_id}, {"accountName", a.account_name}, {"emailAddress", a.email}});
  json out = {{"accountList", list}};
  if (!page->next_token.empty()) out["nextToken"] = page->next_token;
  return json_answer(out);
}

response sso_door::list_account_roles(call& c) {
  auto paging = paging_of(c.query);
  if (!paging) return sso_error_of(paging.error());
  const std::string* account = query_value(c.query, "account_id");
  if (!account) return sso_error(400, "InvalidRequestException", "account_id is required.");
  c.ctx.request_parameters = to_json_text({{"accountId", *account}, {"maxResults", paging->first}});
  if (!account_id_ok(*account)) return sso_error(400, "InvalidRequestException", "account_id must be 12 digits.");
  auto page = svc_.accounts.roles(c.ctx, c.who.user.id, *account, paging->first, paging->second);
  if (!page) return sso_error_of(page.error());
  json list = json::array();
  for (const auto& r : page->items) list.push_back({{"roleName", r.role_name}, {"accountId", r.account_id}});
  json out = {{"roleList", list}};
  if (!page->next_token.empty()) out["nextToken"] = page->next_token;
  return json_answer(out);
}

response sso_door::logout(call& c) {
  if (auto r = svc_.tokens.logout(c.ctx, c.who); !r) return sso_error_of(r.error());
  response out;
  out.content_type.clear();
  return out;
}

}  // namespace atrium::proto::sso
