#pragma once
// Pieces every `atrium` subcommand shares: the --config/--data-dir/--set options and loading
// the configuration from them (docs/configuration.md).
#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "app/config.hpp"

namespace atrium::app {

struct common_options {
  std::string config_file;
  std::string data_dir;
  std::vector<std::string> settings;  // --set key=value
};

void add_common(CLI::App* cmd, common_options& o);
// Throws std::runtime_error naming the bad key or value.
config load_config(const common_options& o);

}  // namespace atrium::app
