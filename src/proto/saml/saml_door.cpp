#include "proto/saml/saml_door.hpp"

#include <nlohmann/json.hpp>

#include "base/json_text.hpp"
#include "base/strings.hpp"
#include "domain/application.hpp"
#include "proto/saml/saml_inbound.hpp"
#include "xml/dom.hpp"
#include "xml/saml_bindings.hpp"

namespace atrium::proto::saml {

namespace {

using nlohmann::json;

constexpr std::string_view assertion_prefix = "/saml/assertion/";
constexpr std::string_view metadata_prefix = "/saml/metadata/";
constexpr std::string_view icons_prefix = "/saml/icons/";

void add_page_headers(response& r, std::string_view csp) {
  r.headers.emplace_back("Content-Security-Policy", std::string(csp));
  r.headers.emplace_back("X-Frame-Options", "DENY");
  r.headers.emplace_back("Referrer-Policy", "no-referrer");
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  r.headers.emplace_back("Cache-Control", "no-store");
}

// The refusal's HTTP status and CloudTrail errorCode.
std::pair<int, const char*> status_of(const error& e) {
  switch (e.code) {
    case errc::not_found: return {404, "ResourceNotFoundException"};
    case errc::access_denied: return {403, "AccessDeniedException"};
    case errc::unauthenticated: return {403, "InvalidSignature"};
    case errc::conflict: return {400, "ReplayedRequest"};
    case errc::validation: return {400, "InvalidRequest"};
    default: return {500, "InternalError"};
  }
}

std::string path_segment(std::string_view path, std::string_view prefix) {
  auto rest = path.substr(prefix.size());
  return std::string(rest.substr(0, rest.find('/')));
}

}  // namespace

response html_page(int status, std::string_view title, std::string_view message) {
  response r;
  r.status = status;
  r.content_type = "text/html; charset=utf-8";
  r.body = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + xml::escape(title) +
           " - Atrium</title></head><body><main><h1>" + xml::escape(title) + "</h1><p>" + xml::escape(message) +
           "</p><p><a href=\"/portal/\">Go to the portal</a></p></main></body></html>\n";
  add_page_headers(r, "default-src 'none'; frame-ancestors 'none'; form-action 'none'");
  return r;
}

saml_door::saml_door(service::saml_idp_service& idp, service::saml_settings_service& settings,
                     const service::application_catalog& catalog, service::audited_store& audit, saml_door_settings s)
    : idp_(idp), settings_(settings), catalog_(catalog), audit_(audit), s_(std::move(s)) {}

response saml_door::transport_error(const request&, response generic) const {
  auto page = html_page(generic.status, "Request refused", "The sign-in request could not be read.");
  page.error_code = "InvalidRequest";
  return page;
}

response saml_door::handle(const request& req) {
  auto path = req.path();
  bool get = req.method == "GET" || req.method == "HEAD";
  if (path.starts_with(assertion_prefix) && (get || req.method == "POST")) {
    auto id = path_segment(path, assertion_prefix);
    if (domain::is_application_id(id) && path.size() == assertion_prefix.size() + id.size()) return sign_on(req, id);
  }
  if (path.starts_with(metadata_prefix) && get) {
    auto id = path_segment(path, metadata_prefix);
    if (domain::is_application_id(id) && path.size() == metadata_prefix.size() + id.size()) return metadata(id);
  }
  if (path.starts_with(icons_prefix) && get) return icon(path.substr(icons_prefix.size()));
  auto r = html_page(404, "Not found", "There is no such SAML endpoint.");
  r.operation = "saml.NotFound";
  return r;
}

response saml_door::sign_on(const request& req, const std::string& app_id) {
  auto ctx = context_of(req, s_.region);
  ctx.who.type = "Unknown";  // nobody is signed in at this point (the guide's sign-in events)
  ctx.who.principal_id = s_.account_id;
  ctx.who.account_id = s_.account_id;
  ctx.event_source = "sso.amazonaws.com";
  ctx.event_name = "SAMLAuthnRequest";
  ctx.via = domain::door::console;
  ctx.request_parameters = to_json_text(json{{"applicationId", app_id}, {"binding", req.method == "POST" ? "HTTP-POST" : "HTTP-Redirect"}});
  auto accepted = [&]() -> result<service::pending_sign_in> {
    auto in = read_inbound_request(req, s_.max_body_bytes);
    if (!in) return std::unexpected(in.error());
    return idp_.begin(ctx, app_id, *in);
  }();
  if (!accepted) {
    auto [status, code] = status_of(accepted.error());
    auto page = html_page(status, "Sign-in request refused", accepted.error().message);
    page.error_code = code;
    page.error_message = accepted.error().message;
    return finish_call(audit_, ctx, std::move(page), "saml");
  }
  response r;
  r.status = 303;  // See Other: the browser GETs the portal page (RFC 9110 §15.4.4)
  r.content_type.clear();
  r.headers.emplace_back("Location", "/portal/saml/continue?request=" + accepted->handle);
  r.headers.emplace_back("Cache-Control", "no-store");
  r.headers.emplace_back("Referrer-Policy", "no-referrer");
  r.operation = "saml.SAMLAuthnRequest";
  return r;
}

response saml_door::metadata(const std::string& app_id) {
  auto md = settings_.idp_metadata(app_id);
  if (!md) {
    auto r = html_page(md.error().code == errc::not_found ? 404 : 500, "Not found", "There is no such application.");
    r.operation = "saml.Metadata";
    return r;
  }
  response r;
  r.content_type = "application/samlmetadata+xml";  // SAML metadata §4.1.1 (RFC 7580 media type)
  r.body = std::move(*md);
  r.headers.emplace_back("Content-Disposition", "inline; filename=\"atrium-" + app_id + "-metadata.xml\"");
  r.operation = "saml.Metadata";
  return r;
}

// Icons are images: served with a CSP that runs nothing even when opened as a document (the
// catalog's SVGs are checked by tests/catalog; uploaded icons are PNG only).
response saml_door::icon(std::string_view rest) {
  response r;
  r.operation = "saml.Icon";
  constexpr std::string_view catalog_dir = "catalog/", app_dir = "application/";
  if (rest.starts_with(catalog_dir) && rest.ends_with(".svg")) {
    auto id = rest.substr(catalog_dir.size(), rest.size() - catalog_dir.size() - 4);
    if (const auto* e = catalog_.find(id)) {
      r.content_type = "image/svg+xml";
      r.body = e->icon_svg;
    }
  } else if (rest.starts_with(app_dir) && rest.ends_with(".png")) {
    auto id = std::string(rest.substr(app_dir.size(), rest.size() - app_dir.size() - 4));
    if (domain::is_application_id(id)) {
      auto d = settings_.icon_of(id);
      if (d && *d) {
        r.content_type = "image/png";
        r.body = std::move(**d);
      }
    }
  }
  if (r.body.empty()) return html_page(404, "Not found", "There is no such icon.");
  add_page_headers(r, "default-src 'none'; style-src 'unsafe-inline'; sandbox");
  r.headers.back() = {"Cache-Control", "public, max-age=3600"};
  return r;
}

}  // namespace atrium::proto::saml
