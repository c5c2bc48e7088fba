#include "app/user_cli.hpp"

#include <iostream>
#include <nlohmann/json.hpp>

#include "app/cli_common.hpp"
#include "app/logging.hpp"
#include "app/runtime.hpp"
#include "app/wire_identity.hpp"
#include "app/wire_mail.hpp"
#include "base/json_text.hpp"
#include "domain/identity.hpp"
#include "service/audit/event_sources.hpp"
#include "service/identity/user_service.hpp"
#include "service/signin/password_service.hpp"

namespace atrium::app {

using nlohmann::json;

namespace {

// The console's user actions are sso-directory events in CloudTrail.

// Waits for queued mail to reach the relay; a refused message fails the command.
int mail_outcome(const std::function<int()>& drain_mail, const service::call_context& ctx) {
  if (drain_mail() == 0) return 0;
  std::cerr << "error: the mail relay did not accept the message (see the log and `atrium audit --event-name "
            << ctx.event_name << "`)\n";
  return 1;
}

void report(bool as_json, const json& j, const std::string& text) {
  if (as_json) std::cout << j.dump() << "\n";
  else std::cout << text << "\n";
}

}  // namespace

user_commands::user_commands(CLI::App* admin) {
  user_cmd_ = admin->add_subcommand("user", "Built-in users: passwords, invitations, enable/disable")->require_subcommand(1);
  reset_ = user_cmd_->add_subcommand("reset-password", "Mail a reset link (--email) or print a one-time password");
  auto* how = reset_->add_option_group("method", "How the user gets the new password")->require_option(1);
  how->add_flag("--email", by_email_, "Mail the user a link to choose a new password");
  how->add_flag("--one-time-password", one_time_, "Generate a one-time password (printed once; changed at next sign-in)");
  invite_ = user_cmd_->add_subcommand("send-invitation", "Mail the user an invitation link to set a password");
  disable_ = user_cmd_->add_subcommand("disable", "Disable the user (no new sign-ins; sessions end)");
  enable_ = user_cmd_->add_subcommand("enable", "Enable the user again");
  add_common({reset_, invite_, disable_, enable_}, common_, json_);
  for (auto* c : {reset_, invite_, disable_, enable_})
    c->add_option("--user", user_, "User name or user id")->required();
}

std::optional<int> user_commands::run() {
  if (!*user_cmd_) return std::nullopt;
  auto cfg = load_config(common_);
  setup_logging(cfg.log_level);  // JSON lines on stderr, as `serve` writes them (mail failures)
  auto rt = runtime::open(cfg);
  return act(cli_env_of(*rt), *rt->base().db, rt->identity().identity->users, *rt->mail().passwords,
             [&rt] { return rt->drain_mail(); });
}

int user_commands::act(const cli_env& env, store::database& db, service::user_service& users,
                       service::password_service& passwords, const std::function<int()>& drain_mail) {
  std::string event = *reset_ ? (by_email_ ? "SendPasswordResetEmail" : "GenerateOneTimePassword")
                      : *invite_ ? "SendInvitation"
                      : *disable_ ? "DisableUser"
                                  : "EnableUser";
  auto ctx = cli_context(env, service::event_sources::sso_directory, event);
  ctx.request_parameters = to_json_text({{"user", user_}});
  auto u = find_cli_user(db, user_);
  if (!u) return cli_failed(env, ctx, u.error());
  ctx.request_parameters = to_json_text({{"userId", u->id}});
  json out = {{"UserId", u->id}, {"UserName", u->user_name}};
  if (*reset_ && one_time_) {
    auto otp = passwords.generate_one_time_password(ctx, u->id);
    if (!otp) return cli_failed(env, ctx, otp.error());
    out["OneTimePassword"] = *otp;
    report(json_, out, "One-time password for " + u->user_name + " (shown only now; to be changed at the next sign-in):\n" + *otp);
    return 0;
  }
  if (*reset_ || *invite_) {
    auto sent = *reset_ ? passwords.send_reset_link(ctx, u->id) : passwords.send_invitation(ctx, u->id);
    if (!sent) return cli_failed(env, ctx, sent.error());
    if (int code = mail_outcome(drain_mail, ctx); code != 0) return code;
    out["Mailed"] = true;
    report(json_, out, std::string(*reset_ ? "Password reset link" : "Invitation") + " mailed to " + u->user_name + ".");
    return 0;
  }
  bool active = static_cast<bool>(*enable_);
  auto v = users.modify_user(
      ctx, u->id,
      [active](const domain::user& cur) -> result<domain::user> {
        domain::user next = cur;
        next.active = active;
        return next;
      },
      std::nullopt, {false, false});
  if (!v) return cli_failed(env, ctx, v.error());
  out["Active"] = active;
  report(json_, out, "User " + u->user_name + (active ? " enabled." : " disabled."));
  return 0;
}

}  // namespace atrium::app
