#pragma once
// `atrium admin mfa …` (issue 5 item 3; guide "How to manage MFA"): the instance's MFA
// settings, and a user's devices (list, rename, delete) as the console's "MFA devices" tab.
//   atrium admin mfa settings [--mode context-aware|always-on|disabled] [--types totp,webauthn]
//                             [--without-device require-registration|email-code|block|allow]
//                             [--users-manage-devices true|false]      (no flag: print them)
//   atrium admin mfa devices list --user <userName|id>
//   atrium admin mfa devices rename --user … --device <id|name> --name …
//   atrium admin mfa devices delete --user … --device <id|name>
#include <CLI/CLI.hpp>
#include <optional>
#include <string>

#include "app/cli_common.hpp"

namespace atrium::app {

class mfa_commands {
 public:
  explicit mfa_commands(CLI::App* admin);
  // The exit code of the mfa subcommand that was given; nullopt when none was.
  std::optional<int> run();

 private:
  int settings();
  int devices();

  common_options common_;
  std::string mode_, types_, without_device_, users_manage_, user_, device_, name_;
  bool json_ = false;
  CLI::App *mfa_ = nullptr, *settings_ = nullptr, *devices_ = nullptr, *list_ = nullptr, *rename_ = nullptr,
           *delete_ = nullptr;
};

}  // namespace atrium::app
