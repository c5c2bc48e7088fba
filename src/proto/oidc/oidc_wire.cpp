#include "proto/oidc/oidc_wire.hpp"

#include <array>
#include <nlohmann/json.hpp>

#include "base/json_text.hpp"
#include "base/strings.hpp"
#include "domain/oidc.hpp"
#include "proto/kit/query.hpp"

namespace atrium::proto::oidc {

namespace dom = domain::oidc;
using nlohmann::json;
using service::oidc::oauth_errc;
using service::oidc::oauth_fail;
using service::oidc::oauth_result;

namespace {

constexpr std::size_t max_secret = 256;  // client secrets, codes and tokens are 48 characters
constexpr std::size_t max_id = 64;

oauth_result<std::string> text_member(const json& body, const char* name, std::size_t max, bool required) {
  auto it = body.find(name);
  if (it == body.end() || it->is_null()) {
    if (required) return oauth_fail(oauth_errc::invalid_request, std::string(name) + " is required.");
    return std::string();
  }
  if (!it->is_string()) return oauth_fail(oauth_errc::invalid_request, std::string(name) + " must be a string.");
  const auto& s = it->get_ref<const std::string&>();
  if (s.size() > max) return oauth_fail(oauth_errc::invalid_request, std::string(name) + " is too long.");
  if (!valid_utf8(s) || has_control_chars(s))
    return oauth_fail(oauth_errc::invalid_request, std::string(name) + " has invalid characters.");
  return s;
}

// A list of short strings without spaces (scopes, grant types, loopback URIs).
oauth_result<std::vector<std::string>> list_member(const json& body, const char* name, std::size_t max_items,
                                                   std::size_t max_length) {
  std::vector<std::string> out;
  auto it = body.find(name);
  if (it == body.end() || it->is_null()) return out;
  if (!it->is_array() || it->size() > max_items)
    return oauth_fail(oauth_errc::invalid_request, std::string(name) + " must be a list of at most " +
                                                       std::to_string(max_items) + " strings.");
  for (const auto& v : *it) {
    if (!v.is_string() || v.get_ref<const std::string&>().empty() || v.get_ref<const std::string&>().size() > max_length)
      return oauth_fail(oauth_errc::invalid_request, std::string(name) + " holds a value that is not a short string.");
    const auto& s = v.get_ref<const std::string&>();
    if (!valid_utf8(s) || has_control_chars(s) || s.find(' ') != std::string::npos)
      return oauth_fail(oauth_errc::invalid_request, std::string(name) + " holds invalid characters.");
    out.push_back(s);
  }
  return out;
}

#define OIDC_MEMBER(var, expr) \
  auto var##_m = (expr);       \
  if (!var##_m) return std::unexpected(var##_m.error())

std::vector<std::string> scope_words(std::string_view s) {
  std::vector<std::string> out;
  for (auto w : split(s, ' '))
    if (!w.empty()) out.emplace_back(w);
  return out;
}

}  // namespace

oauth_result<service::oidc::client_registration> registration_of(const json& body) {
  service::oidc::client_registration r;
  OIDC_MEMBER(name, text_member(body, "clientName", 4 * dom::max_client_name, true));
  OIDC_MEMBER(type, text_member(body, "clientType", 32, true));
  OIDC_MEMBER(scopes, list_member(body, "scopes", dom::max_scopes, dom::max_scope_length));
  OIDC_MEMBER(grants, list_member(body, "grantTypes", 5, 64));
  OIDC_MEMBER(uris, list_member(body, "redirectUris", dom::max_redirect_uris, dom::max_uri_length));
  OIDC_MEMBER(issuer, text_member(body, "issuerUrl", dom::max_uri_length, false));
  r.name = std::move(*name_m);
  r.type = std::move(*type_m);
  r.scopes = std::move(*scopes_m);
  r.grant_types = std::move(*grants_m);
  r.redirect_uris = std::move(*uris_m);
  r.issuer_url = std::move(*issuer_m);
  return r;
}

oauth_result<start_request> start_of(const json& body) {
  OIDC_MEMBER(id, text_member(body, "clientId", max_id, true));
  OIDC_MEMBER(secret, text_member(body, "clientSecret", max_secret, true));
  OIDC_MEMBER(url, text_member(body, "startUrl", dom::max_uri_length, true));
  return start_request{std::move(*id_m), std::move(*secret_m), std::move(*url_m)};
}

oauth_result<service::oidc::token_request> token_request_of(const json& body) {
  service::oidc::token_request r;
  OIDC_MEMBER(id, text_member(body, "clientId", max_id, true));
  OIDC_MEMBER(secret, text_member(body, "clientSecret", max_secret, true));
  OIDC_MEMBER(grant, text_member(body, "grantType", 128, true));
  OIDC_MEMBER(device, text_member(body, "deviceCode", max_secret, false));
  OIDC_MEMBER(code, text_member(body, "code", max_secret, false));
  OIDC_MEMBER(refresh, text_member(body, "refreshToken", max_secret, false));
  OIDC_MEMBER(redirect, text_member(body, "redirectUri", dom::max_uri_length, false));
  OIDC_MEMBER(verifier, text_member(body, "codeVerifier", max_secret, false));
  OIDC_MEMBER(scopes, list_member(body, "scope", dom::max_scopes, dom::max_scope_length));
  r.client_id = std::move(*id_m);
  r.client_secret = std::move(*secret_m);
  r.grant_type = std::move(*grant_m);
  r.device_code = std::move(*device_m);
  r.code = std::move(*code_m);
  r.refresh_token = std::move(*refresh_m);
  r.redirect_uri = std::move(*redirect_m);
  r.code_verifier = std::move(*verifier_m);
  r.scopes = std::move(*scopes_m);
  // RFC 8628 §3.4, RFC 6749 §4.1.3 and §6: what each grant needs.
  auto missing = [](const char* what) { return oauth_fail(oauth_errc::invalid_request, std::string(what) + " is required for this grant type."); };
  if (r.grant_type == dom::device_code_grant && r.device_code.empty()) return missing("deviceCode");
  if (r.grant_type == dom::refresh_token_grant && r.refresh_token.empty()) return missing("refreshToken");
  if (r.grant_type == dom::authorization_code_grant) {
    if (r.code.empty()) return missing("code");
    if (r.redirect_uri.empty()) return missing("redirectUri");
    if (r.code_verifier.empty()) return missing("codeVerifier");
  }
  return r;
}

oauth_result<service::oidc::authorize_request> authorize_request_of(std::string_view target) {
  request fake;
  fake.target = std::string(target);
  auto q = parse_query(fake);
  if (!q) return oauth_fail(oauth_errc::invalid_request, "The query string is malformed or too long.");
  for (const char* once : {"response_type", "client_id", "redirect_uri", "state", "code_challenge",
                           "code_challenge_method", "scopes", "scope"})
    if (query_repeats(*q, once)) return oauth_fail(oauth_errc::invalid_request, std::string(once) + " is repeated.");
  auto get = [&](const char* name) {
    const std::string* v = query_value(*q, name);
    return v ? *v : std::string();
  };
  service::oidc::authorize_request r{get("response_type"), get("client_id"), get("redirect_uri"), get("state"),
                                     {}, get("code_challenge"), get("code_challenge_method")};
  auto scopes = get("scopes");
  if (scopes.empty()) scopes = get("scope");
  r.scopes = scope_words(scopes);
  if (r.scopes.size() > dom::max_scopes) return oauth_fail(oauth_errc::invalid_scope, "Too many scopes.");
  return r;
}

std::string_view oauth_code(oauth_errc e) {
  switch (e) {
    case oauth_errc::invalid_request: return "invalid_request";
    case oauth_errc::invalid_client: return "invalid_client";
    case oauth_errc::invalid_grant: return "invalid_grant";
    case oauth_errc::unauthorized_client: return "unauthorized_client";
    case oauth_errc::unsupported_grant_type: return "unsupported_grant_type";
    case oauth_errc::invalid_scope: return "invalid_scope";
    case oauth_errc::invalid_client_metadata: return "invalid_client_metadata";
    case oauth_errc::invalid_redirect_uri: return "invalid_redirect_uri";
    case oauth_errc::authorization_pending: return "authorization_pending";
    case oauth_errc::slow_down: return "slow_down";
    case oauth_errc::expired_token: return "expired_token";
    case oauth_errc::access_denied: return "access_denied";
    case oauth_errc::internal: break;
  }
  return "server_error";
}

std::string_view exception_name(oauth_errc e) {
  switch (e) {
    case oauth_errc::invalid_request: return "InvalidRequestException";
    case oauth_errc::invalid_client: return "InvalidClientException";
    case oauth_errc::invalid_grant: return "InvalidGrantException";
    case oauth_errc::unauthorized_client: return "UnauthorizedClientException";
    case oauth_errc::unsupported_grant_type: return "UnsupportedGrantTypeException";
    case oauth_errc::invalid_scope: return "InvalidScopeException";
    case oauth_errc::invalid_client_metadata: return "InvalidClientMetadataException";
    case oauth_errc::invalid_redirect_uri: return "InvalidRedirectUriException";
    case oauth_errc::authorization_pending: return "AuthorizationPendingException";
    case oauth_errc::slow_down: return "SlowDownException";
    case oauth_errc::expired_token: return "ExpiredTokenException";
    case oauth_errc::access_denied: return "AccessDeniedException";
    case oauth_errc::internal: break;
  }
  return "InternalServerException";
}

int status_of(oauth_errc e) {
  if (e == oauth_errc::invalid_client) return 401;
  if (e == oauth_errc::internal) return 500;
  return 400;  // the model's httpStatusCode of every other error
}

response json_response(const json& body) {
  response r;
  r.body = body.dump();
  // RFC 6749 §5.1: token answers are never cached.
  r.headers.emplace_back("Cache-Control", "no-store");
  r.headers.emplace_back("Pragma", "no-cache");
  return r;
}

response error_response(const service::oidc::oauth_error& e) {
  auto description = e.code == oauth_errc::internal ? std::string("An internal error occurred.") : e.description;
  response r = json_response({{"error", oauth_code(e.code)}, {"error_description", description}});
  r.status = status_of(e.code);
  r.headers.emplace_back("x-amzn-ErrorType", std::string(exception_name(e.code)));
  r.error_code = std::string(exception_name(e.code));
  r.error_message = e.description;
  return r;
}

std::string audited_parameters(const json& body) {
  static constexpr std::array<const char*, 11> shown = {"clientName", "clientType", "scopes", "grantTypes",
                                                        "redirectUris", "issuerUrl", "clientId", "grantType",
                                                        "startUrl", "redirectUri", "scope"};
  static constexpr std::array<const char*, 5> hidden = {"clientSecret", "deviceCode", "code", "refreshToken",
                                                        "codeVerifier"};
  json out = json::object();
  if (!body.is_object()) return to_json_text(out);
  for (auto* k : shown)
    if (body.contains(k)) out[k] = body[k];
  for (auto* k : hidden)
    if (body.contains(k)) out[k] = "HIDDEN_DUE_TO_SECURITY_REASONS";
  return to_json_text(out);
}

}  // namespace atrium::proto::oidc
