#pragma once
// The user portal's door (issue 5; the HTTP contract is docs/sign-in.md): the sign-in
// workflow, sessions (cookies atrium_session / atrium_device: Secure, HttpOnly,
// SameSite=Strict, Path=/portal), CSRF checks, input limits, the signed-in user's API, and
// the built browser UI from web.assets_dir. Framework-free like the other doors: app/ converts
// http values to these and back. Errors: HTTP status + {"error": "<Code>", "message": "..."}.
#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "service/audited_store.hpp"
#include "service/mfa_service.hpp"
#include "service/password_service.hpp"
#include "service/portal_accounts.hpp"
#include "service/session_service.hpp"
#include "service/sign_in_service.hpp"

namespace atrium::proto::portal {

struct portal_request {
  std::string method;
  std::string target;  // path and query, as received
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string remote_ip;
  std::string request_id;
  const std::string* header(std::string_view name) const;
};

struct portal_response {
  int status = 200;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string operation;   // "portal.SignInPassword", for metrics and the access log
  std::string error_code;  // "InvalidCredentials", ...
};

struct portal_settings {
  std::string public_url;  // https://host:port: the portal's origin (Origin checks, links)
  std::filesystem::path assets_dir;
  std::size_t max_body_bytes = 64 * 1024;
};

struct portal_services {
  service::sign_in_service& sign_in;
  service::session_service& sessions;
  service::password_service& passwords;
  service::mfa_service& mfa;
  service::portal_accounts& accounts;
};

class portal_door {
 public:
  portal_door(portal_services svc, portal_settings s);

  // GET / (redirected to /portal/) and everything under /portal.
  bool handles(std::string_view method, std::string_view target) const;
  portal_response handle(const portal_request& req);
  // Once the server knows its port (server.port=0): the origin that Origin headers must name.
  void set_public_url(std::string url) { s_.public_url = std::move(url); }
  const portal_settings& settings() const { return s_; }

  struct call;  // one API request in progress (portal_http.hpp)

 private:
  portal_response api(call& c);
  portal_response sign_in_route(call& c, std::string_view step);
  portal_response session_route(call& c, std::string_view rest);
  portal_response password_route(call& c, std::string_view rest);
  portal_response devices_route(call& c, std::string_view rest);

  portal_services svc_;
  portal_settings s_;
};

}  // namespace atrium::proto::portal
