#pragma once
// `atrium admin org …`: register the AWS accounts Identity Center may assign permission sets
// to, arrange them in OUs, list the organization, and import a whole organization from an
// Organizations endpoint (docs/organizations.md).
#include <CLI/CLI.hpp>
#include <optional>
#include <string>

#include "app/cli_common.hpp"
#include "service/organization/organization_service.hpp"

namespace atrium::app {

class org_commands {
 public:
  explicit org_commands(CLI::App* admin);
  // The exit code of the org subcommand that was given; nullopt when none was.
  std::optional<int> run();

 private:
  int act(const cli_env& env, service::organization_service& svc);

  common_options common_;
  std::string id_, name_, email_, parent_, endpoint_url_, region_ = "us-east-1";
  bool json_ = false;
  CLI::App* org_ = nullptr;
  CLI::App *register_ = nullptr, *move_ = nullptr, *remove_ = nullptr, *create_ou_ = nullptr,
           *rename_ou_ = nullptr, *delete_ou_ = nullptr, *list_ = nullptr, *import_ = nullptr;
};

}  // namespace atrium::app
