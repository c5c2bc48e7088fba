// The portal's routes of command-line access (docs/cli.md "Portal API"), all behind a session
// (and X-CSRF-Token, as every POST with one):
//   POST /portal/api/device/lookup   {userCode}            -> the pending request: client, scopes
//   POST /portal/api/device/decide   {userCode, approve}   -> approved or denied, once
//   POST /portal/api/oauth/lookup    {requestId}           -> the pending authorization request
//   POST /portal/api/oauth/decide    {requestId, approve}  -> {redirect}: where the browser goes
//   GET  /portal/api/cli/config                            -> {startUrl, region}
#include <nlohmann/json.hpp>

#include "base/strings.hpp"
#include "proto/portal/cli_services.hpp"
#include "proto/portal/portal_door.hpp"
#include "proto/portal/portal_http.hpp"
#include "service/audit/event_sources.hpp"

namespace atrium::proto::portal {

namespace {

using nlohmann::json;

constexpr std::size_t max_user_code = 32;
constexpr std::size_t max_request_id = 64;

service::oidc::approver approver_of(const portal_door::call& c) {
  return {c.session->user.id, c.session->user.user_name, c.session->record.id, c.client.source_ip};
}

json pending_json(const service::oidc::pending_device& p) {
  return {{"userCode", p.user_code}, {"clientName", p.client_name}, {"scopes", p.scopes},
          {"expiresAt", iso8601(p.expires_at, false)}};
}

}  // namespace

result<response> portal_door::cli_route(call& c, std::string_view rest) {
  if (!svc_.cli) return error_answer(404, "NotFound", "No such portal API.");
  auto& cli = *svc_.cli;
  const auto& b = c.body;
  auto ctx = svc_.sign_in.user_context(c.client, c.session->user.user_name);
  ctx.event_source = std::string(service::event_sources::sso);
  if (rest == "cli/config" && c.req.method == "GET")
    return json_answer({{"startUrl", cli.devices.start_url()}, {"region", cli.region}});
  if (c.req.method != "POST") return error_answer(405, "InvalidRequest", "Use POST.");
  if (rest == "device/lookup") {
    TRY(code, text_field(b, "userCode", max_user_code));
    TRY(p, cli.devices.lookup(approver_of(c), code));
    return json_answer(pending_json(p));
  }
  if (rest == "device/decide") {
    TRY(code, text_field(b, "userCode", max_user_code));
    TRY(approve, flag_field(b, "approve"));
    ctx.event_name = approve ? "ApproveDeviceAuthorization" : "DenyDeviceAuthorization";
    TRY(p, cli.devices.decide(ctx, approver_of(c), code, approve));
    auto out = pending_json(p);
    out["decision"] = approve ? "APPROVED" : "DENIED";
    return json_answer(out);
  }
  if (rest == "oauth/lookup") {
    TRY(id, text_field(b, "requestId", max_request_id));
    TRY(p, cli.requests.lookup(id));
    return json_answer({{"clientName", p.client_name}, {"scopes", p.scopes}, {"redirectOrigin", origin_of(p.redirect_uri)},
                        {"expiresAt", iso8601(p.expires_at, false)}});
  }
  if (rest == "oauth/decide") {
    TRY(id, text_field(b, "requestId", max_request_id));
    TRY(approve, flag_field(b, "approve"));
    ctx.event_name = approve ? "ApproveAuthorizationRequest" : "DenyAuthorizationRequest";
    TRY(redirect, cli.requests.decide(ctx, approver_of(c), id, approve));
    return json_answer({{"redirect", redirect}, {"decision", approve ? "APPROVED" : "DENIED"}});
  }
  return error_answer(404, "NotFound", "No such portal API.");
}

}  // namespace atrium::proto::portal
