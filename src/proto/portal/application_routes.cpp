#include "proto/portal/application_routes.hpp"

#include <nlohmann/json.hpp>

#include "base/strings.hpp"
#include "proto/portal/portal_door.hpp"
#include "proto/portal/portal_http.hpp"

namespace atrium::proto::portal {

namespace {

using nlohmann::json;

constexpr std::size_t max_handle = 128;

// The service's refusals in the portal contract's words: the page shows each one clearly.
response saml_refusal(const error& e) {
  switch (e.code) {
    case errc::access_denied: return error_answer(403, "NotAssigned", e.message);
    case errc::unauthenticated: return error_answer(401, "Reauthenticate", e.message);
    case errc::not_found: return error_answer(404, "RequestExpired", e.message);
    case errc::conflict: return error_answer(409, "RequestAnswered", e.message);
    case errc::validation: return error_answer(400, "InvalidRequest", e.message);
    default: return from_error(e);
  }
}

std::string quoted_json(std::string_view s) { return json(s).dump(-1, ' ', false, json::error_handler_t::replace); }

// {"applicationName":…,"post":{"acsUrl":…,"relayState":…,"samlResponse":…},"redirect":…}, the
// members in the order json_answer writes them. The Response's base64 (~12 KB with both
// signatures) is appended as it is instead of being copied into a json value and escaped
// character by character: base64 needs no JSON escaping (RFC 8259 §7).
response federate_answer(const std::string& application_name, const service::saml_post* post,
                         const std::optional<std::string>& redirect) {
  std::string body;
  body.reserve(256 + (post ? post->saml_response.size() : 0));
  body += "{\"applicationName\":" + quoted_json(application_name);
  if (post) {
    body += ",\"post\":{\"acsUrl\":" + quoted_json(post->acs_url);
    if (post->relay_state) body += ",\"relayState\":" + quoted_json(*post->relay_state);
    body += ",\"samlResponse\":\"";
    body += post->saml_response;
    body += "\"}";
  }
  if (redirect) body += ",\"redirect\":" + quoted_json(*redirect);
  body += '}';
  response r;
  r.body = std::move(body);
  r.headers.emplace_back("Cache-Control", "no-store");
  r.operation = "portal.Federate";
  return r;
}

std::string icon_url_of(const domain::application& a) {
  if (a.icon_png) return "/saml/icons/application/" + a.id + ".png";
  if (auto id = domain::catalog_id_of(a.provider_arn)) return "/saml/icons/catalog/" + *id + ".svg";
  return {};
}

}  // namespace

json application_tiles_json(const std::vector<domain::application>& apps) {
  json list = json::array();
  for (const auto& a : apps) {
    bool start_url = a.portal.origin == domain::sign_in_origin::application && a.portal.application_url;
    json j = {{"id", a.id}, {"name", a.name}, {"displayName", a.name}, {"launch", start_url ? "start-url" : "saml"}};
    if (a.description) j["description"] = *a.description;
    if (auto icon = icon_url_of(a); !icon.empty()) j["iconUrl"] = icon;
    if (start_url) j["url"] = *a.portal.application_url;
    list.push_back(std::move(j));
  }
  return list;
}

// The launch of a tile, the portal's busiest SAML path (issue 15 item 9): one read transaction
// holds the session check (session, user, CSRF) and everything the assertion needs, so the user
// is read and decoded once; the answers are those of the general path (api() then
// applications_route) for every refusal.
std::optional<response> portal_door::launch_route(call& c, std::string_view rest) {
  constexpr std::string_view prefix = "applications/", suffix = "/launch";
  if (!svc_.saml || c.req.method != "POST" || c.session_token.empty() || !rest.starts_with(prefix) ||
      !rest.ends_with(suffix) || rest.size() < prefix.size() + suffix.size())
    return std::nullopt;
  auto id = std::string(rest.substr(prefix.size(), rest.size() - prefix.size() - suffix.size()));
  if (!domain::is_application_id(id)) return std::nullopt;
  const std::string* csrf = c.req.header("x-csrf-token");
  service::session_lookup found;
  enum class refusal { none, no_session, csrf } why = refusal::none;
  auto gate = [&](store::transaction& tx) -> result<service::launch_gate_pass> {
    TRY(f, svc_.sessions.look_up(tx, c.session_token));
    found = std::move(f);
    if (!found.session) {
      why = refusal::no_session;
      return fail(errc::unauthenticated, "Sign in first.");
    }
    if (!csrf || !service::session_service::csrf_matches(found.session->record, *csrf)) {
      why = refusal::csrf;
      return fail(errc::access_denied, "The request's X-CSRF-Token is missing or wrong.");
    }
    const auto& record = found.session->record;
    auto ctx = svc_.sign_in.user_context(c.client, found.session->user.user_name);
    ctx.event_source = "sso.amazonaws.com";  // the portal's Federate events (the guide's CloudTrail chapter)
    ctx.who.principal_id = found.session->user.id;
    service::signed_in_user who{found.session->user.id, record.id, record.created_at};
    return service::launch_gate_pass{std::move(who), found.session->user, std::move(ctx)};
  };
  bool at_gate = false;
  auto launched = svc_.saml->launch(gate, id, at_gate);
  svc_.sessions.settle(found);
  if (at_gate) {
    if (why == refusal::no_session) {
      c.set_cookies.push_back(clear_cookie(session_cookie_name));
      return error_answer(401, "Unauthenticated", "Sign in first.");
    }
    if (why == refusal::csrf) return error_answer(403, "CsrfFailed", "The request's X-CSRF-Token is missing or wrong.");
    return from_error(launched.error());
  }
  if (!launched) return saml_refusal(launched.error());
  return federate_answer(launched->application_name, launched->post ? &*launched->post : nullptr,
                         launched->redirect_url);
}

result<response> portal_door::applications_route(call& c, std::string_view rest) {
  if (!svc_.saml) return error_answer(404, "NotFound", "No such portal API.");
  if (c.req.method != "POST") return error_answer(405, "InvalidRequest", "Use POST.");
  const auto& user = c.session->user;
  auto ctx = svc_.sign_in.user_context(c.client, user.user_name);
  ctx.event_source = "sso.amazonaws.com";  // the portal's Federate events (the guide's CloudTrail chapter)
  ctx.who.principal_id = user.id;
  service::signed_in_user who{user.id, c.session->record.id, c.session->record.created_at};
  if (rest == "saml/continue") {
    TRY(handle, text_field(c.body, "request", max_handle));
    auto post = svc_.saml->answer(ctx, who, handle);
    if (!post) return saml_refusal(post.error());
    return federate_answer(post->application_name, &*post, std::nullopt);
  }
  constexpr std::string_view prefix = "applications/", suffix = "/launch";
  if (rest.starts_with(prefix) && rest.ends_with(suffix)) {
    auto id = std::string(rest.substr(prefix.size(), rest.size() - prefix.size() - suffix.size()));
    if (!domain::is_application_id(id)) return error_answer(404, "NotFound", "No such application.");
    auto launched = svc_.saml->launch(ctx, who, id);
    if (!launched) return saml_refusal(launched.error());
    return federate_answer(launched->application_name, launched->post ? &*launched->post : nullptr,
                           launched->redirect_url);
  }
  return error_answer(404, "NotFound", "No such portal API.");
}

}  // namespace atrium::proto::portal
