#include "proto/aws/provisioning_api.hpp"

#include "base/try.hpp"
#include "proto/aws/identitystore_shapes.hpp"

namespace atrium::proto::aws {

using nlohmann::json;
using service::call_context;
using service::scim_provisioning;

namespace {

json token_json(const scim_provisioning& svc, const service::scim_token_info& t) {
  json j = {{"TokenId", t.id},
            {"CreatedAt", epoch_seconds(t.created_at)},
            {"ExpiresAt", epoch_seconds(t.expires_at)},
            {"ExpiresSoon", svc.expires_soon(t)}};
  if (t.last_used_at) j["LastUsedAt"] = epoch_seconds(*t.last_used_at);
  return j;
}

json issued_json(const scim_provisioning& svc, const service::issued_token& t, const std::string& endpoint) {
  json j = token_json(svc, t.info);
  j["AccessToken"] = t.token;
  j["ScimEndpoint"] = endpoint;
  return j;
}

json tokens_json(const scim_provisioning& svc, const std::vector<service::scim_token_info>& tokens) {
  json out = json::array();
  for (const auto& t : tokens) out.push_back(token_json(svc, t));
  return out;
}

}  // namespace

provisioning_api::provisioning_api(scim_provisioning& svc, std::string scim_endpoint)
    : json_api({"AtriumAdmin", "atrium-admin",
                // The console's automatic-provisioning page is an sso-directory action in IAM's terms.
                "sso-directory", "sso-directory.amazonaws.com", {}}),
      endpoint_(std::make_shared<std::string>(std::move(scim_endpoint))) {
  auto endpoint = endpoint_;
  add({"EnableAutomaticProvisioning", false, [&svc, endpoint](const json& req, const call_context& ctx) -> result<json> {
         TRY_VOID(only_members(req, {}));
         TRY(t, svc.enable(ctx));
         return issued_json(svc, t, *endpoint);
       }});
  add({"CreateScimAccessToken", false, [&svc, endpoint](const json& req, const call_context& ctx) -> result<json> {
         TRY_VOID(only_members(req, {}));
         TRY(t, svc.create_token(ctx));
         return issued_json(svc, t, *endpoint);
       }});
  add({"DisableAutomaticProvisioning", false, [&svc](const json& req, const call_context& ctx) -> result<json> {
         TRY_VOID(only_members(req, {}));
         TRY_VOID(svc.disable(ctx));
         return json::object();
       }});
  add({"DescribeAutomaticProvisioning", true, [&svc, endpoint](const json& req, const call_context& ctx) -> result<json> {
         TRY_VOID(only_members(req, {}));
         TRY(s, svc.describe(ctx));
         return json{{"Enabled", s.enabled}, {"ScimEndpoint", *endpoint}, {"AccessTokens", tokens_json(svc, s.tokens)}};
       }});
  add({"ListScimAccessTokens", true, [&svc](const json& req, const call_context& ctx) -> result<json> {
         TRY_VOID(only_members(req, {}));
         TRY(s, svc.describe(ctx));
         return json{{"AccessTokens", tokens_json(svc, s.tokens)}};
       }});
  add({"DeleteScimAccessToken", false, [&svc](const json& req, const call_context& ctx) -> result<json> {
         TRY_VOID(only_members(req, {"TokenId"}));
         TRY(id, required_string(req, "TokenId"));
         TRY_VOID(svc.delete_token(ctx, id));
         return json::object();
       }});
}

}  // namespace atrium::proto::aws
