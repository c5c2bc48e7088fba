#include "proto/aws/provisioning_api.hpp"

#include <array>

#include "proto/aws/identitystore_shapes.hpp"

namespace atrium::proto::aws {

using nlohmann::json;

namespace {

struct op_info {
  std::string_view name;
  bool read_only;
};

constexpr std::array<op_info, 6> operations = {{
    {"EnableAutomaticProvisioning", false},
    {"DisableAutomaticProvisioning", false},
    {"DescribeAutomaticProvisioning", true},
    {"CreateScimAccessToken", false},
    {"ListScimAccessTokens", true},
    {"DeleteScimAccessToken", false},
}};

}  // namespace

bool provisioning_api::has(std::string_view operation) const {
  for (const auto& o : operations)
    if (o.name == operation) return true;
  return false;
}

bool provisioning_api::is_read_only(std::string_view operation) const {
  for (const auto& o : operations)
    if (o.name == operation) return o.read_only;
  return false;
}

json provisioning_api::token_json(const service::scim_token_info& t) const {
  json j = {{"TokenId", t.id},
            {"CreatedAt", epoch_seconds(t.created_at)},
            {"ExpiresAt", epoch_seconds(t.expires_at)},
            {"ExpiresSoon", svc_.expires_soon(t)}};
  if (t.last_used_at) j["LastUsedAt"] = epoch_seconds(*t.last_used_at);
  return j;
}

result<json> provisioning_api::call(std::string_view op, const json& req, const service::call_context& ctx) {
  auto issued = [&](const service::issued_token& t) {
    json j = token_json(t.info);
    j["AccessToken"] = t.token;
    j["ScimEndpoint"] = endpoint_;
    return j;
  };
  if (op == "EnableAutomaticProvisioning" || op == "CreateScimAccessToken") {
    if (auto r = only_members(req, {}); !r) return std::unexpected(r.error());
    auto t = op == "EnableAutomaticProvisioning" ? svc_.enable(ctx) : svc_.create_token(ctx);
    if (!t) return std::unexpected(t.error());
    return issued(*t);
  }
  if (op == "DisableAutomaticProvisioning") {
    if (auto r = only_members(req, {}); !r) return std::unexpected(r.error());
    auto r = svc_.disable(ctx);
    if (!r) return std::unexpected(r.error());
    return json::object();
  }
  if (op == "DescribeAutomaticProvisioning" || op == "ListScimAccessTokens") {
    if (auto r = only_members(req, {}); !r) return std::unexpected(r.error());
    auto s = svc_.describe(ctx);
    if (!s) return std::unexpected(s.error());
    json tokens = json::array();
    for (const auto& t : s->tokens) tokens.push_back(token_json(t));
    if (op == "ListScimAccessTokens") return json{{"AccessTokens", tokens}};
    return json{{"Enabled", s->enabled}, {"ScimEndpoint", endpoint_}, {"AccessTokens", tokens}};
  }
  if (op == "DeleteScimAccessToken") {
    if (auto r = only_members(req, {"TokenId"}); !r) return std::unexpected(r.error());
    auto id = required_string(req, "TokenId");
    if (!id) return std::unexpected(id.error());
    auto r = svc_.delete_token(ctx, *id);
    if (!r) return std::unexpected(r.error());
    return json::object();
  }
  return fail(errc::validation, "Unknown operation.");
}

}  // namespace atrium::proto::aws
