#include "proto/oidc/oidc_door.hpp"

#include <nlohmann/json.hpp>

#include "base/json_text.hpp"
#include "base/strings.hpp"
#include "proto/kit/door_call.hpp"
#include "proto/kit/json_body.hpp"
#include "proto/oidc/oidc_wire.hpp"
#include "service/audit/event_sources.hpp"
#include "service/oidc/authorization_requests.hpp"

namespace atrium::proto::oidc {

using nlohmann::json;
using service::oidc::oauth_errc;
using service::oidc::oauth_error;

namespace {

constexpr std::string_view service_name = "sso-oidc";

response bad_body(body_problem p) {
  switch (p) {
    case body_problem::too_large: return error_response({oauth_errc::invalid_request, "The request body is too large."});
    case body_problem::too_deep: return error_response({oauth_errc::invalid_request, "The JSON body is nested too deeply."});
    case body_problem::wrong_media_type:
    case body_problem::not_a_json_object: break;
  }
  return error_response({oauth_errc::invalid_request, "The body must be a JSON object."});
}

// Where the browser goes: a 302 without a body (RFC 9110 §15.4.3).
response redirect_to(std::string location) {
  response r;
  r.status = 302;
  r.content_type.clear();
  r.headers.emplace_back("Location", std::move(location));
  r.headers.emplace_back("Cache-Control", "no-store");
  r.headers.emplace_back("Referrer-Policy", "no-referrer");
  return r;
}

struct route_entry {
  std::string_view path;
  std::string_view method;
  std::string_view operation;
};
constexpr route_entry routes[] = {{"/client/register", "POST", "RegisterClient"},
                                  {"/device_authorization", "POST", "StartDeviceAuthorization"},
                                  {"/token", "POST", "CreateToken"},
                                  {"/authorize", "GET", "Authorize"}};

}  // namespace

void oidc_door::add_routes(router& r) {
  for (const auto& e : routes) r.add_exact(std::string(e.path), *this);
}

response oidc_door::transport_error(const request&, response generic) const {
  auto r = error_response({oauth_errc::invalid_request, "The request could not be read."});
  r.status = generic.status;
  return r;
}

response oidc_door::handle(const request& req) {
  auto path = req.path();
  const route_entry* entry = nullptr;
  for (const auto& e : routes)
    if (path == e.path) entry = &e;
  auto ctx = context_of(req, s_.region);
  ctx.event_source = std::string(service::event_sources::sso);
  ctx.event_name = entry ? std::string(entry->operation) : "Unknown";
  // Before a user signs in the caller is a client of the deployment's account (the guide's
  // records of these calls: type Unknown).
  ctx.who.type = "Unknown";
  ctx.who.account_id = s_.account_id;
  ctx.who.principal_id = s_.account_id;
  ctx.via = domain::door::api;
  response r;
  if (!entry) {
    r = error_response({oauth_errc::invalid_request, "Unknown path."});
    r.status = 404;
  } else if (req.method != entry->method && !(entry->method == "GET" && req.method == "HEAD")) {
    r = error_response({oauth_errc::invalid_request, "Use " + std::string(entry->method) + "."});
    r.status = 405;
    r.headers.emplace_back("Allow", std::string(entry->method));
  } else if (auto wait = throttled_for(svc_.throttle, std::string(service_name) + "." + ctx.event_name)) {
    // The API's throttling error is SlowDownException; clients that poll add 5 s.
    r = error_response({oauth_errc::slow_down, "Too many requests."});
    add_retry_after(r, *wait);
  } else if (entry->operation == "Authorize") {
    r = authorize(req, ctx);
  } else {
    svc_.tokens.purge_expired();
    if (entry->operation == "RegisterClient") r = register_client(req, ctx);
    else if (entry->operation == "StartDeviceAuthorization") r = start_device_authorization(req, ctx);
    else r = create_token(req, ctx);
  }
  return finish_call(svc_.audit, ctx, std::move(r), service_name);
}

response oidc_door::register_client(const request& req, service::call_context& ctx) {
  auto body = read_json_body(req, {s_.max_body_bytes, {}, true});
  if (!body) return bad_body(body.error());
  ctx.request_parameters = audited_parameters(*body);
  auto reg = registration_of(*body);
  if (!reg) return error_response(reg.error());
  auto c = svc_.clients.register_client(ctx, *reg);
  if (!c) return error_response(c.error());
  return json_response({{"clientId", c->client_id},
                        {"clientSecret", c->client_secret},
                        {"clientIdIssuedAt", epoch_millis(c->issued_at) / 1000},
                        {"clientSecretExpiresAt", epoch_millis(c->expires_at) / 1000}});
}

response oidc_door::start_device_authorization(const request& req, service::call_context& ctx) {
  auto body = read_json_body(req, {s_.max_body_bytes, {}, true});
  if (!body) return bad_body(body.error());
  ctx.request_parameters = audited_parameters(*body);
  auto start = start_of(*body);
  if (!start) return error_response(start.error());
  auto d = svc_.devices.start(ctx, start->client_id, start->client_secret, start->start_url);
  if (!d) return error_response(d.error());
  // RFC 8628 §3.2. The AWS CLI needs every member (it fails without verificationUriComplete).
  std::string verification = s_.portal_url + "/device";
  return json_response({{"deviceCode", d->device_code},
                        {"userCode", d->user_code},
                        {"verificationUri", verification},
                        {"verificationUriComplete", verification + "?user_code=" + d->user_code},
                        {"expiresIn", d->expires_in},
                        {"interval", d->interval}});
}

response oidc_door::create_token(const request& req, service::call_context& ctx) {
  auto body = read_json_body(req, {s_.max_body_bytes, {}, true});
  if (!body) return bad_body(body.error());
  ctx.request_parameters = audited_parameters(*body);
  auto t = token_request_of(*body);
  if (!t) return error_response(t.error());
  auto issued = svc_.tokens.create(ctx, *t);
  if (!issued) return error_response(issued.error());
  json out = {{"accessToken", issued->access_token}, {"tokenType", "Bearer"}, {"expiresIn", issued->expires_in}};
  if (!issued->refresh_token.empty()) out["refreshToken"] = issued->refresh_token;
  return json_response(out);
}

// RFC 6749 §4.1.1-4.1.2.1: errors about the client or its redirect URI are shown to the browser;
// once the redirect URI is known to be the client's, errors go back to it with the state.
response oidc_door::authorize(const request& req, service::call_context& ctx) {
  auto ar = authorize_request_of(req.target);
  if (!ar) return error_response(ar.error());
  ctx.request_parameters = to_json_text({{"clientId", ar->client_id}, {"redirectUri", ar->redirect_uri},
                                         {"responseType", ar->response_type}, {"scopes", ar->scopes},
                                         {"codeChallengeMethod", ar->code_challenge_method}});
  auto id = svc_.requests.begin(ctx, *ar);
  if (!id) {
    auto code = id.error().code;
    if (code == oauth_errc::invalid_client || code == oauth_errc::invalid_redirect_uri || code == oauth_errc::internal)
      return error_response(id.error());
    auto r = redirect_to(service::oidc::with_query(
        ar->redirect_uri,
        {{"error", std::string(oauth_code(code))}, {"error_description", id.error().description}, {"state", ar->state}}));
    // A redirect is not a failed status, so the refusal is recorded here.
    svc_.audit.record_failure(ctx, {std::string(exception_name(code)), id.error().description});
    return r;
  }
  return redirect_to(s_.portal_url + "/authorize?request=" + *id);
}

}  // namespace atrium::proto::oidc
