#include "proto/portal/portal_door.hpp"

#include <nlohmann/json.hpp>

#include "base/strings.hpp"
#include "proto/kit/json_body.hpp"
#include "proto/portal/portal_http.hpp"
#include "proto/portal/static_files.hpp"

namespace atrium::proto::portal {

namespace {

std::string_view path_only(std::string_view target) { return target.substr(0, target.find('?')); }

// The door kit's body checks in the contract's words (docs/sign-in.md "Errors").
response body_error(body_problem p) {
  switch (p) {
    case body_problem::too_large: return error_answer(413, "InvalidRequest", "The request body is too large.");
    case body_problem::wrong_media_type: return error_answer(415, "InvalidRequest", "Send Content-Type: application/json.");
    case body_problem::too_deep: return error_answer(400, "InvalidRequest", "The JSON body is nested too deeply.");
    case body_problem::not_a_json_object: break;
  }
  return error_answer(400, "InvalidRequest", "The body must be a JSON object.");
}

response answer(result<response> r) { return r ? std::move(*r) : from_error(r.error()); }

// Routes that run before a session exists (the sign-in steps, forgot/reset password).
bool pre_session(std::string_view rest) {
  return rest.starts_with("signin/") || rest == "password/forgot" || rest == "password/reset";
}

// A tile's launch (POST /portal/api/applications/<id>/launch): one read transaction, then CPU
// only (building and signing the Response, ~1 ms at RSA-2048, no lock or disk wait; its Federate
// record is batched like a read's). On the network thread it saves the two hand-offs to the
// worker pool and back (issue 15 item 9).
bool is_tile_launch(std::string_view path) {
  constexpr std::string_view prefix = "/portal/api/applications/", suffix = "/launch";
  return path.size() > prefix.size() + suffix.size() && path.starts_with(prefix) && path.ends_with(suffix) &&
         path.substr(prefix.size(), path.size() - prefix.size() - suffix.size()).find('/') == std::string_view::npos;
}

}  // namespace

portal_door::portal_door(portal_services svc, portal_settings s) : svc_(svc), s_(std::move(s)) {}

bool portal_door::handles(std::string_view method, std::string_view target) const {
  auto path = path_only(target);
  if (path == "/" || path == "/console" || path == "/console/") return method == "GET" || method == "HEAD";
  return path == "/portal" || path.starts_with("/portal/");
}

response portal_door::transport_error(const request&, response generic) const {
  generic.content_type = "application/json";
  generic.body = nlohmann::json{{"error", "InvalidRequest"}, {"message", "The request could not be read."}}.dump();
  generic.error_code = "InvalidRequest";
  return generic;
}

bool portal_door::is_point_read(const request& req) const {
  auto path = req.path();
  if (req.method == "POST") return is_tile_launch(path);
  if (req.method != "GET") return false;
  return path == "/portal/api/session" || path == "/portal/api/portal/accounts" || path == "/portal/api/cli/config";
}

response portal_door::handle(const request& req) {
  auto path = path_only(req.target);
  // The page that posts a SAML Response to an application carries its own CSP (its form-action
  // names the application's ACS): it gets none of the portal's headers below.
  if (req.method == "POST" && (path == "/portal/saml/continue" || path.starts_with("/portal/saml/launch/")))
    return saml_form_route(req, path);
  // Atrium as SAML SP: its pages carry their own headers (sp_routes.cpp).
  if (path.starts_with("/portal/sp/")) return sp_route(req, path);
  if (auto to_idp = start_redirect(req, path)) {
    add_security_headers(*to_idp, s_.form_action);
    return std::move(*to_idp);
  }
  response r;
  if (path == "/" || path == "/portal" || path == "/console" || path == "/console/") {
    // The admin console's short address: its pages live under /portal/ with the session cookie.
    r.status = 302;
    r.content_type.clear();
    r.headers.emplace_back("Location", path.starts_with("/console") ? "/portal/console/" : "/portal/");
    r.operation = "portal.Redirect";
  } else if (path.starts_with("/portal/api/")) {
    call c{req, std::string(path)};
    r = api(c);
    for (auto& v : c.set_cookies) r.headers.emplace_back("Set-Cookie", std::move(v));
  } else if (req.method == "GET" || req.method == "HEAD") {
    r = static_file(s_.assets_dir, path.substr(std::string_view("/portal/").size()));
  } else {
    r = error_answer(405, "InvalidRequest", "Only GET is served outside /portal/api/.");
  }
  add_security_headers(r, s_.form_action);
  return r;
}

// Checks shared by every API route, then the route. With a session cookie the session is
// validated (and its user loaded) first; every state-changing request with a session carries
// X-CSRF-Token; requests before a session must be JSON from the portal's own origin.
response portal_door::api(call& c) {
  const auto& req = c.req;
  std::string_view rest = std::string_view(c.path).substr(std::string_view("/portal/api/").size());
  c.client.source_ip = req.remote_ip;
  if (const auto* ua = req.header("user-agent")) c.client.user_agent = *ua;
  c.client.request_id = req.request_id;
  c.client.device_token = cookie_value(req, device_cookie_name);
  if (c.client.device_token.size() > max_token) c.client.device_token.clear();
  c.session_token = cookie_value(req, session_cookie_name);
  bool changes_state = req.method != "GET" && req.method != "HEAD";
  if (changes_state) {
    auto body = read_json_body(req, {s_.max_body_bytes, {"application/json"}, true});
    if (!body) return body_error(body.error());
    c.body = std::move(*body);
  }
  if (pre_session(rest)) {
    if (req.method != "POST") return error_answer(405, "InvalidRequest", "Use POST.");
    if (!json_content_type(req)) return error_answer(415, "InvalidRequest", "Send Content-Type: application/json.");
    if (!same_origin(req, s_.public_url)) return error_answer(403, "CsrfFailed", "The request did not come from the portal.");
    if (rest.starts_with("signin/")) return answer(sign_in_route(c, rest.substr(7)));
    return answer(password_route(c, rest));
  }
  if (auto launched = launch_route(c, rest)) return std::move(*launched);
  if (!c.session_token.empty()) {
    auto s = svc_.sessions.validate(c.session_token);
    if (!s) return from_error(s.error());
    c.session = std::move(*s);
    if (!c.session) c.set_cookies.push_back(clear_cookie(session_cookie_name));
  }
  if (rest == "session" && req.method == "GET") return answer(session_route(c, rest));
  if (rest == "signout") {
    if (req.method != "POST") return error_answer(405, "InvalidRequest", "Use POST.");
    if (!c.session) {
      c.set_cookies.push_back(clear_cookie(session_cookie_name));
      return json_answer(nlohmann::json::object());
    }
  }
  if (!c.session) return error_answer(401, "Unauthenticated", "Sign in first.");
  if (changes_state) {
    const std::string* token = req.header("x-csrf-token");
    if (!token || !service::session_service::csrf_matches(c.session->record, *token))
      return error_answer(403, "CsrfFailed", "The request's X-CSRF-Token is missing or wrong.");
  }
  if (rest == "portal/console" || rest == "portal/credentials") {
    if (req.method != "POST") return error_answer(405, "InvalidRequest", "Use POST.");
    return federation_route(c, rest == "portal/console");
  }
  if (rest == "signout" || rest.starts_with("portal/")) return answer(session_route(c, rest));
  if (rest.starts_with("password/")) return answer(password_route(c, rest));
  if (rest == "devices" || rest.starts_with("devices/")) return answer(devices_route(c, rest));
  if (rest.starts_with("device/") || rest.starts_with("oauth/") || rest.starts_with("cli/"))
    return answer(cli_route(c, rest));
  if (rest.starts_with("applications/") || rest.starts_with("saml/")) return answer(applications_route(c, rest));
  return error_answer(404, "NotFound", "No such portal API.");
}

}  // namespace atrium::proto::portal
