#pragma once
// `atrium admin app …`: SAML applications from the command line (docs/applications.md "CLI").
// Each command runs the same operations a client calls over the API — the sso-admin
// application operations and the AtriumAdmin SAML-settings operations — in process, through
// their operation tables, as the deployment's root, audited like an API call:
//   app providers | app template <id>                      the catalog
//   app create --provider <catalog id|custom> --name N [settings...]
//   app list | app describe <app> | app delete <app> | app enable|disable <app>
//   app set-sp <app> [--metadata-file F] [--entity-id E] [--acs-url U]... [--sp-certificate-file F]... [--field k=v]...
//   app set-response <app> [--session-minutes M] [--relay-state R] [--start-url U] [--sign S] [--name-id-format F]
//   app set-mappings <app> --mapping 'Name=Value[;format]'... | --mappings-file F
//   app assign|unassign <app> (--user U | --group G) | app assignments <app>
//   app metadata <app>
//   app certificates <app> | app certificate-create <app> [--key-size N] [--validity-months M]
//   app certificate-activate <app> <cert id> | app certificate-delete <app> <cert id>
// <app> is an application id (apl-…) or ARN; settings of create are those of set-sp and
// set-response. Output is the operation's JSON answer.
#include <CLI/CLI.hpp>
#include <optional>
#include <string>
#include <vector>

#include "app/cli_common.hpp"

namespace atrium::app {

class app_commands {
 public:
  explicit app_commands(CLI::App* admin);
  std::optional<int> run();

 private:
  struct settings_options {
    std::string metadata_file, entity_id;
    std::vector<std::string> acs_urls, sp_certificate_files, fields;
    int session_minutes = 0;
    std::string relay_state, start_url, sign, name_id_format;
    bool clear_relay_state = false, clear_start_url = false;
  };
  void add_settings(CLI::App* cmd);

  common_options common_;
  std::string app_, provider_, name_, description_, user_, group_, cert_, template_id_, mappings_file_;
  std::vector<std::string> mappings_;
  int key_size_ = 0, validity_months_ = 0;
  settings_options settings_;
  CLI::App* root_ = nullptr;
};

}  // namespace atrium::app
