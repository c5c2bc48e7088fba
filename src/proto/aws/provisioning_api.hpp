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
#include "service/call_context.hpp"
#include "service/scim_provisioning.hpp"

namespace atrium::proto::aws {

class provisioning_api {
 public:
  provisioning_api(service::scim_provisioning& svc, std::string scim_endpoint)
      : svc_(svc), endpoint_(std::move(scim_endpoint)) {}

  static constexpr std::string_view target_prefix = "AtriumAdmin";
  static constexpr std::string_view event_source = "sso-directory.amazonaws.com";
  static bool has(std::string_view operation);
  static bool is_read_only(std::string_view operation);

  result<nlohmann::json> call(std::string_view operation, const nlohmann::json& req,
                              const service::call_context& ctx);
  // Set once the server knows its port, before it serves requests.
  void set_endpoint(std::string endpoint) { endpoint_ = std::move(endpoint); }

 private:
  nlohmann::json token_json(const service::scim_token_info& t) const;

  service::scim_provisioning& svc_;
  std::string endpoint_;
};

}  // namespace atrium::proto::aws
