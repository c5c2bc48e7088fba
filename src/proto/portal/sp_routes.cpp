// Atrium as SAML 2.0 service provider (issue 17; docs/identity-source-admin.md):
//   GET  /portal/sp/metadata   the SP metadata (application/samlmetadata+xml), public
//   GET  /portal/sp/login?idp=<IdpId>&relay=<portal path>
//        -> 302 to the IdP's SSO URL with an HTTP-Redirect AuthnRequest; sets atrium_sp_request
//           (random; HttpOnly, Secure, SameSite=None because the IdP's POST back is cross-site,
//           Path=/portal/sp), whose hash the store keeps with the request ID
//   POST /portal/sp/acs        SAMLResponse, RelayState (SAML bindings §3.5.4)
//        -> the portal session (atrium_session), then a 200 page that moves the browser on by a
//           same-origin navigation (meta refresh): the portal's cookies are SameSite=Strict, so
//           a redirect answering a cross-site POST would arrive without them
// Refusals are HTML pages without script, with the reason (the service has audited it).
#include <chrono>

#include "base/strings.hpp"
#include "proto/kit/json_body.hpp"
#include "proto/kit/query.hpp"
#include "proto/portal/portal_door.hpp"
#include "proto/portal/portal_http.hpp"
#include "xml/dom.hpp"

namespace atrium::proto::portal {

namespace {

constexpr std::string_view sp_cookie_name = "atrium_sp_request";
constexpr std::size_t max_acs_form = 600 * 1024;
constexpr const char* sp_page_csp = "default-src 'none'; img-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'";

void sp_headers(response& r) {
  r.headers.emplace_back("Content-Security-Policy", sp_page_csp);
  r.headers.emplace_back("X-Frame-Options", "DENY");
  r.headers.emplace_back("Referrer-Policy", "no-referrer");
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  r.headers.emplace_back("Cache-Control", "no-store");
}

std::string sp_html(std::string_view title, const std::string& head, const std::string& body) {
  return "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">" + head + "<title>" + xml::escape(title) +
         " - Atrium</title></head><body><main><h1>" + xml::escape(title) + "</h1>" + body + "</main></body></html>\n";
}

response sp_refusal(int status, const char* code, const std::string& message) {
  response r;
  r.status = status;
  r.content_type = "text/html; charset=utf-8";
  r.body = sp_html("Sign-in through your identity provider failed", "",
                   "<p role=\"alert\">" + xml::escape(message) +
                       "</p><p><a href=\"/portal/sp/login\">Sign in again</a></p>");
  r.error_code = code;
  r.error_message = message;
  sp_headers(r);
  return r;
}

response sp_refusal_of(const error& e) {
  switch (e.code) {
    case errc::throttled: {
      auto r = sp_refusal(429, "TooManyAttempts", e.message);
      r.headers.emplace_back("Retry-After", e.resource_type == "retry_after" ? e.resource_id : "1");
      return r;
    }
    case errc::unauthenticated: return sp_refusal(403, "SignInRefused", e.message);
    case errc::access_denied: return sp_refusal(403, "SignInRefused", e.message);
    case errc::validation: return sp_refusal(400, "InvalidResponse", e.message);
    case errc::not_found: return sp_refusal(404, "NotConfigured", e.message);
    default: return sp_refusal(500, "InternalError", "Something went wrong. Try again.");
  }
}

std::string sp_cookie(std::string_view value, std::chrono::seconds max_age) {
  return std::string(sp_cookie_name) + "=" + std::string(value) + "; Path=/portal/sp; Max-Age=" +
         std::to_string(max_age.count()) + "; Secure; HttpOnly; SameSite=None";
}

// The login throttle's key for the SP requests a source address has pending.
std::string sp_login_key(const request& req) { return "sp:" + req.remote_ip; }

service::sign_in_client client_of(const request& req) {
  const std::string* ua = req.header("user-agent");
  return {req.remote_ip, ua ? *ua : "", req.request_id, ""};
}

}  // namespace

response portal_door::sp_route(const request& req, std::string_view path) {
  response r;
  if (!svc_.sp || !svc_.identity_source) {
    r = sp_refusal(404, "NotFound", "There is no such page.");
  } else if (path == "/portal/sp/metadata") {
    r = sp_metadata_route(req);
  } else if (path == "/portal/sp/login") {
    r = sp_login_route(req);
  } else if (path == "/portal/sp/acs") {
    r = sp_acs_route(req);
  } else {
    r = sp_refusal(404, "NotFound", "There is no such page.");
  }
  return r;
}

response portal_door::sp_metadata_route(const request& req) {
  if (req.method != "GET" && req.method != "HEAD") return sp_refusal(405, "InvalidRequest", "Use GET.");
  auto sp = svc_.identity_source->service_provider();
  if (!sp) return sp_refusal_of(sp.error());
  response r;
  r.content_type = "application/samlmetadata+xml";
  r.body = sp->metadata;
  r.headers.emplace_back("Content-Disposition", "attachment; filename=\"atrium-sp-metadata.xml\"");
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  r.operation = "portal.SpMetadata";
  return r;
}

response portal_door::sp_login_route(const request& req) {
  if (req.method != "GET" && req.method != "HEAD") return sp_refusal(405, "InvalidRequest", "Use GET.");
  auto q = parse_query(req);
  if (!q) return sp_refusal(400, "InvalidRequest", "The query string cannot be read.");
  std::optional<std::string> idp, relay;
  if (const auto* v = query_value(*q, "idp"); v && !v->empty()) {
    if (v->size() > 64) return sp_refusal(400, "InvalidRequest", "idp is too long.");
    idp = *v;
  }
  if (const auto* v = query_value(*q, "relay"); v && !v->empty()) relay = *v;
  // Each visit stores a pending request for request_lifetime, so an anonymous client could fill
  // the store: throttled per source address like the portal's other anonymous endpoints (the
  // login throttle, docs/sign-in.md "Throttling"). The requests an address leaves unanswered
  // count; a sign-in completed at the ACS from it resets them.
  if (auto ok = svc_.sign_in.admit(sp_login_key(req), req.remote_ip); !ok) return sp_refusal_of(ok.error());
  auto started = svc_.sp->begin(client_of(req), idp, relay);
  response r;
  if (!started) {
    // Several IdPs and none named: the sign-in page asks for the e-mail (home realm discovery).
    if (started.error().code == errc::validation) {
      r.status = 302;
      r.content_type.clear();
      r.headers.emplace_back("Location", "/portal/signin");
      r.headers.emplace_back("Cache-Control", "no-store");
      return r;
    }
    return sp_refusal_of(started.error());
  }
  svc_.sign_in.throttle().pending(sp_login_key(req));
  r.status = 302;
  r.content_type.clear();
  r.headers.emplace_back("Location", started->redirect_url);
  r.headers.emplace_back("Cache-Control", "no-store");
  r.headers.emplace_back("Set-Cookie", sp_cookie(started->browser_token,
                                                 std::chrono::duration_cast<std::chrono::seconds>(
                                                     svc_.sp->settings().request_lifetime)));
  r.operation = "portal.SpLogin";
  return r;
}

response portal_door::sp_acs_route(const request& req) {
  // Every refusal of a sign-in is an ExternalIdPDirectoryLogin record, these too.
  auto refuse = [&](int status, const std::string& message) {
    svc_.sp->record_refusal(client_of(req), message);
    return sp_refusal(status, "InvalidRequest", message);
  };
  if (req.method != "POST")  // not a sign-in attempt: not recorded
    return sp_refusal(405, "InvalidRequest", "The IdP posts its Response here (HTTP-POST binding).");
  if (req.body.size() > max_acs_form) return refuse(413, "The form is too large.");
  if (!media_type_is(req.header("content-type"), {"application/x-www-form-urlencoded"}))
    return refuse(415, "The HTTP-POST binding sends application/x-www-form-urlencoded.");
  auto fields = form_fields(req.body);
  if (!fields) return refuse(400, fields.error().message);
  auto saml = fields->find("SAMLResponse");
  std::optional<std::string> relay_state;
  if (auto rs = fields->find("RelayState"); rs != fields->end()) relay_state = rs->second;
  std::string token = cookie_value(req, sp_cookie_name);
  if (token.size() > max_token) token.clear();
  auto done = svc_.sp->consume(client_of(req), saml == fields->end() ? std::string_view{} : std::string_view(saml->second),
                               relay_state, token);
  response r;
  if (!done) {
    r = sp_refusal_of(done.error());
  } else {
    r.content_type = "text/html; charset=utf-8";
    std::string to = xml::escape(done->relay);
    r.body = sp_html("Signed in", "<meta http-equiv=\"refresh\" content=\"0;url=" + to + "\">",
                     "<p>You are signed in as " + xml::escape(done->user_name) + ".</p><p><a href=\"" + to +
                         "\">Continue to the portal</a></p>");
    sp_headers(r);
    svc_.sign_in.throttle().success(sp_login_key(req));
    auto left = std::chrono::duration_cast<std::chrono::seconds>(done->session.record.expires_at -
                                                                 done->session.record.created_at);
    r.headers.emplace_back("Set-Cookie", set_cookie(session_cookie_name, done->session.token, left));
  }
  if (!token.empty()) r.headers.emplace_back("Set-Cookie", sp_cookie("", std::chrono::seconds(0)));
  r.operation = "portal.SpAcs";
  return r;
}

// The portal's start URL when the identity source is one external IdP: an unauthenticated
// visit goes to the IdP (docs/identity-source-admin.md). nullopt: serve the page as usual.
std::optional<response> portal_door::start_redirect(const request& req, std::string_view path) {
  if (!svc_.sp || (req.method != "GET" && req.method != "HEAD")) return std::nullopt;
  if (path != "/" && path != "/portal" && path != "/portal/" && path != "/portal/signin") return std::nullopt;
  // Just signed out: show that (the IdP's own session would sign the user straight back in).
  if (req.target.find("signedOut=") != std::string::npos) return std::nullopt;
  std::string token = cookie_value(req, session_cookie_name);
  if (!token.empty() && token.size() <= max_token) {
    auto s = svc_.sessions.validate(token);
    if (s && *s) return std::nullopt;
  }
  auto sends = svc_.sp->sends_to_idp();
  if (!sends || !*sends) return std::nullopt;
  response r;
  r.status = 302;
  r.content_type.clear();
  r.headers.emplace_back("Location", "/portal/sp/login");
  r.headers.emplace_back("Cache-Control", "no-store");
  r.operation = "portal.Redirect";
  return r;
}

}  // namespace atrium::proto::portal
