#pragma once
// `atrium admin user …`: the console's user actions for built-in users (guide "Reset a user
// password", "Disable a user"; docs/sign-in.md "Passwords and mail"):
//   user reset-password --user <userName|id> --email               mail a reset link
//   user reset-password --user <userName|id> --one-time-password   print a one-time password once
//   user send-invitation --user <userName|id>                      mail an invitation link
//   user disable|enable --user <userName|id>                       set `active` (as SCIM active:false)
// Mail is handed to the relay before the command exits; a refused message makes it exit 1.
#include <CLI/CLI.hpp>
#include <optional>
#include <string>

#include <functional>

#include "app/cli_common.hpp"
#include "service/identity/user_service.hpp"
#include "service/signin/password_service.hpp"

namespace atrium::app {

class user_commands {
 public:
  explicit user_commands(CLI::App* admin);
  // The exit code of the user subcommand that was given; nullopt when none was.
  std::optional<int> run();

 private:
  // `drain_mail` waits for the outbox and returns how many messages the relay refused.
  int act(const cli_env& env, store::database& db, service::user_service& users,
          service::password_service& passwords, const std::function<int()>& drain_mail);

  common_options common_;
  bool json_ = false, by_email_ = false, one_time_ = false;
  std::string user_;
  CLI::App *user_cmd_ = nullptr, *reset_ = nullptr, *invite_ = nullptr, *disable_ = nullptr, *enable_ = nullptr;
};

}  // namespace atrium::app
