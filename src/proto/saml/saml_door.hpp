#pragma once
// The SAML 2.0 identity provider's door (issue 15 item 5; SAML bindings §3.4 HTTP-Redirect,
// §3.5 HTTP-POST; SAML metadata §2.4.3): per application
//   GET  /saml/metadata/<apl-id>    the application's IdP metadata (its entity ID, SSO URL,
//                                   certificates);
//   GET  /saml/assertion/<apl-id>   an SP-initiated AuthnRequest over HTTP-Redirect
//   POST /saml/assertion/<apl-id>   ... over HTTP-POST (application/x-www-form-urlencoded);
//   GET  /saml/icons/catalog/<id>.svg, /saml/icons/application/<apl-id>.png   tile icons.
// An accepted AuthnRequest is stored (service::saml_idp_service::begin) and the browser is sent
// (303) to the portal, /portal/saml/continue?request=<handle>, which signs the user in if needed
// (password, MFA) and comes back for the Response: the portal's cookies are SameSite=Strict and
// scoped to /portal, so the cross-site request that brought the AuthnRequest here cannot carry
// them; the portal page, same-site, can. A refused request gets an HTML page saying why (never a
// redirect: an unregistered ACS URL is not followed), with the failure audited.
#include <memory>
#include <string>

#include "proto/kit/door_call.hpp"
#include "proto/kit/router.hpp"
#include "service/applications/application_catalog.hpp"
#include "service/applications/saml_idp_service.hpp"
#include "service/applications/saml_settings_service.hpp"
#include "service/audit/audited_store.hpp"

namespace atrium::proto::saml {

struct saml_door_settings {
  std::string region = "us-east-1";
  std::string account_id;  // the deployment's account (CloudTrail userIdentity of these events)
  std::size_t max_body_bytes = 256 * 1024;
};

class saml_door final : public door {
 public:
  saml_door(service::saml_idp_service& idp, service::saml_settings_service& settings,
            const service::application_catalog& catalog, service::audited_store& audit, saml_door_settings s);

  response handle(const request& req) override;
  // The server's own 413/431/400 answers as the door's HTML error page.
  response transport_error(const request& partial, response generic) const override;

 private:
  response sign_on(const request& req, const std::string& app_id);
  response metadata(const std::string& app_id);
  response icon(std::string_view rest);

  service::saml_idp_service& idp_;
  service::saml_settings_service& settings_;
  const service::application_catalog& catalog_;
  service::audited_store& audit_;
  saml_door_settings s_;
};

// An HTML page (no script, no style, CSP default-src 'none') with a heading and a paragraph,
// both escaped: what a browser shows when a SAML request is refused.
response html_page(int status, std::string_view title, std::string_view message);

}  // namespace atrium::proto::saml
