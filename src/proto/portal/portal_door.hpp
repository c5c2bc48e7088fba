#pragma once
// The user portal's door (issue 5; the HTTP contract is docs/sign-in.md): the sign-in
// workflow, sessions (cookies atrium_session / atrium_device: Secure, HttpOnly,
// SameSite=Strict, Path=/portal), CSRF checks, input limits, the signed-in user's API, and
// the built browser UI from web.assets_dir. Requests and responses are the door kit's values
// (proto/kit/exchange.hpp). Errors: HTTP status + {"error": "<Code>", "message": "..."}.
#include <cstddef>
#include <optional>
#include <filesystem>
#include <string>
#include <string_view>
#include <utility>

#include "proto/kit/router.hpp"
#include "service/admin/console_access.hpp"
#include "service/applications/application_service.hpp"
#include "service/applications/saml_idp_service.hpp"
#include "service/audit/audited_store.hpp"
#include "service/federation/aws_federation.hpp"
#include "service/idsource/identity_source_service.hpp"
#include "service/idsource/sp_sign_in.hpp"
#include "service/signin/mfa_service.hpp"
#include "service/signin/password_service.hpp"
#include "service/signin/portal_accounts.hpp"
#include "service/signin/session_service.hpp"
#include "service/signin/sign_in_service.hpp"

namespace atrium::proto::portal {

struct portal_settings {
  std::string public_url;  // https://host:port: the portal's origin (Origin checks, links)
  std::filesystem::path assets_dir;
  std::size_t max_body_bytes = 64 * 1024;
  // CSP form-action sources: 'self' and where "Management console" posts (form_action_sources).
  std::string form_action = "'self'";
};

struct cli_services;  // proto/portal/cli_services.hpp

struct portal_services {
  service::sign_in_service& sign_in;
  service::session_service& sessions;
  service::password_service& passwords;
  service::mfa_service& mfa;
  service::portal_accounts& accounts;
  // Console federation ("Management console"); its refusals are audited through `audit`.
  service::aws_federation& federation;
  service::audited_store& audit;
  // Applications (issue 15): the landing page's tiles and SAML sign-in to them. Null when the
  // deployment is wired without them (the portal then lists no applications).
  service::application_service* applications = nullptr;
  service::saml_idp_service* saml = nullptr;
  cli_services* cli = nullptr;  // command-line access (issue 16); null: its routes answer 404
  // Atrium as SAML SP (issue 17): /portal/sp/*, the start URL's redirect to the IdP. Null: 404.
  service::sp_sign_in* sp = nullptr;
  service::identity_source_service* identity_source = nullptr;
  // The admin console's access (issue 14): GET session says whether the user may open it.
  service::console_access* console = nullptr;
};

class portal_door final : public door {
 public:
  portal_door(portal_services svc, portal_settings s);

  // GET / (redirected to /portal/), GET /console (to /portal/console/) and everything under /portal.
  bool handles(std::string_view method, std::string_view target) const;
  response handle(const request& req) override;
  // GET of the session, the account and application tiles and the CLI settings: the session
  // check and a few store reads (static files stay on the worker pool: they read the disk).
  // Also a tile's launch (POST applications/<id>/launch): one read, then CPU without waits.
  bool is_point_read(const request& req) const override;
  // The server's own 413/431/400 answers in the contract's error shape.
  response transport_error(const request& partial, response generic) const override;
  // Once the server knows its port (server.port=0): the origin that Origin headers must name.
  void set_public_url(std::string url) { s_.public_url = std::move(url); }
  const portal_settings& settings() const { return s_; }

  struct call;  // one API request in progress (portal_http.hpp)

 private:
  response api(call& c);
  // A route answers its refusals itself or returns the service's error, which api() words.
  result<response> sign_in_route(call& c, std::string_view step);
  result<response> session_route(call& c, std::string_view rest);
  result<response> password_route(call& c, std::string_view rest);
  result<response> devices_route(call& c, std::string_view rest);
  // POST portal/console (the signed SAML Response) and portal/credentials (the role's
  // credentials) for one account and role (federation_routes.cpp).
  response federation_route(call& c, bool console);
  result<response> cli_route(call& c, std::string_view rest);  // cli_routes.cpp
  result<response> applications_route(call& c, std::string_view rest);
  // POST applications/<id>/launch with a session cookie: the session and CSRF checks run in the
  // launch's own read transaction (nullopt: not such a request; the general path serves it).
  std::optional<response> launch_route(call& c, std::string_view rest);
  // POST /portal/saml/launch/<apl> and /portal/saml/continue: the auto-POST page (saml_post_page.cpp).
  response saml_form_route(const request& req, std::string_view path);
  // /portal/sp/* (sp_routes.cpp): metadata, login, the assertion consumer service.
  response sp_route(const request& req, std::string_view path);
  response sp_metadata_route(const request& req);
  response sp_login_route(const request& req);
  response sp_acs_route(const request& req);
  std::optional<response> start_redirect(const request& req, std::string_view path);

  portal_services svc_;
  portal_settings s_;
};

}  // namespace atrium::proto::portal
