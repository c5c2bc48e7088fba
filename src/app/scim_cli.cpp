#include "app/scim_cli.hpp"

#include <iostream>
#include <nlohmann/json.hpp>

#include "app/runtime.hpp"
#include "app/wire_identity.hpp"
#include "base/clock.hpp"

#include "service/audit/event_sources.hpp"
namespace atrium::app {

namespace {

// CloudTrail eventSource of the events these commands write.

long days_left(const service::scim_token_info& t) {
  // Whole days, rounded up: a token created now shows 365, one that expires today shows 1.
  auto left = std::chrono::duration_cast<std::chrono::seconds>(t.expires_at - system_clock().now()).count();
  return left <= 0 ? 0 : static_cast<long>((left + 86'399) / 86'400);
}

nlohmann::json token_json(const service::scim_token_info& t, bool soon) {
  nlohmann::json j = {{"TokenId", t.id}, {"CreatedAt", iso8601(t.created_at)}, {"ExpiresAt", iso8601(t.expires_at)},
                      {"DaysLeft", days_left(t)}, {"ExpiresSoon", soon}};
  j["LastUsedAt"] = t.last_used_at ? nlohmann::json(iso8601(*t.last_used_at)) : nlohmann::json(nullptr);
  return j;
}

void print_tokens(const std::vector<service::scim_token_info>& tokens, const service::scim_provisioning& p) {
  if (tokens.empty()) std::cout << "  (no access tokens)\n";
  for (const auto& t : tokens) {
    std::cout << "  " << t.id << "  created " << iso8601(t.created_at, false) << "  expires "
              << iso8601(t.expires_at, false) << "  last used "
              << (t.last_used_at ? iso8601(*t.last_used_at, false) : std::string("never")) << "\n";
    if (p.expires_soon(t))
      std::cout << "    WARNING: this token expires in " << days_left(t)
                << " days; rotate it (atrium admin scim rotate-token --token-id " << t.id << ")\n";
  }
}

void print_issued(const service::issued_token& t, const std::string& endpoint, bool as_json) {
  if (as_json) {
    auto j = token_json(t.info, false);
    j["AccessToken"] = t.token;
    j["ScimEndpoint"] = endpoint;
    std::cout << j.dump() << "\n";
    return;
  }
  std::cout << "SCIM endpoint: " << endpoint << "\n"
            << "Access token (shown only now; paste it into your IdP):\n  " << t.token << "\n"
            << "Token id: " << t.info.id << "  expires " << iso8601(t.info.expires_at, false) << "\n";
}

}  // namespace

scim_commands::scim_commands(CLI::App* admin) {
  scim_ = admin->add_subcommand("scim", "Automatic provisioning (SCIM) and its access tokens")->require_subcommand(1);
  enable_ = scim_->add_subcommand("enable", "Enable automatic provisioning; prints the endpoint and a token once");
  disable_ = scim_->add_subcommand("disable", "Disable automatic provisioning (delete its tokens first)");
  status_ = scim_->add_subcommand("status", "Show whether provisioning is on, the endpoint and the tokens");
  create_ = scim_->add_subcommand("create-token", "Create an access token (at most 2 exist); printed once");
  list_ = scim_->add_subcommand("list-tokens", "List access tokens: id, created, expires, last used");
  delete_ = scim_->add_subcommand("delete-token", "Delete an access token");
  rotate_ = scim_->add_subcommand("rotate-token",
                                  "Create the token that replaces --token-id; delete the old one after the IdP uses the new one");
  add_common({enable_, disable_, status_, create_, list_, delete_, rotate_}, common_, json_);
  delete_->add_option("--token-id", token_id_, "Token id (scimtok-…)")->required();
  rotate_->add_option("--token-id", token_id_, "Id of the token being replaced")->required();
}

std::optional<int> scim_commands::run() {
  if (!*scim_) return std::nullopt;
  auto cfg = load_config(common_);
  auto rt = runtime::open(cfg);
  return act(cli_env_of(*rt), *rt->identity().provisioning, scim_endpoint(rt->base(), cfg.server.port));
}

int scim_commands::act(const cli_env& env, service::scim_provisioning& p, const std::string& endpoint) {
  if (*enable_ || *create_) {
    auto ctx = cli_context(env, service::event_sources::sso_directory, *enable_ ? "EnableAutomaticProvisioning" : "CreateBearerToken");
    auto t = *enable_ ? p.enable(ctx) : p.create_token(ctx);
    if (!t) return cli_failed(env, ctx, t.error());
    print_issued(*t, endpoint, json_);
    return 0;
  }
  if (*rotate_) {
    // The guide's rotation: make a new token while the old one still works, switch the IdP to
    // it, then delete the old one. Both exist in between, so a slot must be free.
    auto list_ctx = cli_context(env, service::event_sources::sso_directory, "ListBearerTokens");
    auto s = p.describe(list_ctx);
    if (!s) return cli_failed(env, list_ctx, s.error());
    bool known = false;
    for (const auto& t : s->tokens) known = known || t.id == token_id_;
    auto ctx = cli_context(env, service::event_sources::sso_directory, "CreateBearerToken");
    if (!known) return cli_failed(env, ctx, error{errc::not_found, "No access token " + token_id_ + ".", {}, {}});
    auto t = p.create_token(ctx);
    if (!t) return cli_failed(env, ctx, t.error());
    print_issued(*t, endpoint, json_);
    if (!json_)
      std::cout << "\nNext: put the new token into your IdP, test the connection, then run\n"
                << "  atrium admin scim delete-token --token-id " << token_id_ << "\n";
    return 0;
  }
  if (*delete_) {
    auto ctx = cli_context(env, service::event_sources::sso_directory, "DeleteBearerToken");
    auto r = p.delete_token(ctx, token_id_);
    if (!r) return cli_failed(env, ctx, r.error());
    if (!json_) std::cout << "Deleted access token " << token_id_ << ".\n";
    else std::cout << nlohmann::json{{"TokenId", token_id_}, {"Deleted", true}}.dump() << "\n";
    return 0;
  }
  if (*disable_) {
    auto ctx = cli_context(env, service::event_sources::sso_directory, "DisableAutomaticProvisioning");
    auto r = p.disable(ctx);
    if (!r) return cli_failed(env, ctx, r.error());
    if (!json_) std::cout << "Automatic provisioning is disabled.\n";
    else std::cout << nlohmann::json{{"Enabled", false}}.dump() << "\n";
    return 0;
  }
  auto ctx = cli_context(env, service::event_sources::sso_directory, "ListBearerTokens");
  auto s = p.describe(ctx);
  if (!s) return cli_failed(env, ctx, s.error());
  if (json_) {
    nlohmann::json tokens = nlohmann::json::array();
    for (const auto& t : s->tokens) tokens.push_back(token_json(t, p.expires_soon(t)));
    if (*list_) std::cout << nlohmann::json{{"AccessTokens", tokens}}.dump() << "\n";
    else std::cout << nlohmann::json{{"Enabled", s->enabled}, {"ScimEndpoint", endpoint}, {"AccessTokens", tokens}}.dump() << "\n";
    return 0;
  }
  if (*status_) std::cout << "Automatic provisioning: " << (s->enabled ? "enabled" : "disabled") << "\n"
                          << "SCIM endpoint: " << endpoint << "\nAccess tokens:\n";
  print_tokens(s->tokens, p);
  return 0;
}

}  // namespace atrium::app
