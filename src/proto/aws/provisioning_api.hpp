#pragma once
// Atrium's JSON admin API for automatic provisioning (AWS JSON 1.1, SigV4, target prefix
// "AtriumAdmin"): what the console's Settings > Automatic provisioning page does in the guide.
//   EnableAutomaticProvisioning  -> {ScimEndpoint, AccessToken (shown once), TokenId, ExpiresAt}
//   DisableAutomaticProvisioning (refused while tokens exist)
//   DescribeAutomaticProvisioning -> {Enabled, ScimEndpoint, AccessTokens: [...]}
//   CreateScimAccessToken -> {AccessToken (shown once), TokenId, CreatedAt, ExpiresAt}
//   ListScimAccessTokens  -> {AccessTokens: [{TokenId, CreatedAt, ExpiresAt, LastUsedAt, ExpiresSoon}]}
//   DeleteScimAccessToken {TokenId}
#include <memory>
#include <string>

#include "proto/aws/json_api.hpp"
#include "service/identity/scim_provisioning.hpp"

namespace atrium::proto::aws {

class provisioning_api final : public json_api {
 public:
  provisioning_api(service::scim_provisioning& svc, std::string scim_endpoint);

  // Set once the server knows its port, before it serves requests.
  void set_endpoint(std::string endpoint) { *endpoint_ = std::move(endpoint); }

 private:
  // Shared with the table's handlers, which outlive any move of this object.
  std::shared_ptr<std::string> endpoint_;
};

}  // namespace atrium::proto::aws
