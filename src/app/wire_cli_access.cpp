#include "app/wire_cli_access.hpp"

namespace atrium::app {

namespace {

// Why a deployment cannot hand out role credentials (issue 16 item 4).
std::unique_ptr<service::oidc::role_credentials_source> credentials_source(const config& cfg) {
  if (cfg.provisioner_kind == "record-only")
    return std::make_unique<service::oidc::no_role_credentials>(
        "No role credentials: permission sets are kept as records only (provisioner.kind = record-only), so no "
        "IAM role exists in the account to take credentials from. Set provisioner.kind = aws-iam (docs/cli.md).");
  return std::make_unique<service::oidc::no_role_credentials>(
      "No role credentials: this build has no AWS federation (STS AssumeRoleWithSAML) yet (docs/cli.md).");
}

}  // namespace

std::unique_ptr<cli_access_wing> wire_cli_access(core& c, signin_wing& s) {
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
  w->credentials = credentials_source(c.cfg);
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
      proto::portal::cli_services{*w->devices, *w->requests, *w->accounts, audited, c.cfg.region});
  return w;
}

}  // namespace atrium::app
