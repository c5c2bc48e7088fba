#include "app/console_cli.hpp"

#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "app/policy_cli.hpp"
#include "app/runtime.hpp"
#include "app/wire_console.hpp"
#include "app/wire_identity.hpp"
#include "app/wire_mail.hpp"
#include "base/json_text.hpp"
#include "service/audit/event_sources.hpp"

namespace atrium::app {

namespace {

// A group by id or by display name (case-insensitive, as the identity store compares them).
result<domain::group> find_console_group(store::database& db, const std::string& key) {
  std::optional<domain::group> found;
  auto r = db.read([&](store::transaction& tx) -> result<void> {
    auto byid = tx.groups().get(key);
    if (!byid) return std::unexpected(byid.error());
    if (*byid) {
      found = std::move(**byid);
      return {};
    }
    store::group_filter f;
    f.display_name_key = domain::fold_key(key);
    auto page = tx.groups().list(f, {"", 1, 0});
    if (!page) return std::unexpected(page.error());
    if (!page->items.empty()) found = std::move(page->items[0]);
    return {};
  });
  if (!r) return std::unexpected(r.error());
  if (!found) return not_found("GROUP", key);
  return std::move(*found);
}

// --policy: an existing file (or a name ending in .json) is a policy document, else a managed
// policy's name.
result<service::key_policy_spec> console_policy_spec(const std::string& policy) {
  bool file = policy.ends_with(".json") || std::filesystem::is_regular_file(policy);
  auto specs = file ? policy_specs({}, {policy}) : policy_specs({policy}, {});
  if (!specs) return std::unexpected(specs.error());
  return specs->front();
}

nlohmann::json console_row_json(const store::console_policy_record& r) {
  return {{"PrincipalType", r.principal_type}, {"PrincipalId", r.principal_id}, {"PolicyName", r.name},
          {"Inline", r.document.has_value()}, {"AttachedAt", iso8601(r.attached_at)}};
}

}  // namespace

console_access_commands::console_access_commands(CLI::App* admin) {
  cmd_ = admin->add_subcommand("console-access", "Who may use the admin console, with which admin policies")
             ->require_subcommand(1);
  grant_ = cmd_->add_subcommand("grant", "Attach a managed policy (--policy NAME) or a policy file to a user or group");
  revoke_ = cmd_->add_subcommand("revoke", "Detach a console policy from a user or group");
  list_ = cmd_->add_subcommand("list", "List console access (of every principal, or of one)");
  add_common({grant_, revoke_, list_}, common_, json_);
  for (auto* c : {grant_, revoke_, list_}) {
    auto* u = c->add_option("--user", user_, "Identity-store user (UserName or UserId)");
    auto* g = c->add_option("--group", group_, "Identity-store group (DisplayName or GroupId)");
    u->excludes(g);
  }
  grant_->add_option("--policy", policy_, "Managed policy name (see `key-policies builtins`) or a JSON policy file")->required();
  revoke_->add_option("--policy", policy_, "Name of the attached policy")->required();
}

std::optional<int> console_access_commands::run() {
  if (!*cmd_) return std::nullopt;
  auto cfg = load_config(common_);
  auto rt = runtime::open(cfg);
  return act(cli_env_of(*rt), *rt->base().db, *rt->console().access);
}

int console_access_commands::act(const cli_env& env, store::database& db, service::console_access& access) {
  std::string event = *grant_ ? "GrantConsoleAccess" : *revoke_ ? "RevokeConsoleAccess" : "ListConsoleAccess";
  auto ctx = cli_context(env, service::event_sources::sso, event);
  std::optional<service::console_principal_ref> who;
  if (!user_.empty()) {
    auto u = find_cli_user(db, user_);
    if (!u) return cli_failed(env, ctx, u.error());
    who = service::console_principal_ref{"USER", u->id};
  } else if (!group_.empty()) {
    auto g = find_console_group(db, group_);
    if (!g) return cli_failed(env, ctx, g.error());
    who = service::console_principal_ref{"GROUP", g->id};
  }
  if (*list_) {
    auto rows = access.list(ctx, who);
    if (!rows) return cli_failed(env, ctx, rows.error());
    nlohmann::json out = nlohmann::json::array();
    for (const auto& r : *rows) out.push_back(console_row_json(r));
    if (json_) std::cout << nlohmann::json{{"ConsoleAccess", out}}.dump() << "\n";
    else if (rows->empty()) std::cout << "  (nobody has console access)\n";
    else
      for (const auto& r : *rows)
        std::cout << "  " << r.principal_type << " " << r.principal_id << "  " << r.name
                  << (r.document ? "  (inline)" : "  (managed)") << "\n";
    return 0;
  }
  if (!who) return cli_failed(env, ctx, error{errc::validation, "give --user or --group", {}, {}});
  if (*grant_) {
    auto spec = console_policy_spec(policy_);
    if (!spec) return cli_failed(env, ctx, spec.error());
    ctx.request_parameters = to_json_text({{"principalType", who->type}, {"principalId", who->id}, {"policyName", spec->name}});
    if (auto r = access.grant(ctx, *who, *spec); !r) return cli_failed(env, ctx, r.error());
    if (json_) std::cout << nlohmann::json{{"PrincipalType", who->type}, {"PrincipalId", who->id}, {"PolicyName", spec->name}}.dump() << "\n";
    else std::cout << "Granted console access with " << spec->name << " to " << who->type << " " << who->id << ".\n";
    return 0;
  }
  ctx.request_parameters = to_json_text({{"principalType", who->type}, {"principalId", who->id}, {"policyName", policy_}});
  if (auto r = access.revoke(ctx, *who, policy_); !r) return cli_failed(env, ctx, r.error());
  if (json_) std::cout << nlohmann::json{{"PrincipalType", who->type}, {"PrincipalId", who->id}, {"PolicyName", policy_}, {"Revoked", true}}.dump() << "\n";
  else std::cout << "Revoked " << policy_ << " from " << who->type << " " << who->id << ".\n";
  return 0;
}

result<std::optional<std::string>> bootstrap_console_admin(runtime& rt, const std::string& user_name) {
  auto env = cli_env_of(rt);
  auto& db = *rt.base().db;
  if (auto existing = find_cli_user(db, user_name); existing) return std::optional<std::string>();
  auto ctx = cli_context(env, "identitystore.amazonaws.com", "CreateUser");
  domain::user u;
  u.user_name = user_name;
  u.display_name = "Atrium administrator";
  u.user_name_parts = domain::name{};
  u.user_name_parts->given_name = "Atrium";
  u.user_name_parts->family_name = "Administrator";
  auto made = rt.identity().identity->users.create_user(ctx, std::move(u));
  if (!made) return std::unexpected(made.error());
  auto grant_ctx = cli_context(env, service::event_sources::sso, "GrantConsoleAccess");
  if (auto g = rt.console().access->grant(grant_ctx, {"USER", made->id}, {"AdministratorAccess", std::nullopt}); !g)
    return std::unexpected(g.error());
  auto otp_ctx = cli_context(env, service::event_sources::sso_directory, "GenerateOneTimePassword");
  auto otp = rt.mail().passwords->generate_one_time_password(otp_ctx, made->id);
  if (!otp) return std::unexpected(otp.error());
  return std::optional<std::string>(std::move(*otp));
}

}  // namespace atrium::app
