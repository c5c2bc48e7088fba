#pragma once
// `atrium admin identity-source …` and `atrium admin delete-configuration` (issue 17;
// docs/identity-source-admin.md): the same services as the AtriumAdmin operations.
//   identity-source show [--json]                     DescribeIdentitySource (and the SP metadata)
//   identity-source sp-metadata                       print the SP metadata XML (for the IdP)
//   identity-source create --metadata FILE | --entity-id ID --sso-url URL --certificate FILE...
//                          [--domain D]... [--sign-authn-requests] [--allow-idp-initiated]
//   identity-source update --idp ID [the same options]
//   identity-source enable --idp ID --confirm ACCEPT  the identity source becomes the IdP
//   identity-source disable --confirm ACCEPT          back to the built-in store
//   identity-source delete --idp ID
//   identity-source settings --multiple-idps true|false
//   delete-configuration --confirm <identity store id>
#include <CLI/CLI.hpp>
#include <optional>
#include <string>
#include <vector>

#include "app/cli_common.hpp"

namespace atrium::app {

class idsource_commands {
 public:
  explicit idsource_commands(CLI::App* admin);
  std::optional<int> run();

 private:
  int run_identity_source();
  int run_delete_configuration();

  common_options common_;
  bool json_ = false;
  std::string idp_, confirm_, metadata_file_, entity_id_, sso_url_, multiple_;
  std::vector<std::string> certificate_files_, domains_;
  bool sign_flag_ = false, no_sign_flag_ = false, unsolicited_flag_ = false, no_unsolicited_flag_ = false;
  CLI::App *group_ = nullptr, *show_ = nullptr, *sp_metadata_ = nullptr, *create_ = nullptr, *update_ = nullptr;
  CLI::App *enable_ = nullptr, *disable_ = nullptr, *delete_ = nullptr, *settings_ = nullptr, *delete_config_ = nullptr;
};

}  // namespace atrium::app
