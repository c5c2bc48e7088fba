#pragma once
// `atrium admin scim …`: automatic provisioning from the command line, as the guide's console
// procedures do it (enable shows the endpoint and a token once; tokens are listed, created,
// deleted and rotated; disabling needs the tokens deleted first).
#include <CLI/CLI.hpp>
#include <optional>
#include <string>

#include "app/cli_common.hpp"
#include "service/identity/scim_provisioning.hpp"

namespace atrium::app {

class scim_commands {
 public:
  explicit scim_commands(CLI::App* admin);
  // The exit code of the scim subcommand that was given; nullopt when none was.
  std::optional<int> run();

 private:
  int act(const cli_env& env, service::scim_provisioning& p, const std::string& endpoint);

  common_options common_;
  std::string token_id_;
  bool json_ = false;
  CLI::App* scim_ = nullptr;
  CLI::App *enable_ = nullptr, *disable_ = nullptr, *status_ = nullptr, *create_ = nullptr,
           *list_ = nullptr, *delete_ = nullptr, *rotate_ = nullptr;
};

}  // namespace atrium::app
