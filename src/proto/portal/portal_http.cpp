#include "proto/portal/portal_http.hpp"

#include "proto/kit/json_body.hpp"

#include "base/strings.hpp"

namespace atrium::proto::portal {

std::string set_cookie(std::string_view name, std::string_view value, std::chrono::seconds max_age) {
  return std::string(name) + "=" + std::string(value) + "; Path=/portal; Max-Age=" + std::to_string(max_age.count()) +
         "; Secure; HttpOnly; SameSite=Strict";
}

std::string clear_cookie(std::string_view name) { return set_cookie(name, "", std::chrono::seconds(0)); }

bool json_content_type(const request& req) { return media_type_is(req.header("content-type"), {"application/json"}); }

bool same_origin(const request& req, std::string_view public_url) {
  const std::string* origin = req.header("origin");
  if (!origin) return true;  // not a browser's cross-site request (browsers send Origin on POST)
  auto o = trim(*origin);
  // An Origin is scheme://host[:port] (RFC 6454 §6.1), the public URL has a path (/portal): compare
  // with the public URL's origin, so a portal behind a proxy that rewrites Host still matches.
  if (!public_url.empty() && o == origin_of(public_url)) return true;
  // OWASP CSRF cheat sheet, "Identifying the target origin": the Host the request came to.
  // A cross-site page cannot make the browser send another site's origin.
  const std::string* host = req.header("host");
  if (!host) return false;
  auto scheme_end = public_url.find("://");
  std::string scheme = scheme_end == std::string_view::npos ? "https" : std::string(public_url.substr(0, scheme_end));
  return o == scheme + "://" + std::string(trim(*host));
}

std::string origin_of(std::string_view url) {
  auto scheme = url.find("://");
  if (scheme == std::string_view::npos) return {};
  return std::string(url.substr(0, url.find_first_of("/?#", scheme + 3)));
}

std::string form_action_sources(std::string_view signin_url) {
  std::string out = "'self'";
  auto scheme_end = signin_url.find("://");
  if (scheme_end == std::string_view::npos) return out;
  auto host_end = signin_url.find_first_of("/?#", scheme_end + 3);
  std::string_view origin = signin_url.substr(0, host_end);
  std::string_view authority = origin.substr(scheme_end + 3);
  if (authority.empty() || authority.find_first_of(" ;,'\"") != std::string_view::npos) return out;
  out += " " + std::string(origin);
  // AWS's sign-in endpoint answers the posted Response with a redirect into the console (or the
  // permission set's relay state), and CSP checks form-action on those redirects too: allow the
  // sign-in host's parent domain (signin.aws.amazon.com -> *.aws.amazon.com, the regional
  // us-east-1.signin.aws.amazon.com too).
  auto at = authority.find("signin.");
  if (at != std::string_view::npos && (at == 0 || authority[at - 1] == '.') && authority.find(':') == std::string_view::npos) {
    auto parent = authority.substr(at + 7);
    if (parent.find('.') != std::string_view::npos)
      out += " " + std::string(signin_url.substr(0, scheme_end)) + "://*." + std::string(parent);
  }
  return out;
}

void add_security_headers(response& r, std::string_view form_action) {
  // form-action does not fall back to default-src (CSP3 §6.4.1): without it a page could post
  // anywhere. The portal posts only to itself and to AWS's sign-in (Management console).
  r.headers.emplace_back("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; form-action " +
                                                        std::string(form_action) + "; frame-ancestors 'none'");
  r.headers.emplace_back("X-Frame-Options", "DENY");
  r.headers.emplace_back("Referrer-Policy", "no-referrer");
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
}

response json_answer(const nlohmann::json& j, int status) {
  response r;
  r.status = status;
  r.body = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

response error_answer(int status, std::string code, std::string message) {
  auto r = json_answer({{"error", code}, {"message", message}}, status);
  r.error_code = std::move(code);
  return r;
}

response from_error(const error& e, bool policy) {
  switch (e.code) {
    case errc::validation:
      // Policy refusals (domain/password_policy) say "The password ..."; a bad link does not.
      return error_answer(400, policy && e.message.starts_with("The password") ? "PasswordPolicy" : "InvalidRequest",
                          e.message);
    case errc::unauthenticated: return error_answer(401, "InvalidCredentials", e.message);
    case errc::throttled: {
      auto r = error_answer(429, "TooManyAttempts", e.message);
      r.headers.emplace_back("Retry-After", e.resource_type == "retry_after" ? e.resource_id : "1");
      return r;
    }
    case errc::access_denied: return error_answer(403, "Forbidden", e.message);
    case errc::not_found: return error_answer(404, "NotFound", e.message);
    case errc::quota_exceeded: return error_answer(400, "InvalidRequest", e.message);
    case errc::conflict: return error_answer(400, "InvalidRequest", e.message);
    default: return error_answer(500, "InternalError", "Something went wrong. Try again.");
  }
}

result<std::string> text_field(const nlohmann::json& body, const char* name, std::size_t max, bool required) {
  auto it = body.find(name);
  if (it == body.end() || it->is_null()) {
    if (required) return fail(errc::validation, std::string(name) + " is required.");
    return std::string();
  }
  if (!it->is_string()) return fail(errc::validation, std::string(name) + " must be a string.");
  const auto& s = it->get_ref<const std::string&>();
  if (s.size() > max)
    return fail(errc::validation, std::string(name) + " must be at most " + std::to_string(max) + " bytes.");
  if (!valid_utf8(s) || has_control_chars(s)) return fail(errc::validation, std::string(name) + " has invalid characters.");
  if (required && s.empty()) return fail(errc::validation, std::string(name) + " is required.");
  return s;
}

result<std::string> code_field(const nlohmann::json& body, const char* name) {
  auto s = text_field(body, name, 16);
  if (!s) return s;
  if (s->size() != 6 || s->find_first_not_of("0123456789") != std::string::npos)
    return fail(errc::validation, std::string(name) + " must be 6 digits.");
  return s;
}

result<bool> flag_field(const nlohmann::json& body, const char* name) {
  auto it = body.find(name);
  if (it == body.end() || it->is_null()) return false;
  if (!it->is_boolean()) return fail(errc::validation, std::string(name) + " must be true or false.");
  return it->get<bool>();
}

result<nlohmann::json> credential_field(const nlohmann::json& body, const char* name) {
  auto it = body.find(name);
  if (it == body.end() || !it->is_object()) return fail(errc::validation, std::string(name) + " must be an object.");
  if (it->dump().size() > max_credential)
    return fail(errc::validation, std::string(name) + " must be at most " + std::to_string(max_credential) + " bytes.");
  return *it;
}

}  // namespace atrium::proto::portal
