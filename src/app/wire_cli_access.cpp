#include "app/wire_cli_access.hpp"

#include "base/try.hpp"

namespace atrium::app {

namespace {

// GetRoleCredentials through the AWS federation (service/federation: an assertion signed with
// the IdP's active key, STS AssumeRoleWithSAML, the permission set's session duration, ABAC
// attributes as PrincipalTag, the user name as session name), which audits the success itself
// (ARCHITECTURE.md "Calling role_credentials from another door").
class federation_credentials final : public service::oidc::role_credentials_source {
 public:
  explicit federation_credentials(service::aws_federation& f) : federation_(f) {}
  result<service::oidc::role_credentials> get(const service::call_context& ctx, const std::string& user_id,
                                              const std::string& account_id, const std::string& role_name) override {
    auto event = federation_.event_context(ctx, service::aws_federation::credentials_event, user_id, account_id, role_name);
    TRY(c, federation_.role_credentials(event, user_id, account_id, role_name));
    return service::oidc::role_credentials{c.access_key_id, c.secret_access_key, c.session_token, c.expiration};
  }

 private:
  service::aws_federation& federation_;
};

}  // namespace

std::unique_ptr<cli_access_wing> wire_cli_access(core& c, signin_wing& s, service::aws_federation& federation) {
  auto w = std::make_unique<cli_access_wing>();
  auto& audited = *c.audited;
  w->attempts = std::make_unique<service::oidc::code_attempts>(*c.db, c.clk);
  w->clients = std::make_unique<service::oidc::client_registry>(audited, c.clk, c.rnd);
  w->devices = std::make_unique<service::oidc::device_authorizations>(audited, *w->clients, *w->attempts, c.clk, c.rnd,
                                                                      s.portal_url);
  w->requests = std::make_unique<service::oidc::authorization_requests>(audited, c.clk, c.rnd);
  w->tokens = std::make_unique<service::oidc::token_service>(audited, *w->clients, c.clk, c.rnd,
                                                             service::oidc::token_settings{c.ids.account_id});
  w->assigned = std::make_unique<service::portal_accounts>(*c.db);
  w->credentials = std::make_unique<federation_credentials>(federation);
  w->accounts = std::make_unique<service::oidc::account_access>(audited, *w->assigned, *w->credentials);
  proto::oidc::oidc_settings os;
  os.region = c.cfg.region;
  os.account_id = c.ids.account_id;
  os.portal_url = s.portal_url;
  w->oidc = std::make_unique<proto::oidc::oidc_door>(
      proto::oidc::oidc_services{*w->clients, *w->devices, *w->requests, *w->tokens, *c.throttle, audited}, os);
  w->sso = std::make_unique<proto::sso::sso_door>(proto::sso::sso_services{*w->tokens, *w->accounts, *c.throttle, audited},
                                                  proto::sso::sso_settings{c.cfg.region, c.ids.account_id});
  w->oidc->add_routes(c.routes);
  w->sso->add_routes(c.routes);
  w->portal = std::make_unique<proto::portal::cli_services>(
      proto::portal::cli_services{*w->devices, *w->requests, c.cfg.region});
  return w;
}

}  // namespace atrium::app
