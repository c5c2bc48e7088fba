#include "app/cli_config_cli.hpp"

#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

namespace atrium::app {

namespace {

using nlohmann::json;
namespace fs = std::filesystem;

json builtin_parameter(const char* builtin, const char* type, bool required, std::optional<bool> dflt = std::nullopt) {
  json p = {{"builtIn", builtin}, {"required", required}, {"type", type}};
  if (dflt) p["default"] = *dflt;
  return p;
}

// scheme://host:port of a URL, or nullopt when it is not one.
std::optional<std::string> origin_of(const std::string& url) {
  auto scheme = url.find("://");
  if (scheme == std::string::npos || (url.substr(0, scheme) != "https" && url.substr(0, scheme) != "http"))
    return std::nullopt;
  auto path = url.find('/', scheme + 3);
  if (path != std::string::npos && url.find_first_not_of('/', path) != std::string::npos) return std::nullopt;
  auto origin = url.substr(0, path);
  if (origin.size() == scheme + 3) return std::nullopt;
  return origin;
}

std::string port_of(const std::string& origin) {
  auto colon = origin.rfind(':');
  auto bracket = origin.rfind(']');
  if (colon == std::string::npos || colon < origin.find("://") + 3 || (bracket != std::string::npos && colon < bracket))
    return origin.starts_with("https") ? "443" : "80";
  return origin.substr(colon + 1);
}

void write_file(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  std::ofstream out(p, std::ios::trunc);
  out << text;
  if (!out) throw std::runtime_error("cannot write " + p.string());
}

}  // namespace

std::string endpoint_rule_set(const std::string& endpoint) {
  json rules = {
      {"version", "1.0"},
      {"parameters",
       {{"Region", builtin_parameter("AWS::Region", "String", false)},
        {"UseDualStack", builtin_parameter("AWS::UseDualStack", "Boolean", true, false)},
        {"UseFIPS", builtin_parameter("AWS::UseFIPS", "Boolean", true, false)},
        {"Endpoint", builtin_parameter("SDK::Endpoint", "String", false)}}},
      {"rules",
       {{{"conditions", {{{"fn", "isSet"}, {"argv", {{{"ref", "Endpoint"}}}}}}},
         {"endpoint", {{"url", {{"ref", "Endpoint"}}}, {"properties", json::object()}, {"headers", json::object()}}},
         {"type", "endpoint"}},
        {{"conditions", json::array()},
         {"endpoint", {{"url", endpoint}, {"properties", json::object()}, {"headers", json::object()}}},
         {"type", "endpoint"}}}}};
  return rules.dump(2) + "\n";
}

cli_config_command::cli_config_command(CLI::App* admin) {
  cmd_ = admin->add_subcommand("cli-config",
                               "Write the endpoint rule files and print the AWS CLI profile for `aws sso login` (docs/cli.md)");
  add_common(cmd_, common_);
  cmd_->add_option("--endpoint", endpoint_, "Atrium's URL as the CLI reaches it, e.g. https://atrium.example.com:8443")
      ->required();
  cmd_->add_option("--out", out_dir_, "Directory for the rule files (AWS_DATA_PATH); default <data-dir>/aws-data");
  cmd_->add_option("--profile", profile_, "Name of the profile blocks (default atrium)");
  cmd_->add_option("--account", account_, "sso_account_id of the profiles");
  cmd_->add_option("--role", role_, "sso_role_name of the profiles (a permission set name)");
  cmd_->add_option("--sso-session", session_name_, "Name of the [sso-session] section (default atrium)");
  cmd_->add_flag("--json", json_, "Print JSON");
}

std::optional<int> cli_config_command::run() {
  if (!*cmd_) return std::nullopt;
  auto cfg = load_config(common_);
  auto origin = origin_of(endpoint_);
  if (!origin) {
    std::cerr << "error: --endpoint must be an http(s) URL without a path, e.g. https://atrium.example.com:8443\n";
    return 1;
  }
  // The start URL the server expects: portal.public_url, else the portal on the public host
  // (what `serve` hands out; app/wire_signin.cpp).
  std::string start_url = cfg.portal_public_url.empty()
                              ? std::string(cfg.server.tls ? "https" : "http") + "://" + cfg.public_host + ":" +
                                    port_of(*origin) + "/portal"
                              : cfg.portal_public_url;
  fs::path out = out_dir_.empty() ? cfg.data_dir / "aws-data" : fs::path(out_dir_);
  auto rules = endpoint_rule_set(*origin);
  write_file(out / "sso" / "2019-06-10" / "endpoint-rule-set-1.json", rules);
  write_file(out / "sso-oidc" / "2019-06-10" / "endpoint-rule-set-1.json", rules);
  fs::path ca = cfg.server.cert_file.empty() ? cfg.data_dir / "tls" / "cert.pem" : fs::path(cfg.server.cert_file);
  std::string account = account_.empty() ? "<account id>" : account_;
  std::string role = role_.empty() ? "<permission set name>" : role_;
  std::string profile = "[profile " + profile_ + "]\nsso_start_url = " + start_url + "\nsso_region = " + cfg.region +
                        "\nsso_account_id = " + account + "\nsso_role_name = " + role + "\nregion = " + cfg.region +
                        "\n\n[profile " + profile_ + "-session]\nsso_session = " + session_name_ +
                        "\nsso_account_id = " + account + "\nsso_role_name = " + role + "\nregion = " + cfg.region +
                        "\n\n[sso-session " + session_name_ + "]\nsso_start_url = " + start_url +
                        "\nsso_region = " + cfg.region + "\nsso_registration_scopes = sso:account:access\n";
  if (json_) {
    std::cout << json{{"StartUrl", start_url},
                      {"Region", cfg.region},
                      {"DataPath", fs::absolute(out).string()},
                      {"CaBundle", fs::absolute(ca).string()},
                      {"Endpoint", *origin},
                      {"Profile", profile}}
                     .dump(2)
              << "\n";
    return 0;
  }
  std::cout << "# Endpoint rules written to " << fs::absolute(out).string() << "\n"
            << "# Environment for the AWS CLI v2 and boto3:\n"
            << "export AWS_DATA_PATH=" << fs::absolute(out).string() << "\n"
            << "export AWS_CA_BUNDLE=" << fs::absolute(ca).string() << "\n"
            << "# SDKs that read service endpoint variables (boto3 >= 1.28) may use these instead:\n"
            << "# export AWS_ENDPOINT_URL_SSO=" << *origin << "\n"
            << "# export AWS_ENDPOINT_URL_SSO_OIDC=" << *origin << "\n\n"
            << "# Add to ~/.aws/config, then: aws sso login --profile " << profile_ << "\n"
            << profile;
  return 0;
}

}  // namespace atrium::app
