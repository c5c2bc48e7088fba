#pragma once
// Pieces of the portal door shared by its route files: cookies, the CSRF and origin checks,
// field limits, and the contract's JSON answers and error shape (docs/sign-in.md).
#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.hpp"
#include "base/try.hpp"
#include "proto/portal/portal_door.hpp"

namespace atrium::proto::portal {

inline constexpr std::string_view session_cookie_name = "atrium_session";
inline constexpr std::string_view device_cookie_name = "atrium_device";

// Input limits (docs/sign-in.md "Input limits"). Passwords are taken up to 1024 bytes so that
// the policy, not a cut, answers one that is too long.
inline constexpr std::size_t max_user_name = 128;
inline constexpr std::size_t max_password = 1024;
inline constexpr std::size_t max_id = 128;          // enrollmentId, device id
// A workflowId is "<uuid>.<sealed started sign-in>" (sign_in_service.cpp): ~340 characters for a
// 128-character user name.
inline constexpr std::size_t max_workflow_id = 512;
inline constexpr std::size_t max_device_name = 128;
inline constexpr std::size_t max_token = 512;       // reset / invitation tokens
inline constexpr std::size_t max_credential = 16 * 1024;  // WebAuthn credential JSON

struct portal_door::call {
  call(const request& r, std::string p) : req(r), path(std::move(p)) {}
  const request& req;
  std::string path;   // without the query
  nlohmann::json body = nlohmann::json::object();
  service::sign_in_client client;
  std::string session_token;  // atrium_session cookie
  std::optional<service::valid_session> session;
  std::vector<std::string> set_cookies;
};

// The value of a cookie of the request (RFC 6265 §5.4 Cookie header): the door kit's
// cookie_value(req, name) (proto/kit/exchange.hpp).
// Set-Cookie values: Secure; HttpOnly; SameSite=Strict; Path=/portal.
std::string set_cookie(std::string_view name, std::string_view value, std::chrono::seconds max_age);
std::string clear_cookie(std::string_view name);

// Pre-session POSTs: Content-Type application/json, and an Origin (when sent) that is the
// portal's own (the configured public URL, or the scheme and Host the request came to).
bool json_content_type(const request& req);
bool same_origin(const request& req, std::string_view public_url);

response json_answer(const nlohmann::json& j, int status = 200);
response error_answer(int status, std::string code, std::string message);
// A service error in the contract's words; `policy` maps errc::validation to PasswordPolicy.
response from_error(const error& e, bool policy = false);
// scheme://host[:port] of a URL ('' when it has no scheme): the ACS a Response is posted to, the
// consent page's redirect URI.
std::string origin_of(std::string_view url);
// The CSP form-action sources of a portal that posts SAML Responses to `signin_url`: 'self',
// the URL's origin and, for an AWS sign-in host (signin.<domain>), https://*.<domain> where
// the sign-in redirects to.
std::string form_action_sources(std::string_view signin_url);
// Headers every portal answer carries (CSP with `form_action` as form-action's sources, frame,
// referrer, nosniff).
void add_security_headers(response& r, std::string_view form_action = "'self'");

// Body fields. A missing required field, a wrong type or a value over `max` bytes is
// errc::validation naming the field.
result<std::string> text_field(const nlohmann::json& body, const char* name, std::size_t max, bool required = true);
// Exactly six ASCII digits (TOTP RFC 6238 codes and e-mailed codes).
result<std::string> code_field(const nlohmann::json& body, const char* name);
result<bool> flag_field(const nlohmann::json& body, const char* name);
// A JSON object (WebAuthn PublicKeyCredential) of at most max_credential bytes as text.
result<nlohmann::json> credential_field(const nlohmann::json& body, const char* name);

}  // namespace atrium::proto::portal
