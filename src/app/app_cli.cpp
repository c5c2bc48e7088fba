#include "app/app_cli.hpp"

#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "app/runtime.hpp"
#include "app/wire_applications.hpp"
#include "app/wire_sso_admin.hpp"
#include "base/strings.hpp"
#include "base/try.hpp"
#include "domain/application.hpp"
#include "service/audit/event_sources.hpp"

namespace atrium::app {

namespace {

using nlohmann::json;

result<std::string> slurp_file(const std::string& path, std::size_t max_bytes) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return invalid("cannot read " + path);
  std::ostringstream buf;
  buf << in.rdbuf();
  if (buf.str().size() > max_bytes) return invalid(path + " is too large");
  return buf.str();
}

// What one command runs: an operation of a JSON API, in process, as the deployment's root.
struct cli_caller {
  runtime& rt;
  cli_env env;

  result<json> call(proto::aws::json_api& api, const std::string& op, const json& req) {
    auto ctx = cli_context(env, api.event_source(), op);
    auto out = api.call(op, req, ctx);
    if (!out) {
      cli_failed(env, ctx, out.error(), api.map_error(out.error()).type);
      return std::unexpected(out.error());
    }
    return out;
  }
  result<json> sso(const std::string& op, const json& req) { return call(*rt.sso_admin().api, op, req); }
  result<json> console(const std::string& op, const json& req) { return call(*rt.applications().console_api, op, req); }
  std::string arn_of(const std::string& app) const {
    if (app.starts_with("arn:")) return app;
    return domain::application_arn(rt.ids().account_id, rt.ids().instance_id, app);
  }
};

int print_answer(const result<json>& r) {
  if (!r) return 1;  // cli_failed reported it
  std::cout << r->dump(2) << "\n";
  return 0;
}

// --mapping 'Name=Value;format' (the format after the last ';', unspecified when absent).
result<json> mapping_rows(const std::vector<std::string>& specs) {
  json rows = json::array();
  for (const auto& s : specs) {
    auto eq = s.find('=');
    if (eq == std::string::npos || eq == 0) return invalid("--mapping is Name=Value[;format]: " + s);
    std::string value = s.substr(eq + 1), format = "unspecified";
    if (auto semi = value.rfind(';'); semi != std::string::npos) {
      format = value.substr(semi + 1);
      value.resize(semi);
    }
    rows.push_back({{"Name", s.substr(0, eq)}, {"Value", value}, {"Format", format}});
  }
  return rows;
}

result<std::optional<std::string>> group_id_of(store::database& db, const std::string& key) {
  std::optional<std::string> found;
  auto r = db.read([&](store::transaction& tx) -> result<void> {
    auto byid = tx.groups().get(key);
    if (!byid) return std::unexpected(byid.error());
    if (*byid) {
      found = (*byid)->id;
      return {};
    }
    store::group_filter f;
    f.display_name_key = domain::fold_key(key);
    auto page = tx.groups().list(f, {"", 1, 0});
    if (!page) return std::unexpected(page.error());
    if (!page->items.empty()) found = page->items[0].id;
    return {};
  });
  if (!r) return std::unexpected(r.error());
  return found;
}

}  // namespace

app_commands::app_commands(CLI::App* admin) {
  root_ = admin->add_subcommand("app", "SAML applications: catalog, settings, certificates, assignments")->require_subcommand(1);
  auto with_app = [&](const char* name, const char* help) {
    auto* c = root_->add_subcommand(name, help);
    add_common(c, common_);
    c->add_option("app", app_, "Application id (apl-...) or ARN")->required();
    return c;
  };
  add_common(root_->add_subcommand("providers", "List the catalog's applications and the custom SAML 2.0 provider"), common_);
  auto* tmpl = root_->add_subcommand("template", "Show a catalog entry: fields, defaults, setup note");
  add_common(tmpl, common_);
  tmpl->add_option("id", template_id_, "Catalog id (e.g. slack)")->required();
  auto* create = root_->add_subcommand("create", "Add an application from the catalog or a custom SAML 2.0 application");
  add_common(create, common_);
  create->add_option("--provider", provider_, "A catalog id (atrium admin app providers) or 'custom'")->required();
  create->add_option("--name", name_, "Display name")->required();
  create->add_option("--description", description_, "Description");
  add_settings(create);
  add_common(root_->add_subcommand("list", "List the applications"), common_);
  with_app("describe", "Every setting of an application, its certificates and IdP metadata");
  with_app("delete", "Remove an application (its assignments and certificates go with it)");
  with_app("enable", "Let users sign in to the application again");
  with_app("disable", "Stop sign-ins to the application");
  add_settings(with_app("set-sp", "Service provider: metadata file, or entity ID and ACS URLs, or catalog fields"));
  add_settings(with_app("set-response", "Session duration, relay state, start URL, signing, NameID format"));
  auto* maps = with_app("set-mappings", "Replace the attribute mappings");
  maps->add_option("--mapping", mappings_, "Name=Value[;format] (repeatable; Subject sets the NameID)");
  maps->add_option("--mappings-file", mappings_file_, "JSON list of {Name, Value, Format}");
  for (const char* n : {"assign", "unassign"}) {
    auto* c = with_app(n, n[0] == 'a' ? "Assign a user or group" : "Remove a user's or group's assignment");
    c->add_option("--user", user_, "User id or user name");
    c->add_option("--group", group_, "Group id or display name");
  }
  with_app("assignments", "List the users and groups assigned");
  with_app("metadata", "Print the application's SAML IdP metadata XML");
  with_app("certificates", "List the signing certificates with their expiry");
  auto* cc = with_app("certificate-create", "Generate a new (inactive) signing certificate");
  cc->add_option("--key-size", key_size_, "2048, 3072 (default) or 4096");
  cc->add_option("--validity-months", validity_months_, "1-120 (default 60)");
  for (const char* n : {"certificate-activate", "certificate-delete"})
    with_app(n, n[12] == 'a' ? "Make a certificate the one that signs" : "Delete an inactive certificate")
        ->add_option("certificate", cert_, "Certificate id (appcert-...)")
        ->required();
}

void app_commands::add_settings(CLI::App* cmd) {
  auto& s = settings_;
  cmd->add_option("--metadata-file", s.metadata_file, "The service provider's SAML metadata XML");
  cmd->add_option("--entity-id", s.entity_id, "The SP entity ID (Application SAML audience)");
  cmd->add_option("--acs-url", s.acs_urls, "An ACS URL (repeatable; the first is the default)");
  cmd->add_option("--sp-certificate-file", s.sp_certificate_files, "PEM certificate the SP signs AuthnRequests with");
  cmd->add_option("--field", s.fields, "A catalog field, name=value (repeatable)");
  cmd->add_option("--session-minutes", s.session_minutes, "Session duration, 15-720 minutes");
  cmd->add_option("--relay-state", s.relay_state, "Relay state sent with IdP-initiated sign-ins (at most 80 bytes)");
  cmd->add_flag("--clear-relay-state", s.clear_relay_state, "Send no relay state");
  cmd->add_option("--start-url", s.start_url, "Application start URL (the tile starts an SP-initiated sign-in)");
  cmd->add_flag("--clear-start-url", s.clear_start_url, "The tile signs in IdP-initiated");
  cmd->add_option("--sign", s.sign, "What is signed: assertion, response or both");
  cmd->add_option("--name-id-format", s.name_id_format, "unspecified, emailAddress, persistent or transient");
}

std::optional<int> app_commands::run() {
  if (!*root_) return std::nullopt;
  auto* sub = root_->get_subcommands().front();
  const std::string cmd = sub->get_name();
  auto cfg = load_config(common_);
  auto rt = runtime::open(cfg);
  cli_caller c{*rt, cli_env_of(*rt)};
  const std::string arn = app_.empty() ? std::string() : c.arn_of(app_);
  const auto& s = settings_;

  // The SAML settings a command carries: service provider, then response (create, set-sp, set-response).
  auto apply_settings = [&](const std::string& app_arn) -> result<void> {
    if (!s.metadata_file.empty()) {
      auto md = slurp_file(s.metadata_file, 256 * 1024);
      if (!md) return std::unexpected(md.error());
      TRY_VOID(c.console("ImportApplicationInstanceServiceProvider", {{"ApplicationArn", app_arn}, {"Metadata", *md}}));
    }
    json sp = json::object();
    if (!s.entity_id.empty()) sp["EntityId"] = s.entity_id;
    if (!s.acs_urls.empty()) sp["AcsUrls"] = s.acs_urls;
    if (!s.sp_certificate_files.empty()) {
      json pems = json::array();
      for (const auto& f : s.sp_certificate_files) {
        auto pem = slurp_file(f, 16 * 1024);
        if (!pem) return std::unexpected(pem.error());
        pems.push_back(*pem);
      }
      sp["SigningCertificates"] = pems;
    }
    if (!s.fields.empty()) {
      json fields = json::object();
      for (const auto& f : s.fields) {
        auto eq = f.find('=');
        if (eq == std::string::npos) return invalid("--field is name=value: " + f);
        fields[f.substr(0, eq)] = f.substr(eq + 1);
      }
      sp["TemplateFields"] = fields;
    }
    if (!sp.empty())
      TRY_VOID(c.console("UpdateApplicationInstanceServiceProviderConfiguration", {{"ApplicationArn", app_arn}, {"ServiceProviderConfig", sp}}));
    json r = json::object();
    if (s.session_minutes) r["SessionDuration"] = s.session_minutes * 60;
    if (!s.relay_state.empty() || s.clear_relay_state) r["RelayState"] = s.relay_state;
    if (!s.start_url.empty() || s.clear_start_url) r["StartUrl"] = s.start_url;
    if (!s.sign.empty()) r["Sign"] = s.sign;
    if (!s.name_id_format.empty()) r["NameIdFormat"] = s.name_id_format;
    if (!r.empty())
      TRY_VOID(c.console("UpdateApplicationInstanceResponseConfiguration", {{"ApplicationArn", app_arn}, {"ResponseConfig", r}}));
    return {};
  };
  auto describe = [&](const std::string& app_arn) { return print_answer(c.console("GetApplicationInstance", {{"ApplicationArn", app_arn}})); };
  auto fail_local = [&](const error& e) {
    std::cerr << "error: " << e.message << "\n";
    return 1;
  };

  if (cmd == "providers") return print_answer(c.sso("ListApplicationProviders", {{"MaxResults", 100}}));
  if (cmd == "template") return print_answer(c.console("GetApplicationTemplate", {{"TemplateId", template_id_}}));
  if (cmd == "list") return print_answer(c.sso("ListApplications", {{"InstanceArn", rt->ids().instance_arn}, {"MaxResults", 100}}));
  if (cmd == "create") {
    json req = {{"InstanceArn", rt->ids().instance_arn}, {"Name", name_},
                {"ApplicationProviderArn", provider_ == "custom" ? std::string(domain::custom_saml_provider_arn)
                                                                 : domain::catalog_provider_arn(provider_)}};
    if (!description_.empty()) req["Description"] = description_;
    auto made = c.sso("CreateApplication", req);
    if (!made) return 1;
    auto app_arn = (*made)["ApplicationArn"].get<std::string>();
    if (auto r = apply_settings(app_arn); !r) return r.error().code == errc::validation && r.error().message.starts_with("--") ? fail_local(r.error()) : 1;
    return describe(app_arn);
  }
  if (cmd == "describe") return describe(arn);
  if (cmd == "delete") return print_answer(c.sso("DeleteApplication", {{"ApplicationArn", arn}}));
  if (cmd == "enable" || cmd == "disable")
    return print_answer(c.sso("UpdateApplication", {{"ApplicationArn", arn}, {"Status", cmd == "enable" ? "ENABLED" : "DISABLED"}}));
  if (cmd == "set-sp" || cmd == "set-response") {
    if (auto r = apply_settings(arn); !r) return 1;
    return describe(arn);
  }
  if (cmd == "set-mappings") {
    json rows;
    if (!mappings_file_.empty()) {
      auto text = slurp_file(mappings_file_, 256 * 1024);
      if (!text) return fail_local(text.error());
      rows = json::parse(*text, nullptr, false);
      if (!rows.is_array()) return fail_local(error{errc::validation, mappings_file_ + " is not a JSON list", {}, {}});
    } else {
      auto r = mapping_rows(mappings_);
      if (!r) return fail_local(r.error());
      rows = *r;
    }
    return print_answer(c.console("UpdateApplicationInstanceResponseSchemaConfiguration",
                           {{"ApplicationArn", arn}, {"ResponseSchemaConfig", {{"AttributeMappings", rows}}}}));
  }
  if (cmd == "assign" || cmd == "unassign") {
    if (user_.empty() == group_.empty()) return fail_local(error{errc::validation, "give --user or --group", {}, {}});
    std::string principal, type = user_.empty() ? "GROUP" : "USER";
    if (!user_.empty()) {
      auto u = find_cli_user(*rt->base().db, user_);
      if (!u) return fail_local(u.error());
      principal = u->id;
    } else {
      auto g = group_id_of(*rt->base().db, group_);
      if (!g) return fail_local(g.error());
      if (!*g) return fail_local(error{errc::not_found, "no group " + group_, {}, {}});
      principal = **g;
    }
    return print_answer(c.sso(cmd == "assign" ? "CreateApplicationAssignment" : "DeleteApplicationAssignment",
                       {{"ApplicationArn", arn}, {"PrincipalId", principal}, {"PrincipalType", type}}));
  }
  if (cmd == "assignments") return print_answer(c.sso("ListApplicationAssignments", {{"ApplicationArn", arn}, {"MaxResults", 100}}));
  if (cmd == "metadata") {
    auto r = c.console("GetApplicationInstance", {{"ApplicationArn", arn}});
    if (!r) return 1;
    std::cout << (*r)["ApplicationInstance"]["IdentityProvider"]["Metadata"].get<std::string>();
    return 0;
  }
  if (cmd == "certificates") return print_answer(c.console("ListApplicationInstanceCertificates", {{"ApplicationArn", arn}}));
  if (cmd == "certificate-create") {
    json req = {{"ApplicationArn", arn}};
    if (key_size_) req["KeySize"] = key_size_;
    if (validity_months_) req["ValidityMonths"] = validity_months_;
    return print_answer(c.console("CreateApplicationInstanceCertificate", req));
  }
  if (cmd == "certificate-activate")
    return print_answer(c.console("UpdateApplicationInstanceActiveCertificate", {{"ApplicationArn", arn}, {"CertificateId", cert_}}));
  if (cmd == "certificate-delete")
    return print_answer(c.console("DeleteApplicationInstanceCertificate", {{"ApplicationArn", arn}, {"CertificateId", cert_}}));
  return 2;
}

}  // namespace atrium::app
