#pragma once
// `atrium admin idp …`: Atrium's SAML IdP certificate and metadata (docs/provisioning.md):
//   idp metadata                         print the SAML 2.0 IdP metadata XML
//   idp list-certificates [--json]       the active and previous signing certificates
//   idp rotate-certificate               make a new active certificate (the old one stays listed)
//   idp rotate-certificate --retire-old  drop the previous certificate(s)
// and `atrium admin provisioner check`: runs the configured account provisioner once (SAML
// provider + put_role, or delete_role) for one account — for setting up real accounts and for
// the integration tests against moto.
#include <CLI/CLI.hpp>
#include <optional>
#include <string>

#include "app/cli_common.hpp"

namespace atrium::app {

class idp_commands {
 public:
  explicit idp_commands(CLI::App* admin);
  // The exit code of the idp/provisioner subcommand that was given; nullopt when none was.
  std::optional<int> run();

 private:
  int run_idp();
  int run_check();
  int run_repair();

  common_options common_;
  bool json_ = false, retire_old_ = false, delete_ = false;
  std::string account_, spec_file_;
  CLI::App *idp_ = nullptr, *metadata_ = nullptr, *list_ = nullptr, *rotate_ = nullptr;
  CLI::App *provisioner_ = nullptr, *check_ = nullptr, *repair_ = nullptr;
};

}  // namespace atrium::app
