#pragma once
// The store's operations commands (issue 13 item 4; docs/deployment.md):
//   atrium admin migrate-store --from sqlite:DIR --to CONNINFO   a single node's SQLite data into
//                                                                an empty PostgreSQL database
//   atrium backup --to FILE                                      the configured store into FILE
//   atrium restore --from FILE                                   FILE into the configured store
// Each prints per-table row counts and checksums of both sides and fails on a mismatch.
#include <CLI/CLI.hpp>
#include <optional>
#include <string>

#include "app/cli_common.hpp"

namespace atrium::app {

class store_ops_commands {
 public:
  // migrate-store under `admin`, backup and restore under the top-level `app`.
  store_ops_commands(CLI::App* app, CLI::App* admin);
  std::optional<int> run();

 private:
  int migrate_store();
  int backup();
  int restore();

  common_options migrate_o_, backup_o_, restore_o_;
  std::string from_, to_, password_file_, backup_to_, restore_from_;
  bool force_ = false, restore_force_ = false;
  CLI::App *migrate_ = nullptr, *backup_ = nullptr, *restore_ = nullptr;
};

}  // namespace atrium::app
