#pragma once
// Delegated administration from the command line (issue 4 item 7):
//   atrium admin create-access-key --policy NAME ... --policy-file F.json ...
//   atrium admin key-policies list|attach|detach --access-key-id AKIA...
// Built-in policies are named (AWSSSOReadOnly, ...); a file's policy is stored under the file's
// name without ".json" unless --name is given.
#include <CLI/CLI.hpp>
#include <optional>
#include <string>
#include <vector>

#include "app/cli_common.hpp"
#include "service/admin/key_policies.hpp"

namespace atrium::app {

// The specs named by --policy and --policy-file; a file that cannot be read is an error.
result<std::vector<service::key_policy_spec>> policy_specs(const std::vector<std::string>& names,
                                                            const std::vector<std::string>& files);

class key_policy_commands {
 public:
  explicit key_policy_commands(CLI::App* admin);
  std::optional<int> run();

 private:
  int act(const cli_env& env);

  common_options common_;
  std::string key_id_, policy_, file_, name_;
  bool json_ = false;
  CLI::App *group_ = nullptr, *list_ = nullptr, *attach_ = nullptr, *detach_ = nullptr, *builtins_ = nullptr;
};

}  // namespace atrium::app
