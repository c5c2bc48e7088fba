#include "app/cli_common.hpp"

#include <iostream>
#include <optional>
#include <stdexcept>

#include "app/runtime.hpp"
#include "proto/aws/wire.hpp"
#include "store/repositories.hpp"

namespace atrium::app {

void add_common(CLI::App* cmd, common_options& o) {
  cmd->add_option("--config", o.config_file, "JSON configuration file")->envname("ATRIUM_CONFIG");
  cmd->add_option("--data-dir", o.data_dir, "Data directory (store, keys, TLS, audit)");
  cmd->add_option("--set", o.settings, "Override a setting: key=value (docs/configuration.md)");
}

void add_common(std::initializer_list<CLI::App*> cmds, common_options& o, bool& as_json) {
  for (auto* c : cmds) {
    add_common(c, o);
    c->add_flag("--json", as_json, "Print JSON");
  }
}

config load_config(const common_options& o) {
  config c;
  auto check = [](const std::string& e) {
    if (!e.empty()) throw std::runtime_error(e);
  };
  if (!o.config_file.empty()) check(apply_file(c, o.config_file));
  check(apply_environment(c));
  if (!o.data_dir.empty()) c.data_dir = o.data_dir;
  for (const auto& kv : o.settings) {
    auto eq = kv.find('=');
    if (eq == std::string::npos) throw std::runtime_error("--set expects key=value, got '" + kv + "'");
    check(apply_setting(c, kv.substr(0, eq), kv.substr(eq + 1)));
  }
  return c;
}

cli_env cli_env_of(runtime& rt) { return {rt.ids(), *rt.base().audited}; }

service::call_context cli_context(const cli_env& env, std::string_view event_source, std::string_view event) {
  service::call_context ctx;
  ctx.read_only = event.starts_with("List") || event.starts_with("Describe") || event.starts_with("Get");
  ctx.who.type = "Root";
  ctx.who.account_id = env.ids.account_id;
  ctx.who.arn = "arn:aws:iam::" + env.ids.account_id + ":root";
  ctx.who.user_name = "atrium-cli";
  ctx.source_ip = "localhost";
  ctx.user_agent = "atrium-cli";
  ctx.event_source = event_source;
  ctx.event_name = event;
  ctx.via = domain::door::cli;
  return ctx;
}

int cli_failed(const cli_env& env, const service::call_context& ctx, const error& e, std::string_view error_code) {
  std::string code = error_code.empty() ? proto::aws::aws_error_name(e) : std::string(error_code);
  env.audit.record_failure(ctx, service::call_failure{code, e.message});
  std::cerr << "error: ";
  if (!error_code.empty()) std::cerr << code << ": ";
  std::cerr << e.message << "\n";
  return 1;
}

result<domain::user> find_cli_user(store::database& db, const std::string& key) {
  std::optional<domain::user> found;
  auto r = db.read([&](store::transaction& tx) -> result<void> {
    auto byid = tx.users().get(key);
    if (!byid) return std::unexpected(byid.error());
    if (*byid) {
      found = std::move(**byid);
      return {};
    }
    store::user_filter f;
    f.user_name_key = domain::fold_key(key);
    auto page = tx.users().list(f, {"", 1, 0});
    if (!page) return std::unexpected(page.error());
    if (!page->items.empty()) found = std::move(page->items[0]);
    return {};
  });
  if (!r) return std::unexpected(r.error());
  if (!found) return not_found("USER", key);
  return std::move(*found);
}

}  // namespace atrium::app
