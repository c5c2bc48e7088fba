#pragma once
// The AWS access portal's session duration from the command line (issue 14 item 3 Settings,
// docs/admin-console.md "Session duration"); the same use case as AtriumAdmin.Get/
// UpdatePortalSessionSettings and the console's settings page, audited with the CLI as root.
//   atrium admin portal-session                     print it (and whether it is the default)
//   atrium admin portal-session --duration 12h      set it: 15m .. 90d (m, h or d; a bare number is minutes)
#include <CLI/CLI.hpp>
#include <optional>
#include <string>

#include "app/cli_common.hpp"

namespace atrium::app {

class portal_session_command {
 public:
  explicit portal_session_command(CLI::App* admin);
  std::optional<int> run();

 private:
  common_options common_;
  std::string duration_;
  bool json_ = false;
  CLI::App* cmd_ = nullptr;
};

// "90m", "8h", "90d" or minutes; nullopt for anything else.
std::optional<long long> parse_duration_minutes(const std::string& text);

}  // namespace atrium::app
