// The SAML Response on its way to an application (SAML bindings §3.5.4, HTTP-POST): the portal
// page (same origin, so the session cookie and form-action 'self' allow it) submits a form to
//   POST /portal/saml/launch/<apl-id>   (a tile: IdP-initiated)    fields: csrf
//   POST /portal/saml/continue          (an SP-initiated request)  fields: csrf, request
// and gets back an HTML page that holds the Response in a form to the application's ACS URL,
// submitted by /portal/saml-post.js (web/public: no inline script). That page has its own CSP:
// nothing but that script, and form-action naming the ACS's origin (and https:, because CSP
// checks form-action on the redirects the application answers the POST with). The portal's own
// pages keep form-action 'self'. Refusals are pages that say why (not assigned, expired or
// answered request); a ForceAuthn request with an older session signs the user out and sends
// them back through the sign-in.
#include "base/strings.hpp"
#include "domain/application.hpp"
#include "proto/kit/json_body.hpp"
#include "proto/portal/portal_door.hpp"
#include "proto/portal/portal_http.hpp"
#include "xml/dom.hpp"
#include "xml/saml_bindings.hpp"

namespace atrium::proto::portal {

namespace {

constexpr std::size_t max_form = 4096;

void page_headers(response& r, const std::string& csp) {
  r.headers.emplace_back("Content-Security-Policy", csp);
  r.headers.emplace_back("X-Frame-Options", "DENY");
  r.headers.emplace_back("Referrer-Policy", "no-referrer");
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  r.headers.emplace_back("Cache-Control", "no-store");
}

std::string html_of(std::string_view title, const std::string& body, bool with_script) {
  return "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + xml::escape(title) + " - Atrium</title>" +
         (with_script ? "<script src=\"/portal/saml-post.js\" defer></script>" : "") + "</head><body><main><h1>" +
         xml::escape(title) + "</h1>" + body + "</main></body></html>\n";
}

response refusal_page(int status, const char* code, std::string_view title, const std::string& message) {
  response r;
  r.status = status;
  r.content_type = "text/html; charset=utf-8";
  r.body = html_of(title, "<p role=\"alert\">" + xml::escape(message) + "</p><p><a href=\"/portal/\">Go to your accounts and applications</a></p>", false);
  r.error_code = code;
  r.error_message = message;
  page_headers(r, "default-src 'none'; img-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'");
  return r;
}

response refusal_of(const error& e) {
  switch (e.code) {
    case errc::access_denied: return refusal_page(403, "NotAssigned", "You do not have access to this application", e.message);
    case errc::not_found: return refusal_page(404, "RequestExpired", "This sign-in request cannot be used", e.message);
    case errc::conflict: return refusal_page(409, "RequestAnswered", "This sign-in request cannot be used", e.message);
    case errc::validation: return refusal_page(400, "InvalidRequest", "Sign-in to the application failed", e.message);
    default: return refusal_page(500, "InternalError", "Sign-in to the application failed", "Something went wrong. Try again.");
  }
}

response autopost_page(const service::saml_post& p) {
  std::string form = "<form id=\"saml-post\" method=\"post\" action=\"" + xml::escape(p.acs_url) + "\">" +
                     "<input type=\"hidden\" name=\"SAMLResponse\" value=\"" + xml::escape(p.saml_response) + "\">";
  if (p.relay_state) form += "<input type=\"hidden\" name=\"RelayState\" value=\"" + xml::escape(*p.relay_state) + "\">";
  form += "<p>If nothing happens, choose Continue.</p><button type=\"submit\">Continue to " + xml::escape(p.application_name) +
          "</button></form>";
  response r;
  r.content_type = "text/html; charset=utf-8";
  r.body = html_of("Signing you in to " + p.application_name, form, true);
  std::string acs_origin = origin_of(p.acs_url);
  page_headers(r, "default-src 'none'; img-src 'self'; script-src 'self'; form-action " + acs_origin +
                      " https:; frame-ancestors 'none'; base-uri 'none'");
  return r;
}

response see_other(const std::string& location) {
  response r;
  r.status = 303;
  r.content_type.clear();
  r.headers.emplace_back("Location", location);
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

}  // namespace

response portal_door::saml_form_route(const request& req, std::string_view path) {
  if (!svc_.saml) return refusal_page(404, "NotFound", "Not found", "There is no such page.");
  if (req.body.size() > max_form || !media_type_is(req.header("content-type"), {"application/x-www-form-urlencoded"}) ||
      !same_origin(req, s_.public_url))
    return refusal_page(400, "InvalidRequest", "Sign-in to the application failed", "The request did not come from the portal.");
  std::map<std::string, std::string> fields;
  for (auto part : split(req.body, '&')) {
    auto eq = part.find('=');
    auto k = url_decode(part.substr(0, eq));
    auto v = url_decode(eq == std::string_view::npos ? std::string_view{} : part.substr(eq + 1));
    if (k && v) fields[*k] = *v;
  }
  std::string token = cookie_value(req, session_cookie_name);
  auto session = token.empty() ? result<std::optional<service::valid_session>>{} : svc_.sessions.validate(token);
  if (!session || !*session) return see_other("/portal/signin");
  if (!service::session_service::csrf_matches((*session)->record, fields["csrf"]))
    return refusal_page(403, "CsrfFailed", "Sign-in to the application failed", "The request did not come from the portal.");
  const auto& user = (*session)->user;
  service::sign_in_client client{req.remote_ip, req.header("user-agent") ? *req.header("user-agent") : "", req.request_id, ""};
  auto ctx = svc_.sign_in.user_context(client, user.user_name);
  ctx.event_source = "sso.amazonaws.com";
  ctx.who.principal_id = user.id;
  service::signed_in_user who{user.id, (*session)->record.id, (*session)->record.created_at};
  response r;
  if (path == "/portal/saml/continue") {
    const std::string& handle = fields["request"];
    if (handle.empty() || handle.size() > 128) return refusal_page(400, "InvalidRequest", "Sign-in to the application failed", "No sign-in request.");
    auto post = svc_.saml->answer(ctx, who, handle);
    if (!post && post.error().code == errc::unauthenticated) {
      // ForceAuthn: a fresh sign-in, then back to the same request.
      auto out = ctx;
      out.event_name = "Logout";
      (void)svc_.sessions.end(out, token);
      r = see_other("/portal/saml/continue?request=" + url_encode(handle));
      r.headers.emplace_back("Set-Cookie", clear_cookie(session_cookie_name));
    } else {
      r = post ? autopost_page(*post) : refusal_of(post.error());
    }
  } else {
    auto id = std::string(path.substr(std::string_view("/portal/saml/launch/").size()));
    if (!domain::is_application_id(id)) return refusal_page(404, "NotFound", "Not found", "There is no such application.");
    auto launched = svc_.saml->launch(ctx, who, id);
    if (!launched) r = refusal_of(launched.error());
    else if (launched->post) r = autopost_page(*launched->post);
    else r = see_other(*launched->redirect_url);
  }
  r.operation = "portal.Federate";
  return r;
}

}  // namespace atrium::proto::portal
