#pragma once
// Atrium's JSON admin API for automatic provisioning (AWS JSON 1.1, SigV4, target prefix
// "AtriumAdmin"): what the console's Settings > Automatic provisioning page does in the guide.
//   EnableAutomaticProvisioning  -> {ScimEndpoint, AccessToken (shown once), TokenId, ExpiresAt}
//   DisableAutomaticProvisioning (refused while tokens exist)
//   DescribeAutomaticProvisioning -> {Enabled, ScimEndpoint, AccessTokens: [...]}
//   CreateScimAccessToken -> {AccessToken (shown once), TokenId, CreatedAt, ExpiresAt}
//   ListScimAccessTokens  -> {AccessTokens: [{TokenId, CreatedAt, ExpiresAt, LastUsedAt, ExpiresSoon}]}
//   DeleteScimAccessToken {TokenId}
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "base/result.hpp"
#include "proto/aws/json_api.hpp"
#include "service/call_context.hpp"
#include "service/scim_provisioning.hpp"

namespace atrium::proto::aws {

class provisioning_api final : public json_api {
 public:
  provisioning_api(service::scim_provisioning& svc, std::string scim_endpoint)
      : svc_(svc), endpoint_(std::move(scim_endpoint)) {}

  std::string_view target_prefix() const override { return "AtriumAdmin"; }
  std::string_view service_name() const override { return "atrium-admin"; }
  // The console's automatic-provisioning page is an sso-directory action in IAM's terms.
  std::string_view action_prefix() const override { return "sso-directory"; }
  std::string_view event_source() const override { return "sso-directory.amazonaws.com"; }
  bool has(std::string_view operation) const override;
  bool is_read_only(std::string_view operation) const override;

  result<nlohmann::json> call(std::string_view operation, const nlohmann::json& req,
                              const service::call_context& ctx) override;
  // Set once the server knows its port, before it serves requests.
  void set_endpoint(std::string endpoint) { endpoint_ = std::move(endpoint); }

 private:
  nlohmann::json token_json(const service::scim_token_info& t) const;

  service::scim_provisioning& svc_;
  std::string endpoint_;
};

}  // namespace atrium::proto::aws
