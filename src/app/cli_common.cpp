#include "app/cli_common.hpp"

#include <stdexcept>

namespace atrium::app {

void add_common(CLI::App* cmd, common_options& o) {
  cmd->add_option("--config", o.config_file, "JSON configuration file")->envname("ATRIUM_CONFIG");
  cmd->add_option("--data-dir", o.data_dir, "Data directory (store, keys, TLS, audit)");
  cmd->add_option("--set", o.settings, "Override a setting: key=value (docs/configuration.md)");
}

config load_config(const common_options& o) {
  config c;
  auto check = [](const std::string& e) {
    if (!e.empty()) throw std::runtime_error(e);
  };
  if (!o.config_file.empty()) check(apply_file(c, o.config_file));
  check(apply_environment(c));
  if (!o.data_dir.empty()) c.data_dir = o.data_dir;
  for (const auto& kv : o.settings) {
    auto eq = kv.find('=');
    if (eq == std::string::npos) throw std::runtime_error("--set expects key=value, got '" + kv + "'");
    check(apply_setting(c, kv.substr(0, eq), kv.substr(eq + 1)));
  }
  return c;
}

}  // namespace atrium::app
