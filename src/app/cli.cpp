#include "app/cli.hpp"

#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "app/app_cli.hpp"
#include "app/cli_common.hpp"
#include "app/cli_config_cli.hpp"
#include "app/console_cli.hpp"
#include "app/config.hpp"
#include "app/idp_cli.hpp"
#include "app/idsource_cli.hpp"
#include "app/mfa_cli.hpp"
#include "app/portal_session_cli.hpp"
#include "app/policy_cli.hpp"
#include "app/org_cli.hpp"
#include "app/scim_cli.hpp"
#include "app/store_ops_cli.hpp"
#include "app/user_cli.hpp"
#include "app/logging.hpp"
#include "app/runtime.hpp"

namespace atrium::app {

namespace {

void print_bootstrap(const config& c, const deployment_ids& ids, uint16_t port,
                     const std::optional<service::new_access_key>& key, const std::optional<std::string>& console_otp) {
  std::string scheme = c.server.tls ? "https" : "http";
  std::string url = scheme + "://127.0.0.1:" + std::to_string(port);
  std::cout << "Atrium is listening on " << url << "\n"
            << "  identity store id: " << ids.identity_store_id << "\n"
            << "  account id:        " << ids.account_id << "\n";
  if (key) {
    std::cout << "\nAdmin access key (shown once; create more with `atrium admin create-access-key`):\n"
              << "  export AWS_ACCESS_KEY_ID=" << key->access_key_id << "\n"
              << "  export AWS_SECRET_ACCESS_KEY=" << key->secret_access_key << "\n"
              << "\nTry:\n  /usr/bin/aws identitystore list-users --identity-store-id "
              << ids.identity_store_id << " --endpoint-url " << url << " --region " << c.region
              << (c.server.tls ? " --no-verify-ssl" : "") << "\n";
  }
  if (console_otp) {
    std::cout << "\nAdmin console: " << url << "/portal/console/\n"
              << "  user name:          " << c.console_bootstrap_admin << "\n"
              << "  one-time password:  " << *console_otp << "  (shown once; changed at the first sign-in)\n";
  }
  std::cout << std::flush;
}

int serve(const common_options& o) {
  auto c = load_config(o);
  setup_logging(c.log_level);
  auto rt = runtime::open(c);
  // First start: no admin key yet, so make one and print it once (the admin bootstrap).
  std::optional<service::new_access_key> key;
  bool any_key = false;
  auto r = rt->base().db->read([&](store::transaction& tx) -> result<void> {
    auto keys = tx.access_keys().list();
    if (!keys) return std::unexpected(keys.error());
    any_key = !keys->empty();
    return {};
  });
  if (!r) throw std::runtime_error(r.error().message);
  if (!any_key) {
    auto k = rt->base().auth->create_access_key("admin", false);
    if (!k) throw std::runtime_error(k.error().message);
    key = *k;
  }
  // The console's first administrator (docs/admin-console.md "Who gets in"), with the first key.
  std::optional<std::string> console_otp;
  if (!any_key && !c.console_bootstrap_admin.empty()) {
    auto otp = bootstrap_console_admin(*rt, c.console_bootstrap_admin);
    if (!otp) throw std::runtime_error(otp.error().message);
    console_otp = *otp;
  }
  return rt->serve([&](uint16_t port) {
    print_bootstrap(c, rt->ids(), port, key, console_otp);
    if (!c.port_file.empty()) {
      auto tmp = c.port_file;
      tmp += ".tmp";
      std::ofstream(tmp) << port << "\n";
      std::filesystem::rename(tmp, c.port_file);
    }
    spdlog::info(R"("msg":"listening","port":{})", port);
  });
}

int create_access_key(const common_options& o, const std::string& user, bool read_only, bool as_json,
                      const std::vector<std::string>& policies, const std::vector<std::string>& policy_files) {
  auto specs = policy_specs(policies, policy_files);
  if (!specs) {
    std::cerr << "error: " << specs.error().message << "\n";
    return 1;
  }
  auto c = load_config(o);
  auto rt = runtime::open(c);
  auto k = rt->base().auth->create_access_key(user, read_only, *specs);
  if (!k) {
    std::cerr << "error: " << k.error().message << "\n";
    return 1;
  }
  if (as_json) {
    std::cout << nlohmann::json{{"AccessKeyId", k->access_key_id},
                                {"SecretAccessKey", k->secret_access_key},
                                {"UserName", user},
                                {"ReadOnly", read_only},
                                {"Policies", policies.size() + policy_files.size()},
                                {"IdentityStoreId", rt->ids().identity_store_id},
                                {"InstanceArn", rt->ids().instance_arn},
                                {"AccountId", rt->ids().account_id}}
                     .dump()
              << "\n";
  } else {
    std::cout << "AccessKeyId:     " << k->access_key_id << "\nSecretAccessKey: "
              << k->secret_access_key << "\n(The secret is shown only now.)\n";
  }
  return 0;
}

std::optional<sys_time> parse_time(const std::string& s) {
  if (s.empty()) return std::nullopt;
  std::tm tm{};
  const char* end = strptime(s.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
  if (!end) end = strptime(s.c_str(), "%Y-%m-%d", &tm);
  if (!end) throw std::runtime_error("times are ISO-8601, e.g. 2026-11-23T10:00:00Z: '" + s + "'");
  return from_epoch_millis(static_cast<int64_t>(timegm(&tm)) * 1000);
}

int audit(const common_options& o, const std::string& event, const std::string& principal,
          const std::string& since, const std::string& until, int limit) {
  auto c = load_config(o);
  auto rt = runtime::open(c);
  store::audit_query q;
  if (!event.empty()) q.event_name = event;
  if (!principal.empty()) q.principal = principal;
  q.since = parse_time(since);
  q.until = parse_time(until);
  q.limit = limit;
  std::vector<store::audit_record> out;
  auto r = rt->base().db->read([&](store::transaction& tx) -> result<void> {
    auto recs = tx.audit().query(q);
    if (!recs) return std::unexpected(recs.error());
    out = std::move(*recs);
    return {};
  });
  if (!r) {
    std::cerr << "error: " << r.error().message << "\n";
    return 1;
  }
  for (const auto& rec : out) std::cout << rec.json << "\n";
  return 0;
}

}  // namespace

int run_cli(int argc, char** argv) {
  CLI::App app{"Atrium: a self-hosted identity center"};
  app.require_subcommand(1);
  common_options serve_o, key_o, audit_o;

  auto* serve_cmd = app.add_subcommand("serve", "Run the server");
  add_common(serve_cmd, serve_o);

  auto* admin = app.add_subcommand("admin", "Administration")->require_subcommand(1);
  auto* key_cmd = admin->add_subcommand("create-access-key", "Create an admin access key (printed once)");
  add_common(key_cmd, key_o);
  std::string key_user = "admin";
  bool read_only = false, as_json = false;
  key_cmd->add_option("--user-name", key_user, "Name of the key's IAM-style user");
  key_cmd->add_flag("--read-only", read_only, "Allow only read operations");
  key_cmd->add_flag("--json", as_json, "Print JSON");
  std::vector<std::string> key_policies, key_policy_files;
  key_cmd->add_option("--policy", key_policies, "Attach a built-in policy (repeatable; default AdministratorAccess)");
  key_cmd->add_option("--policy-file", key_policy_files, "Attach an IAM policy document from a JSON file (repeatable)");
  key_policy_commands key_policy_cmds(admin);
  console_access_commands console_access_cmds(admin);

  scim_commands scim(admin);
  org_commands org(admin);
  idp_commands idp(admin);
  idsource_commands idsource(admin);
  user_commands users(admin);
  mfa_commands mfa(admin);
  portal_session_command portal_session(admin);
  cli_config_command cli_config(admin);
  app_commands apps(admin);
  store_ops_commands store_ops(&app, admin);

  auto* audit_cmd = app.add_subcommand("audit", "Query audit events (CloudTrail JSON, newest first)");
  add_common(audit_cmd, audit_o);
  std::string event, principal, since, until;
  int limit = 1000;
  audit_cmd->add_option("--event-name", event, "e.g. CreateUser");
  audit_cmd->add_option("--principal", principal, "userIdentity ARN or access key id");
  audit_cmd->add_option("--since", since, "ISO-8601 start (inclusive)");
  audit_cmd->add_option("--until", until, "ISO-8601 end (inclusive)");
  audit_cmd->add_option("--limit", limit, "Maximum records")->check(CLI::Range(1, 1000000));

  app.add_subcommand("version", "Print the version")->callback([] { std::cout << "atrium 0.1.0\n"; });

  CLI11_PARSE(app, argc, argv);
  try {
    if (*serve_cmd) return serve(serve_o);
    if (*key_cmd) return create_access_key(key_o, key_user, read_only, as_json, key_policies, key_policy_files);
    if (auto code = key_policy_cmds.run()) return *code;
    if (auto code = console_access_cmds.run()) return *code;
    if (*audit_cmd) return audit(audit_o, event, principal, since, until, limit);
    if (auto code = scim.run()) return *code;
    if (auto code = org.run()) return *code;
    if (auto code = idp.run()) return *code;
    if (auto code = idsource.run()) return *code;
    if (auto code = users.run()) return *code;
    if (auto code = mfa.run()) return *code;
    if (auto code = portal_session.run()) return *code;
    if (auto code = cli_config.run()) return *code;
    if (auto code = apps.run()) return *code;
    if (auto code = store_ops.run()) return *code;
  } catch (const std::exception& e) {
    std::cerr << "atrium: " << e.what() << "\n";
    return 2;
  }
  return 0;
}

}  // namespace atrium::app
