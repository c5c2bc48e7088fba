#pragma once
// Console access from the command line (issue 14 item 1, docs/admin-console.md):
//   atrium admin console-access grant  --user NAME|ID | --group NAME|ID --policy NAME|FILE.json
//   atrium admin console-access revoke --user ... | --group ... --policy NAME
//   atrium admin console-access list   [--user ... | --group ...]
// --policy names a managed (built-in) policy, or a JSON file whose policy is stored under the
// file's name without ".json". The same use cases as the AtriumAdmin operations, audited with
// the CLI as root.
#include <CLI/CLI.hpp>
#include <optional>
#include <string>

#include "app/cli_common.hpp"
#include "service/admin/console_access.hpp"
#include "service/identity/user_service.hpp"
#include "service/signin/password_service.hpp"

namespace atrium::app {

class runtime;

class console_access_commands {
 public:
  explicit console_access_commands(CLI::App* admin);
  std::optional<int> run();

 private:
  int act(const cli_env& env, store::database& db, service::console_access& access);

  common_options common_;
  std::string user_, group_, policy_;
  bool json_ = false;
  CLI::App *cmd_ = nullptr, *grant_ = nullptr, *revoke_ = nullptr, *list_ = nullptr;
};

// The first start's console administrator (config console.bootstrap_admin): when no user of
// that name exists, creates it (built-in identity source), gives it a one-time password (changed
// at the first sign-in) and AdministratorAccess console access. Returns the one-time password,
// or nullopt when the user already existed (nothing is changed then).
result<std::optional<std::string>> bootstrap_console_admin(runtime& rt, const std::string& user_name);

}  // namespace atrium::app
