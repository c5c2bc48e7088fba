#pragma once
// `atrium admin cli-config` (issue 16 item 6; docs/cli.md): what an unmodified AWS CLI v2 or SDK
// needs to sign in through this deployment. The CLI derives the sso-oidc and portal API hosts
// from the region (oidc.<region>.amazonaws.com, portal.sso.<region>.amazonaws.com) and ignores
// --endpoint-url for `aws sso login`; botocore reads endpoint rule sets from AWS_DATA_PATH before
// its own, so the command writes
//   <out>/sso/2019-06-10/endpoint-rule-set-1.json
//   <out>/sso-oidc/2019-06-10/endpoint-rule-set-1.json
// whose rules answer the given endpoint, and prints the environment (AWS_DATA_PATH,
// AWS_CA_BUNDLE, and AWS_ENDPOINT_URL_SSO / _SSO_OIDC for SDKs that read them) and the profile
// blocks (a legacy profile and an sso-session one) for ~/.aws/config.
#include <CLI/CLI.hpp>
#include <optional>
#include <string>

#include "app/cli_common.hpp"

namespace atrium::app {

class cli_config_command {
 public:
  explicit cli_config_command(CLI::App* admin);
  std::optional<int> run();

 private:
  common_options common_;
  std::string endpoint_, out_dir_, profile_ = "atrium", account_, role_, session_name_ = "atrium";
  bool json_ = false;
  CLI::App* cmd_ = nullptr;
};

// The endpoint rule set (botocore's endpoint-rule-set-1.json format) that resolves every
// request of a service to `endpoint`, unless the caller set an endpoint URL of its own.
std::string endpoint_rule_set(const std::string& endpoint);

}  // namespace atrium::app
