#include "proto/aws/identitystore_api.hpp"

#include <array>

#include "domain/ids.hpp"
#include "proto/aws/identitystore_shapes.hpp"

namespace atrium::proto::aws {

using nlohmann::json;

namespace {

struct op_info {
  std::string_view name;
  bool read_only;
};

constexpr std::array<op_info, 19> operations = {{
    {"CreateUser", false},          {"DescribeUser", true},
    {"UpdateUser", false},          {"DeleteUser", false},
    {"ListUsers", true},            {"GetUserId", true},
    {"CreateGroup", false},         {"DescribeGroup", true},
    {"UpdateGroup", false},         {"DeleteGroup", false},
    {"ListGroups", true},           {"GetGroupId", true},
    {"CreateGroupMembership", false}, {"DeleteGroupMembership", false},
    {"DescribeGroupMembership", true}, {"GetGroupMembershipId", true},
    {"ListGroupMemberships", true}, {"ListGroupMembershipsForMember", true},
    {"IsMemberInGroups", true},
}};

// Kept as sent in CloudTrail's requestParameters (json_api.hpp).
constexpr std::string_view audited[] = {"IdentityStoreId", "UserId",   "GroupId",    "MembershipId",
                                        "MemberId",        "GroupIds", "MaxResults", "Extensions"};

// Unwraps a result into `var` or returns its error from the enclosing function.
#define TRY(var, expr)                                       \
  auto var##_r = (expr);                                     \
  if (!var##_r) return std::unexpected(var##_r.error());     \
  auto& var = *var##_r

template <class T, class Encode>
json listing_json(const service::listing<T>& l, const char* key, Encode&& encode) {
  json items = json::array();
  for (const auto& x : l.items) items.push_back(encode(x));
  json out = {{key, items}};
  if (l.next_token) out["NextToken"] = *l.next_token;
  return out;
}

result<std::optional<std::string>> single_filter(const json& req, const char* allowed_path) {
  auto it = req.find("Filters");
  if (it == req.end() || it->is_null() || (it->is_array() && it->empty())) return std::nullopt;
  if (!it->is_array() || it->size() > 1)
    return fail(errc::validation, "Filters may hold at most one filter.");
  const json& f = it->front();
  TRY(path, required_string(f, "AttributePath"));
  TRY(value, required_string(f, "AttributeValue"));
  if (path != allowed_path)
    return fail(errc::validation, std::string("Filters: only the ") + allowed_path +
                                      " attribute path is supported.");
  return std::optional<std::string>(value);
}

}  // namespace

bool identitystore_api::has(std::string_view operation) const {
  for (const auto& o : operations)
    if (o.name == operation) return true;
  return false;
}

std::span<const std::string_view> identitystore_api::audited_members() const { return audited; }

bool identitystore_api::is_read_only(std::string_view operation) const {
  for (const auto& o : operations)
    if (o.name == operation) return o.read_only;
  return false;
}

result<void> identitystore_api::check_store(const json& req) const {
  TRY(id, required_string(req, "IdentityStoreId"));
  if (!domain::is_identity_store_id(id))
    return fail(errc::validation, "IdentityStoreId '" + id.substr(0, 64) + "' is not valid.");
  if (id != svc_.identity_store_id()) return not_found("IDENTITY_STORE", id);
  return {};
}

result<json> identitystore_api::call(std::string_view op, const json& req,
                                     const service::call_context& ctx) {
  if (!req.is_object()) return fail(errc::validation, "The request body must be a JSON object.");
  if (auto r = check_store(req); !r) return std::unexpected(r.error());
  if (op.find("Membership") != std::string_view::npos || op == "IsMemberInGroups")
    return memberships(op, req, ctx);
  if (op.find("Group") != std::string_view::npos) return groups(op, req, ctx);
  return users(op, req, ctx);
}

result<json> identitystore_api::users(std::string_view op, const json& req,
                                      const service::call_context& ctx) {
  const auto& sid = svc_.identity_store_id();
  if (op == "CreateUser") {
    TRY(u, user_from_request(req));
    TRY(created, svc_.create_user(ctx, std::move(u)));
    return json{{"UserId", created.id}, {"IdentityStoreId", sid}};
  }
  if (op == "DescribeUser") {
    if (auto r = only_members(req, {"IdentityStoreId", "UserId", "Extensions"}); !r) return std::unexpected(r.error());
    TRY(id, required_resource_id(req, "UserId"));
    TRY(ext, wants_enterprise(req));
    TRY(u, svc_.describe_user(ctx, id));
    return user_to_json(u, sid, ext);
  }
  if (op == "UpdateUser") {
    if (auto r = only_members(req, {"IdentityStoreId", "UserId", "Operations"}); !r) return std::unexpected(r.error());
    TRY(id, required_resource_id(req, "UserId"));
    TRY(ops, attribute_operations(req));
    TRY(u, svc_.update_user(ctx, id, ops));
    (void)u;
    return json::object();
  }
  if (op == "DeleteUser") {
    if (auto r = only_members(req, {"IdentityStoreId", "UserId"}); !r) return std::unexpected(r.error());
    TRY(id, required_resource_id(req, "UserId"));
    TRY(done, svc_.delete_user(ctx, id));
    (void)done;
    return json::object();
  }
  if (op == "ListUsers") {
    if (auto r = only_members(req, {"IdentityStoreId", "MaxResults", "NextToken", "Filters", "Extensions"}); !r)
      return std::unexpected(r.error());
    TRY(max, max_results(req));
    TRY(token, next_token(req));
    TRY(filter, single_filter(req, "UserName"));
    TRY(ext, wants_enterprise(req));
    store::user_filter f;
    if (filter) f.user_name_key = domain::fold_key(*filter);
    TRY(l, svc_.list_users(ctx, f, token, max));
    return listing_json(l, "Users", [&](const domain::user& u) { return user_to_json(u, sid, ext); });
  }
  if (op == "GetUserId") {
    if (auto r = only_members(req, {"IdentityStoreId", "AlternateIdentifier"}); !r) return std::unexpected(r.error());
    TRY(alt, alternate_identifier(req));
    TRY(id, svc_.get_user_id(ctx, alt));
    return json{{"UserId", id}, {"IdentityStoreId", sid}};
  }
  return fail(errc::validation, "Unknown operation.");
}

result<json> identitystore_api::groups(std::string_view op, const json& req,
                                       const service::call_context& ctx) {
  const auto& sid = svc_.identity_store_id();
  if (op == "CreateGroup") {
    TRY(g, group_from_request(req));
    TRY(created, svc_.create_group(ctx, std::move(g)));
    return json{{"GroupId", created.id}, {"IdentityStoreId", sid}};
  }
  if (op == "DescribeGroup") {
    if (auto r = only_members(req, {"IdentityStoreId", "GroupId"}); !r) return std::unexpected(r.error());
    TRY(id, required_resource_id(req, "GroupId"));
    TRY(g, svc_.describe_group(ctx, id));
    return group_to_json(g, sid);
  }
  if (op == "UpdateGroup") {
    if (auto r = only_members(req, {"IdentityStoreId", "GroupId", "Operations"}); !r) return std::unexpected(r.error());
    TRY(id, required_resource_id(req, "GroupId"));
    TRY(ops, attribute_operations(req));
    TRY(g, svc_.update_group(ctx, id, ops));
    (void)g;
    return json::object();
  }
  if (op == "DeleteGroup") {
    if (auto r = only_members(req, {"IdentityStoreId", "GroupId"}); !r) return std::unexpected(r.error());
    TRY(id, required_resource_id(req, "GroupId"));
    TRY(done, svc_.delete_group(ctx, id));
    (void)done;
    return json::object();
  }
  if (op == "ListGroups") {
    if (auto r = only_members(req, {"IdentityStoreId", "MaxResults", "NextToken", "Filters"}); !r)
      return std::unexpected(r.error());
    TRY(max, max_results(req));
    TRY(token, next_token(req));
    TRY(filter, single_filter(req, "DisplayName"));
    store::group_filter f;
    if (filter) f.display_name_key = domain::fold_key(*filter);
    TRY(l, svc_.list_groups(ctx, f, token, max));
    return listing_json(l, "Groups", [&](const domain::group& g) { return group_to_json(g, sid); });
  }
  if (op == "GetGroupId") {
    if (auto r = only_members(req, {"IdentityStoreId", "AlternateIdentifier"}); !r) return std::unexpected(r.error());
    TRY(alt, alternate_identifier(req));
    TRY(id, svc_.get_group_id(ctx, alt));
    return json{{"GroupId", id}, {"IdentityStoreId", sid}};
  }
  return fail(errc::validation, "Unknown operation.");
}

result<json> identitystore_api::memberships(std::string_view op, const json& req,
                                            const service::call_context& ctx) {
  const auto& sid = svc_.identity_store_id();
  auto encode = [&](const domain::membership& m) { return membership_to_json(m, sid); };
  if (op == "CreateGroupMembership" || op == "GetGroupMembershipId") {
    if (auto r = only_members(req, {"IdentityStoreId", "GroupId", "MemberId"}); !r) return std::unexpected(r.error());
    TRY(group_id, required_resource_id(req, "GroupId"));
    TRY(user_id, member_user_id(req));
    if (op == "GetGroupMembershipId") {
      TRY(id, svc_.get_membership_id(ctx, group_id, user_id));
      return json{{"MembershipId", id}, {"IdentityStoreId", sid}};
    }
    TRY(m, svc_.create_membership(ctx, group_id, user_id));
    return json{{"MembershipId", m.id}, {"IdentityStoreId", sid}};
  }
  if (op == "DescribeGroupMembership" || op == "DeleteGroupMembership") {
    if (auto r = only_members(req, {"IdentityStoreId", "MembershipId"}); !r) return std::unexpected(r.error());
    TRY(id, required_resource_id(req, "MembershipId"));
    if (op == "DeleteGroupMembership") {
      TRY(done, svc_.delete_membership(ctx, id));
      (void)done;
      return json::object();
    }
    TRY(m, svc_.describe_membership(ctx, id));
    return encode(m);
  }
  if (op == "ListGroupMemberships") {
    if (auto r = only_members(req, {"IdentityStoreId", "GroupId", "MaxResults", "NextToken"}); !r)
      return std::unexpected(r.error());
    TRY(group_id, required_resource_id(req, "GroupId"));
    TRY(max, max_results(req));
    TRY(token, next_token(req));
    TRY(l, svc_.list_memberships(ctx, group_id, token, max));
    return listing_json(l, "GroupMemberships", encode);
  }
  if (op == "ListGroupMembershipsForMember") {
    if (auto r = only_members(req, {"IdentityStoreId", "MemberId", "MaxResults", "NextToken"}); !r)
      return std::unexpected(r.error());
    TRY(user_id, member_user_id(req));
    TRY(max, max_results(req));
    TRY(token, next_token(req));
    TRY(l, svc_.list_memberships_for_member(ctx, user_id, token, max));
    return listing_json(l, "GroupMemberships", encode);
  }
  if (op == "IsMemberInGroups") {
    if (auto r = only_members(req, {"IdentityStoreId", "MemberId", "GroupIds"}); !r) return std::unexpected(r.error());
    TRY(user_id, member_user_id(req));
    auto it = req.find("GroupIds");
    if (it == req.end() || !it->is_array() || it->empty() || it->size() > 100)
      return fail(errc::validation, "GroupIds must be a list of 1-100 group identifiers.");
    std::vector<std::string> ids;
    for (const auto& g : *it) {
      if (!g.is_string() || !domain::is_resource_id(g.get<std::string>()))
        return fail(errc::validation, "GroupIds holds an invalid group identifier.");
      ids.push_back(g.get<std::string>());
    }
    TRY(results, svc_.is_member_in_groups(ctx, user_id, ids));
    json out = json::array();
    for (const auto& r : results)
      out.push_back({{"GroupId", r.group_id}, {"MemberId", {{"UserId", user_id}}},
                     {"MembershipExists", r.exists}});
    return json{{"Results", out}};
  }
  return fail(errc::validation, "Unknown operation.");
}

}  // namespace atrium::proto::aws
