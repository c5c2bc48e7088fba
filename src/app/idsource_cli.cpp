#include "app/idsource_cli.hpp"

#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "app/runtime.hpp"
#include "app/wire_idsource.hpp"
#include "base/json_text.hpp"
#include "proto/aws/identity_source_api.hpp"
#include "service/audit/event_sources.hpp"

namespace atrium::app {

namespace {

using nlohmann::json;

result<std::string> read_small_file(const std::string& file, std::size_t max) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return fail(errc::validation, "cannot read " + file);
  std::stringstream buf;
  buf << in.rdbuf();
  if (buf.str().size() > max) return fail(errc::validation, file + " is too large");
  return buf.str();
}

json switch_json(const service::switch_outcome& o) {
  return {{"IdentitySource", o.identity_source},
          {"Kept", {{"Users", o.users}, {"Groups", o.groups}, {"UsersWithPassword", o.users_with_password}}},
          {"DisabledIdPs", o.disabled_idps}};
}

void print_switch(const service::switch_outcome& o) {
  std::cout << "The identity source is now " << o.identity_source << ".\n"
            << "Kept: " << o.users << " users, " << o.groups << " groups and every assignment.\n";
  if (o.identity_source == "EXTERNAL_IDP")
    std::cout << "Users sign in through the identity provider; a user whose userName it does not send as NameID "
                 "cannot sign in. Passwords (" << o.users_with_password << ") are kept for a switch back.\n";
  else
    std::cout << o.users_with_password << " users have a password and sign in with it again; the others need "
              << "`atrium admin user reset-password`.\n";
  for (const auto& id : o.disabled_idps) std::cout << "Disabled " << id << ".\n";
}

}  // namespace

idsource_commands::idsource_commands(CLI::App* admin) {
  group_ = admin->add_subcommand("identity-source", "The identity source: built-in store or external SAML IdP")
               ->require_subcommand(1);
  show_ = group_->add_subcommand("show", "Show the identity source, the SP's values and the IdPs");
  sp_metadata_ = group_->add_subcommand("sp-metadata", "Print Atrium's SP metadata XML (upload it to the IdP)");
  create_ = group_->add_subcommand("create", "Add an external IdP's configuration (metadata or values)");
  update_ = group_->add_subcommand("update", "Change an IdP's configuration (e.g. a second certificate: rotation)");
  enable_ = group_->add_subcommand("enable", "Make the IdP the identity source (type --confirm ACCEPT)");
  disable_ = group_->add_subcommand("disable", "Back to the built-in store (type --confirm ACCEPT)");
  delete_ = group_->add_subcommand("delete", "Delete a disabled IdP's configuration");
  settings_ = group_->add_subcommand("settings", "Identity source settings (beyond the service)");
  delete_config_ = admin->add_subcommand(
      "delete-configuration", "Delete permission sets, applications, assignments, users, groups and IdPs");
  add_common({show_, create_, update_, enable_, disable_, delete_, settings_, delete_config_}, common_, json_);
  add_common(sp_metadata_, common_);
  for (auto* c : {create_, update_}) {
    c->add_option("--metadata", metadata_file_, "The IdP's SAML metadata file");
    c->add_option("--entity-id", entity_id_, "The IdP's issuer (entity ID)");
    c->add_option("--sso-url", sso_url_, "The IdP's sign-in URL (HTTP-Redirect)");
    c->add_option("--certificate", certificate_files_, "A PEM certificate file (repeatable: two during a rotation)");
    c->add_option("--domain", domains_, "An e-mail domain of the IdP's users (repeatable)");
    c->add_flag("--sign-authn-requests", sign_flag_, "Sign AuthnRequests");
    c->add_flag("--no-sign-authn-requests", no_sign_flag_, "Do not sign AuthnRequests");
    c->add_flag("--allow-idp-initiated", unsolicited_flag_, "Accept IdP-initiated (unsolicited) responses");
    c->add_flag("--no-allow-idp-initiated", no_unsolicited_flag_, "Refuse IdP-initiated responses");
  }
  for (auto* c : {update_, enable_, delete_}) c->add_option("--idp", idp_, "The IdP id (idp-...)")->required();
  for (auto* c : {enable_, disable_}) c->add_option("--confirm", confirm_, "Type ACCEPT")->required();
  settings_->add_option("--multiple-idps", multiple_, "true or false")->required()->check(CLI::IsMember({"true", "false"}));
  delete_config_->add_option("--confirm", confirm_, "Type the identity store id (d-...)")->required();
}

std::optional<int> idsource_commands::run() {
  if (*group_) return run_identity_source();
  if (*delete_config_) return run_delete_configuration();
  return std::nullopt;
}

int idsource_commands::run_identity_source() {
  auto cfg = load_config(common_);
  auto rt = runtime::open(cfg);
  auto env = cli_env_of(*rt);
  auto& svc = *rt->idsource().service;
  auto context = [&](const char* event) { return cli_context(env, service::event_sources::sso_directory, event); };
  if (*sp_metadata_) {
    auto sp = svc.service_provider();
    if (!sp) return cli_failed(env, context("DescribeIdentitySource"), sp.error());
    std::cout << sp->metadata;
    return 0;
  }
  if (*show_) {
    auto ctx = context("DescribeIdentitySource");
    ctx.read_only = true;
    auto v = svc.describe(ctx);
    if (!v) return cli_failed(env, ctx, v.error());
    json idps = json::array();
    for (const auto& r : v->idps) idps.push_back(proto::aws::external_idp_json(r));
    json out = {{"IdentitySource", v->state.external ? "EXTERNAL_IDP" : "BUILT_IN"},
                {"MultipleIdPs", v->state.multiple_idps},
                {"IdentityStoreId", svc.identity_store_id()},
                {"ServiceProvider", {{"EntityId", v->sp.entity_id}, {"AcsUrl", v->sp.acs_url}, {"MetadataUrl", v->sp.metadata_url}}},
                {"ExternalIdPs", idps}};
    // The SCIM tokens' rule: a warning from 90 days before a certificate expires.
    json warnings = json::array();
    auto now = rt->base().clk.now();
    for (const auto& r : v->idps)
      for (const auto& c : service::certificate_views(r)) {
        if (c.not_after - now > std::chrono::days(90)) continue;
        warnings.push_back(r.id + ": certificate " + c.id + " (" + c.subject + ") " +
                           (c.not_after <= now ? "expired on " : "expires on ") + iso8601(c.not_after, false) +
                           ": add the IdP's next certificate (update --certificate old --certificate new), then "
                           "remove the old one");
      }
    out["Warnings"] = warnings;
    std::cout << (json_ ? out.dump() : out.dump(2)) << "\n";
    return 0;
  }
  if (*create_ || *update_) {
    auto ctx = context(*create_ ? "CreateExternalIdPConfigurationForDirectory" : "UpdateExternalIdPConfigurationForDirectory");
    service::idp_input in;
    if (!metadata_file_.empty()) {
      auto md = read_small_file(metadata_file_, service::idp_limits::max_metadata_bytes);
      if (!md) return cli_failed(env, ctx, md.error());
      in.metadata = *md;
    }
    if (!entity_id_.empty()) in.entity_id = entity_id_;
    if (!sso_url_.empty()) in.sso_url = sso_url_;
    if (!certificate_files_.empty()) {
      std::vector<std::string> pems;
      for (const auto& f : certificate_files_) {
        auto pem = read_small_file(f, service::idp_limits::max_certificate_bytes);
        if (!pem) return cli_failed(env, ctx, pem.error());
        pems.push_back(*pem);
      }
      in.certificates = pems;
    }
    if (!domains_.empty()) in.domains = domains_;
    if (sign_flag_ || no_sign_flag_) in.sign_authn_requests = sign_flag_;
    if (unsolicited_flag_ || no_unsolicited_flag_) in.allow_idp_initiated = unsolicited_flag_;
    ctx.request_parameters = to_json_text({{"IdpId", idp_}, {"EntityId", entity_id_}, {"SsoUrl", sso_url_}, {"Domains", domains_}});
    if (*create_) {
      auto id = svc.create_idp(ctx, in);
      if (!id) return cli_failed(env, ctx, id.error());
      if (json_) std::cout << json{{"IdpId", *id}}.dump() << "\n";
      else std::cout << "Created " << *id << ". Enable it with `atrium admin identity-source enable --idp " << *id
                     << " --confirm ACCEPT`.\n";
      return 0;
    }
    auto r = svc.update_idp(ctx, idp_, in);
    if (!r) return cli_failed(env, ctx, r.error());
    std::cout << (json_ ? json{{"ExternalIdP", proto::aws::external_idp_json(*r)}}.dump()
                        : proto::aws::external_idp_json(*r).dump(2))
              << "\n";
    return 0;
  }
  if (*enable_ || *disable_) {
    auto ctx = context(*enable_ ? "EnableExternalIdPConfigurationForDirectory" : "DisableExternalIdPConfigurationForDirectory");
    if (*enable_) ctx.request_parameters = to_json_text({{"IdpId", idp_}});
    auto o = *enable_ ? svc.enable_idp(ctx, idp_, confirm_) : svc.disable_external(ctx, confirm_);
    if (!o) return cli_failed(env, ctx, o.error());
    if (json_) std::cout << switch_json(*o).dump() << "\n";
    else print_switch(*o);
    return 0;
  }
  if (*delete_) {
    auto ctx = context("DeleteExternalIdPConfigurationForDirectory");
    ctx.request_parameters = to_json_text({{"IdpId", idp_}});
    auto r = svc.delete_idp(ctx, idp_);
    if (!r) return cli_failed(env, ctx, r.error());
    if (json_) std::cout << "{}\n";
    else std::cout << "Deleted " << idp_ << ".\n";
    return 0;
  }
  auto ctx = context("UpdateIdentitySourceSettings");
  ctx.request_parameters = to_json_text({{"MultipleIdPs", multiple_ == "true"}});
  auto st = svc.update_settings(ctx, multiple_ == "true");
  if (!st) return cli_failed(env, ctx, st.error());
  std::cout << json{{"MultipleIdPs", st->multiple_idps}}.dump() << "\n";
  return 0;
}

int idsource_commands::run_delete_configuration() {
  auto cfg = load_config(common_);
  auto rt = runtime::open(cfg);
  auto env = cli_env_of(*rt);
  auto ctx = cli_context(env, service::event_sources::sso, "DeleteConfiguration");
  auto n = rt->idsource().service->delete_configuration(ctx, confirm_);
  if (!n) return cli_failed(env, ctx, n.error());
  rt->idsource().keys->forget();
  json out = {{"Deleted", {{"PermissionSets", n->permission_sets}, {"Applications", n->applications},
                           {"AccountAssignments", n->account_assignments}, {"Users", n->users},
                           {"Groups", n->groups}, {"ExternalIdPs", n->external_idps}}}};
  std::cout << (json_ ? out.dump() : out.dump(2)) << "\n";
  return 0;
}

}  // namespace atrium::app
