#include "app/idp_cli.hpp"

#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "app/runtime.hpp"
#include "app/wire_sso_admin.hpp"
#include "base/json_text.hpp"
#include "crypto/primitives.hpp"
#include "domain/assignment.hpp"
#include "service/audit/event_sources.hpp"
#include "service/sso_admin/account_provisioner.hpp"
#include "service/sso_admin/idp_signing.hpp"

namespace atrium::app {

namespace {

using nlohmann::json;

// CloudTrail eventSource of the events these commands write.

json cert_json(const service::idp_certificate& c) {
  return {{"CertificateId", c.id},       {"Status", c.active ? "ACTIVE" : "PREVIOUS"},
          {"Fingerprint", c.sha256_fingerprint}, {"NotBefore", iso8601(c.not_before, false)},
          {"NotAfter", iso8601(c.not_after, false)}};
}

// The permission set file of `provisioner check`: the role_spec in sso-admin's words.
//   {"Name": "Admin", "RoleName": "...optional...", "Path": "/optional/", "Description": "...",
//    "ManagedPolicies": ["arn:aws:iam::aws:policy/ReadOnlyAccess"],
//    "CustomerManagedPolicyReferences": [{"Name": "p", "Path": "/"}],
//    "InlinePolicy": "{...}" or {...},
//    "PermissionsBoundary": {"ManagedPolicyArn": "..."} or {"CustomerManagedPolicyReference": {...}}}
result<service::role_spec> read_spec(const std::string& file, const std::string& instance_arn,
                                     const domain::role_naming& naming) {
  std::ifstream in(file);
  if (!in) return fail(errc::validation, "cannot read " + file);
  std::stringstream buf;
  buf << in.rdbuf();
  if (buf.str().size() > 1'000'000) return fail(errc::validation, file + " is larger than 1 MB");
  auto j = json::parse(buf.str(), nullptr, false);
  if (!j.is_object()) return fail(errc::validation, file + " is not a JSON object");
  service::role_spec s;
  try {
    std::string name = j.value("Name", std::string("AtriumCheck"));
    // Without a permission set ARN the suffix is made from the name's hash (16 hex); the
    // prefix and path are provisioner.role_name_prefix / role_path unless the file names them.
    s.role_name = j.value("RoleName", naming.prefix + name + "_" + crypto::sha256_hex(name).substr(0, 16));
    s.path = j.value("Path", naming.path);
    s.description = j.value("Description", std::string());
    s.saml_provider_name = domain::saml_provider_name(instance_arn);
    for (const auto& a : j.value("ManagedPolicies", json::array())) s.managed_policy_arns.push_back(a.get<std::string>());
    for (const auto& r : j.value("CustomerManagedPolicyReferences", json::array()))
      s.customer_managed.push_back({r.at("Name").get<std::string>(), r.value("Path", std::string("/"))});
    if (auto p = j.find("InlinePolicy"); p != j.end()) s.inline_policy = p->is_string() ? p->get<std::string>() : p->dump();
    if (auto b = j.find("PermissionsBoundary"); b != j.end()) {
      service::boundary_spec bs;
      if (b->contains("ManagedPolicyArn")) bs.managed_policy_arn = b->at("ManagedPolicyArn").get<std::string>();
      if (auto c = b->find("CustomerManagedPolicyReference"); c != b->end())
        bs.customer_managed = service::customer_policy_ref{c->at("Name").get<std::string>(), c->value("Path", std::string("/"))};
      s.boundary = bs;
    }
  } catch (const json::exception& e) {
    return fail(errc::validation, file + ": " + e.what());
  }
  return s;
}

}  // namespace

idp_commands::idp_commands(CLI::App* admin) {
  idp_ = admin->add_subcommand("idp", "Atrium's SAML IdP: signing certificates and metadata")->require_subcommand(1);
  metadata_ = idp_->add_subcommand("metadata", "Print the SAML 2.0 IdP metadata XML");
  list_ = idp_->add_subcommand("list-certificates", "List the signing certificates (active first)");
  rotate_ = idp_->add_subcommand("rotate-certificate",
                                 "Make a new signing certificate; the old one stays listed until --retire-old");
  rotate_->add_flag("--retire-old", retire_old_, "Remove the previous certificate(s) instead of making a new one");
  add_common(metadata_, common_);
  add_common({list_, rotate_}, common_, json_);

  provisioner_ = admin->add_subcommand("provisioner", "The account provisioner (provisioner.kind)")->require_subcommand(1);
  check_ = provisioner_->add_subcommand(
      "check", "Provision one permission set into one account now (SAML provider + role), or --delete its role");
  add_common(check_, common_);
  check_->add_option("--account", account_, "12-digit account id")->required();
  check_->add_option("--permission-set-json", spec_file_, "Permission set file (see docs/provisioning.md)")->required();
  check_->add_flag("--delete", delete_, "Delete the role instead");
  check_->add_flag("--json", json_, "Print JSON");
  // The console's "Repair" on the IAM identity provider page: puts back the account's SAML
  // provider with the current metadata when someone deleted or changed it.
  repair_ = provisioner_->add_subcommand("repair-identity-provider",
                                         "Restore the account's AWSSSO_..._DO_NOT_DELETE SAML provider");
  add_common(repair_, common_);
  repair_->add_option("--account", account_, "12-digit account id")->required();
  repair_->add_flag("--json", json_, "Print JSON");
}

std::optional<int> idp_commands::run() {
  if (*idp_) return run_idp();
  if (*repair_) return run_repair();
  if (*provisioner_) return run_check();
  return std::nullopt;
}

int idp_commands::run_idp() {
  auto cfg = load_config(common_);
  auto rt = runtime::open(cfg);  // creates the first certificate when there is none
  auto env = cli_env_of(*rt);
  auto& idp = *rt->sso_admin().idp;
  if (*metadata_) {
    std::cout << rt->sso_admin().idp_metadata();
    return 0;
  }
  if (*rotate_) {
    auto ctx = cli_context(env, service::event_sources::sso, retire_old_ ? "RetireIdpCertificates" : "RotateIdpCertificate");
    if (retire_old_) {
      auto n = idp.retire_previous(ctx);
      if (!n) return cli_failed(env, ctx, n.error());
      if (json_) std::cout << json{{"RetiredCertificates", *n}}.dump() << "\n";
      else std::cout << "Retired " << *n << " previous certificate(s).\n";
      return 0;
    }
    auto c = idp.rotate(ctx);
    if (!c) return cli_failed(env, ctx, c.error());
    if (json_) {
      std::cout << cert_json(*c).dump() << "\n";
    } else {
      std::cout << "New active certificate " << c->id << " (SHA-256 " << c->sha256_fingerprint << ", expires "
                << iso8601(c->not_after, false) << ").\nThe metadata now lists both certificates; re-provision "
                << "the accounts, then run `atrium admin idp rotate-certificate --retire-old`.\n";
    }
    return 0;
  }
  auto list = idp.list();
  auto ctx = cli_context(env, service::event_sources::sso, "ListIdpCertificates");
  if (!list) return cli_failed(env, ctx, list.error());
  json arr = json::array();
  for (const auto& c : *list) arr.push_back(cert_json(c));
  if (json_) {
    std::cout << json{{"Certificates", arr}}.dump() << "\n";
  } else {
    for (const auto& c : *list)
      std::cout << c.id << "  " << (c.active ? "ACTIVE  " : "PREVIOUS") << "  expires " << iso8601(c.not_after, false)
                << "  sha256 " << c.sha256_fingerprint << "\n";
  }
  return 0;
}

int idp_commands::run_check() {
  auto cfg = load_config(common_);
  auto rt = runtime::open(cfg);
  auto env = cli_env_of(*rt);
  auto& wing = rt->sso_admin();
  auto ctx = cli_context(env, service::event_sources::sso, delete_ ? "ProvisionerDeleteRole" : "ProvisionerPutRole");
  auto spec = read_spec(spec_file_, env.ids.instance_arn, cfg.provisioner_role_naming);
  if (!spec) return cli_failed(env, ctx, spec.error());
  ctx.request_parameters = to_json_text({{"accountId", account_}, {"roleName", spec->role_name}});
  auto& prov = *wing.provisioner;
  result<void> r;
  if (delete_) {
    r = prov.delete_role(account_, spec->role_name);
  } else {
    r = prov.ensure_identity_provider(account_, spec->saml_provider_name, wing.idp_metadata());
    if (r) r = prov.put_role(account_, *spec);
  }
  if (!r) return cli_failed(env, ctx, r.error());
  json out = {{"Provisioner", prov.kind()},
              {"AccountId", account_},
              {"RoleName", spec->role_name},
              {"SamlProvider", spec->saml_provider_name},
              {"Action", delete_ ? "DeleteRole" : "PutRole"}};
  env.audit.record_success(ctx, to_json_text(out));
  if (json_) std::cout << out.dump() << "\n";
  else std::cout << (delete_ ? "Deleted role " : "Provisioned role ") << spec->role_name << " in account " << account_
                 << " (" << prov.kind() << ").\n";
  return 0;
}

int idp_commands::run_repair() {
  auto cfg = load_config(common_);
  auto rt = runtime::open(cfg);
  auto env = cli_env_of(*rt);
  auto& wing = rt->sso_admin();
  auto ctx = cli_context(env, service::event_sources::sso, "RepairIdentityProvider");
  ctx.request_parameters = to_json_text({{"accountId", account_}});
  if (account_.size() != 12 || account_.find_first_not_of("0123456789") != std::string::npos)
    return cli_failed(env, ctx, error{errc::validation, "--account must be a 12-digit account id.", {}, {}});
  auto name = domain::saml_provider_name(env.ids.instance_arn);
  auto& prov = *wing.provisioner;
  if (auto r = prov.ensure_identity_provider(account_, name, wing.idp_metadata()); !r) return cli_failed(env, ctx, r.error());
  json out = {{"Provisioner", prov.kind()}, {"AccountId", account_}, {"SamlProvider", name}};
  env.audit.record_success(ctx, to_json_text(out));
  if (json_) std::cout << out.dump() << "\n";
  else std::cout << "Identity provider " << name << " in account " << account_ << " is in place (" << prov.kind() << ").\n";
  return 0;
}

}  // namespace atrium::app
