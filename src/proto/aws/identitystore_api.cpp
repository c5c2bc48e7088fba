#include "proto/aws/identitystore_api.hpp"

#include "base/try.hpp"
#include "domain/ids.hpp"
#include "proto/aws/identitystore_shapes.hpp"
#include "proto/aws/identitystore_wire_text.hpp"

namespace atrium::proto::aws {

using nlohmann::json;

namespace {

// Kept as sent in CloudTrail's requestParameters (json_api.hpp).
const std::vector<std::string_view> identitystore_audited = {"IdentityStoreId", "UserId",   "GroupId",    "MembershipId",
                                        "MemberId",        "GroupIds", "MaxResults", "Extensions"};

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

using service::call_context;
using service::identity_services;

// ---- users ----

json created_user_json(identity_services& svc, const domain::user& created) {
  return json{{"UserId", created.id}, {"IdentityStoreId", svc.identity_store_id()}};
}

result<json> create_user(identity_services& svc, const json& req, const call_context& ctx) {
  TRY(u, user_from_request(req));
  TRY(created, svc.users.create_user(ctx, std::move(u)));
  return created_user_json(svc, created);
}

// The same call without a parked worker: the group commit's completion answers (issue 18 item 3).
void create_user_async(identity_services& svc, const json& req, const call_context& ctx, store::post_fn post,
                       json_done done) {
  auto u = user_from_request(req);
  if (!u) return done(std::unexpected(u.error()));
  svc.users.create_user_then(ctx, std::move(*u), std::move(post),
                             [&svc, done = std::move(done)](result<domain::user> created) {
                               if (!created) return done(std::unexpected(created.error()));
                               done(created_user_json(svc, *created));
                             });
}

// DescribeUser's user and whether the answer carries the enterprise extension.
struct described_user {
  domain::user user;
  bool with_enterprise = false;
};

result<described_user> read_described_user(identity_services& svc, const json& req, const call_context& ctx) {
  TRY_VOID(only_members(req, {"IdentityStoreId", "UserId", "Extensions"}));
  TRY(id, required_resource_id(req, "UserId"));
  TRY(ext, wants_enterprise(req));
  TRY(u, svc.users.describe_user(ctx, id));
  return described_user{std::move(u), ext};
}

result<json> describe_user(identity_services& svc, const json& req, const call_context& ctx) {
  TRY(d, read_described_user(svc, req, ctx));
  return user_to_json(d.user, svc.identity_store_id(), d.with_enterprise);
}

result<std::string> describe_user_text(identity_services& svc, const json& req, const call_context& ctx) {
  TRY(d, read_described_user(svc, req, ctx));
  return user_text(d.user, svc.identity_store_id(), d.with_enterprise);
}

// UserId and the edit of an UpdateUser request.
result<std::pair<std::string, service::user_edit>> user_update_of(const json& req) {
  TRY_VOID(only_members(req, {"IdentityStoreId", "UserId", "Operations"}));
  TRY(id, required_resource_id(req, "UserId"));
  TRY(ops, attribute_operations(req));
  return std::pair{std::move(id), user_edit_of(std::move(ops))};
}

result<json> update_user(identity_services& svc, const json& req, const call_context& ctx) {
  TRY(u, user_update_of(req));
  TRY_VOID(svc.users.update_user(ctx, u.first, u.second));
  return json::object();
}

// An update's answer: {} once committed (json_done told on a worker thread).
template <class T>
std::function<void(result<T>)> updated_answer(json_done done) {
  return [done = std::move(done)](result<T> r) {
    if (!r) return done(std::unexpected(r.error()));
    done(json::object());
  };
}

void update_user_async(identity_services& svc, const json& req, const call_context& ctx, store::post_fn post,
                       json_done done) {
  auto u = user_update_of(req);
  if (!u) return done(std::unexpected(u.error()));
  svc.users.update_user_then(ctx, u->first, std::move(u->second), std::move(post),
                             updated_answer<domain::user>(std::move(done)));
}

// A delete's answer: {} once committed (json_done told on a worker thread).
std::function<void(result<std::monostate>)> empty_answer(json_done done) {
  return [done = std::move(done)](result<std::monostate> r) {
    if (!r) return done(std::unexpected(r.error()));
    done(json::object());
  };
}

result<std::string> deleted_user_id(const json& req) {
  TRY_VOID(only_members(req, {"IdentityStoreId", "UserId"}));
  return required_resource_id(req, "UserId");
}

result<json> delete_user(identity_services& svc, const json& req, const call_context& ctx) {
  TRY(id, deleted_user_id(req));
  TRY_VOID(svc.users.delete_user(ctx, id));
  return json::object();
}

void delete_user_async(identity_services& svc, const json& req, const call_context& ctx, store::post_fn post,
                       json_done done) {
  auto id = deleted_user_id(req);
  if (!id) return done(std::unexpected(id.error()));
  svc.users.delete_user_then(ctx, *id, std::move(post), empty_answer(std::move(done)));
}

struct listed_users {
  service::listing<domain::user> page;
  bool with_enterprise = false;
};

result<listed_users> read_listed_users(identity_services& svc, const json& req, const call_context& ctx) {
  TRY_VOID(only_members(req, {"IdentityStoreId", "MaxResults", "NextToken", "Filters", "Extensions"}));
  TRY(max, max_results(req));
  TRY(token, next_token(req));
  TRY(filter, single_filter(req, "UserName"));
  TRY(ext, wants_enterprise(req));
  store::user_filter f;
  if (filter) f.user_name_key = domain::fold_key(*filter);
  TRY(l, svc.users.list_users(ctx, f, token, max));
  return listed_users{std::move(l), ext};
}

result<json> list_users(identity_services& svc, const json& req, const call_context& ctx) {
  TRY(l, read_listed_users(svc, req, ctx));
  const auto& sid = svc.identity_store_id();
  return listing_json(l.page, "Users", [&](const domain::user& u) { return user_to_json(u, sid, l.with_enterprise); });
}

result<std::string> list_users_text(identity_services& svc, const json& req, const call_context& ctx) {
  TRY(l, read_listed_users(svc, req, ctx));
  return users_page_text(l.page.items, l.page.next_token, svc.identity_store_id(), l.with_enterprise);
}

result<json> get_user_id(identity_services& svc, const json& req, const call_context& ctx) {
  TRY_VOID(only_members(req, {"IdentityStoreId", "AlternateIdentifier"}));
  TRY(alt, alternate_identifier(req));
  TRY(id, svc.users.get_user_id(ctx, alt));
  return json{{"UserId", id}, {"IdentityStoreId", svc.identity_store_id()}};
}

// ---- groups ----

json created_group_json(identity_services& svc, const domain::group& created) {
  return json{{"GroupId", created.id}, {"IdentityStoreId", svc.identity_store_id()}};
}

result<json> create_group(identity_services& svc, const json& req, const call_context& ctx) {
  TRY(g, group_from_request(req));
  TRY(created, svc.groups.create_group(ctx, std::move(g)));
  return created_group_json(svc, created);
}

void create_group_async(identity_services& svc, const json& req, const call_context& ctx, store::post_fn post,
                        json_done done) {
  auto g = group_from_request(req);
  if (!g) return done(std::unexpected(g.error()));
  svc.groups.create_group_then(ctx, std::move(*g), std::move(post),
                               [&svc, done = std::move(done)](result<domain::group> created) {
                                 if (!created) return done(std::unexpected(created.error()));
                                 done(created_group_json(svc, *created));
                               });
}

result<domain::group> read_described_group(identity_services& svc, const json& req, const call_context& ctx) {
  TRY_VOID(only_members(req, {"IdentityStoreId", "GroupId"}));
  TRY(id, required_resource_id(req, "GroupId"));
  return svc.groups.describe_group(ctx, id);
}

result<json> describe_group(identity_services& svc, const json& req, const call_context& ctx) {
  TRY(g, read_described_group(svc, req, ctx));
  return group_to_json(g, svc.identity_store_id());
}

result<std::string> describe_group_text(identity_services& svc, const json& req, const call_context& ctx) {
  TRY(g, read_described_group(svc, req, ctx));
  return group_text(g, svc.identity_store_id());
}

result<std::pair<std::string, service::group_attribute_edit>> group_update_of(const json& req) {
  TRY_VOID(only_members(req, {"IdentityStoreId", "GroupId", "Operations"}));
  TRY(id, required_resource_id(req, "GroupId"));
  TRY(ops, attribute_operations(req));
  return std::pair{std::move(id), group_edit_of(std::move(ops))};
}

result<json> update_group(identity_services& svc, const json& req, const call_context& ctx) {
  TRY(g, group_update_of(req));
  TRY_VOID(svc.groups.update_group(ctx, g.first, g.second));
  return json::object();
}

void update_group_async(identity_services& svc, const json& req, const call_context& ctx, store::post_fn post,
                        json_done done) {
  auto g = group_update_of(req);
  if (!g) return done(std::unexpected(g.error()));
  svc.groups.update_group_then(ctx, g->first, std::move(g->second), std::move(post),
                               updated_answer<domain::group>(std::move(done)));
}

result<std::string> deleted_group_id(const json& req) {
  TRY_VOID(only_members(req, {"IdentityStoreId", "GroupId"}));
  return required_resource_id(req, "GroupId");
}

result<json> delete_group(identity_services& svc, const json& req, const call_context& ctx) {
  TRY(id, deleted_group_id(req));
  TRY_VOID(svc.groups.delete_group(ctx, id));
  return json::object();
}

void delete_group_async(identity_services& svc, const json& req, const call_context& ctx, store::post_fn post,
                        json_done done) {
  auto id = deleted_group_id(req);
  if (!id) return done(std::unexpected(id.error()));
  svc.groups.delete_group_then(ctx, *id, std::move(post), empty_answer(std::move(done)));
}

result<json> list_groups(identity_services& svc, const json& req, const call_context& ctx) {
  TRY_VOID(only_members(req, {"IdentityStoreId", "MaxResults", "NextToken", "Filters"}));
  TRY(max, max_results(req));
  TRY(token, next_token(req));
  TRY(filter, single_filter(req, "DisplayName"));
  store::group_filter f;
  if (filter) f.display_name_key = domain::fold_key(*filter);
  TRY(l, svc.groups.list_groups(ctx, f, token, max));
  const auto& sid = svc.identity_store_id();
  return listing_json(l, "Groups", [&](const domain::group& g) { return group_to_json(g, sid); });
}

result<json> get_group_id(identity_services& svc, const json& req, const call_context& ctx) {
  TRY_VOID(only_members(req, {"IdentityStoreId", "AlternateIdentifier"}));
  TRY(alt, alternate_identifier(req));
  TRY(id, svc.groups.get_group_id(ctx, alt));
  return json{{"GroupId", id}, {"IdentityStoreId", svc.identity_store_id()}};
}

// ---- memberships ----

json membership_id_json(const std::string& id, const std::string& sid) {
  return json{{"MembershipId", id}, {"IdentityStoreId", sid}};
}

// GroupId and the member's user id of a membership request.
result<std::pair<std::string, std::string>> membership_ends(const json& req) {
  TRY_VOID(only_members(req, {"IdentityStoreId", "GroupId", "MemberId"}));
  TRY(group_id, required_resource_id(req, "GroupId"));
  TRY(user_id, member_user_id(req));
  return std::pair{std::move(group_id), std::move(user_id)};
}

result<json> create_membership(identity_services& svc, const json& req, const call_context& ctx) {
  TRY(ends, membership_ends(req));
  TRY(m, svc.memberships.create_membership(ctx, ends.first, ends.second));
  return membership_id_json(m.id, svc.identity_store_id());
}

void create_membership_async(identity_services& svc, const json& req, const call_context& ctx, store::post_fn post,
                             json_done done) {
  auto ends = membership_ends(req);
  if (!ends) return done(std::unexpected(ends.error()));
  svc.memberships.create_membership_then(
      ctx, ends->first, ends->second, std::move(post),
      [&svc, done = std::move(done)](result<domain::membership> m) {
        if (!m) return done(std::unexpected(m.error()));
        done(membership_id_json(m->id, svc.identity_store_id()));
      });
}

result<json> get_membership_id(identity_services& svc, const json& req, const call_context& ctx) {
  TRY_VOID(only_members(req, {"IdentityStoreId", "GroupId", "MemberId"}));
  TRY(group_id, required_resource_id(req, "GroupId"));
  TRY(user_id, member_user_id(req));
  TRY(id, svc.memberships.get_membership_id(ctx, group_id, user_id));
  return membership_id_json(id, svc.identity_store_id());
}

result<domain::membership> read_described_membership(identity_services& svc, const json& req,
                                                     const call_context& ctx) {
  TRY_VOID(only_members(req, {"IdentityStoreId", "MembershipId"}));
  TRY(id, required_resource_id(req, "MembershipId"));
  return svc.memberships.describe_membership(ctx, id);
}

result<json> describe_membership(identity_services& svc, const json& req, const call_context& ctx) {
  TRY(m, read_described_membership(svc, req, ctx));
  return membership_to_json(m, svc.identity_store_id());
}

result<std::string> describe_membership_text(identity_services& svc, const json& req, const call_context& ctx) {
  TRY(m, read_described_membership(svc, req, ctx));
  return membership_text(m, svc.identity_store_id());
}

result<std::string> deleted_membership_id(const json& req) {
  TRY_VOID(only_members(req, {"IdentityStoreId", "MembershipId"}));
  return required_resource_id(req, "MembershipId");
}

result<json> delete_membership(identity_services& svc, const json& req, const call_context& ctx) {
  TRY(id, deleted_membership_id(req));
  TRY_VOID(svc.memberships.delete_membership(ctx, id));
  return json::object();
}

void delete_membership_async(identity_services& svc, const json& req, const call_context& ctx,
                             store::post_fn post, json_done done) {
  auto id = deleted_membership_id(req);
  if (!id) return done(std::unexpected(id.error()));
  svc.memberships.delete_membership_then(ctx, *id, std::move(post), empty_answer(std::move(done)));
}

result<json> list_memberships(identity_services& svc, const json& req, const call_context& ctx) {
  TRY_VOID(only_members(req, {"IdentityStoreId", "GroupId", "MaxResults", "NextToken"}));
  TRY(group_id, required_resource_id(req, "GroupId"));
  TRY(max, max_results(req));
  TRY(token, next_token(req));
  TRY(l, svc.memberships.list_memberships(ctx, group_id, token, max));
  const auto& sid = svc.identity_store_id();
  return listing_json(l, "GroupMemberships", [&](const domain::membership& m) { return membership_to_json(m, sid); });
}

result<json> list_memberships_for_member(identity_services& svc, const json& req, const call_context& ctx) {
  TRY_VOID(only_members(req, {"IdentityStoreId", "MemberId", "MaxResults", "NextToken"}));
  TRY(user_id, member_user_id(req));
  TRY(max, max_results(req));
  TRY(token, next_token(req));
  TRY(l, svc.memberships.list_memberships_for_member(ctx, user_id, token, max));
  const auto& sid = svc.identity_store_id();
  return listing_json(l, "GroupMemberships", [&](const domain::membership& m) { return membership_to_json(m, sid); });
}

result<json> is_member_in_groups(identity_services& svc, const json& req, const call_context& ctx) {
  TRY_VOID(only_members(req, {"IdentityStoreId", "MemberId", "GroupIds"}));
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
  TRY(results, svc.memberships.is_member_in_groups(ctx, user_id, ids));
  json out = json::array();
  for (const auto& r : results)
    out.push_back({{"GroupId", r.group_id}, {"MemberId", {{"UserId", user_id}}}, {"MembershipExists", r.exists}});
  return json{{"Results", out}};
}

// Every operation names the identity store first (before its own members are checked).
result<void> check_store(const identity_services& svc, const json& req) {
  if (!req.is_object()) return fail(errc::validation, "The request body must be a JSON object.");
  TRY(id, required_string(req, "IdentityStoreId"));
  if (!domain::is_identity_store_id(id))
    return fail(errc::validation, "IdentityStoreId '" + id.substr(0, 64) + "' is not valid.");
  if (id != svc.identity_store_id()) return not_found("IDENTITY_STORE", id);
  return {};
}

using operation_fn = result<json> (*)(identity_services&, const json&, const call_context&);

using async_operation_fn = void (*)(identity_services&, const json&, const call_context&, store::post_fn, json_done);

using text_operation_fn = result<std::string> (*)(identity_services&, const json&, const call_context&);

struct row {
  const char* name;
  bool read_only;
  operation_fn fn;
  async_operation_fn async = nullptr;  // writes answered by their commit's completion (issue 18 item 3)
  text_operation_fn text = nullptr;    // reads answered as text, the same bytes (issue 18 item 1)
};

constexpr row rows[] = {
    {"CreateUser", false, create_user, create_user_async},
    {"DescribeUser", true, describe_user, nullptr, describe_user_text},
    {"UpdateUser", false, update_user, update_user_async},
    {"DeleteUser", false, delete_user, delete_user_async},
    {"ListUsers", true, list_users, nullptr, list_users_text},
    {"GetUserId", true, get_user_id},
    {"CreateGroup", false, create_group, create_group_async},
    {"DescribeGroup", true, describe_group, nullptr, describe_group_text},
    {"UpdateGroup", false, update_group, update_group_async},
    {"DeleteGroup", false, delete_group, delete_group_async},
    {"ListGroups", true, list_groups},
    {"GetGroupId", true, get_group_id},
    {"CreateGroupMembership", false, create_membership, create_membership_async},
    {"DeleteGroupMembership", false, delete_membership, delete_membership_async},
    {"DescribeGroupMembership", true, describe_membership, nullptr, describe_membership_text},
    {"GetGroupMembershipId", true, get_membership_id},
    {"ListGroupMemberships", true, list_memberships},
    {"ListGroupMembershipsForMember", true, list_memberships_for_member},
    {"IsMemberInGroups", true, is_member_in_groups},
};

}  // namespace

identitystore_api::identitystore_api(service::identity_services& svc)
    : json_api({"AWSIdentityStore", "identitystore", "identitystore", "identitystore.amazonaws.com", identitystore_audited, true}) {
  for (const auto& r : rows) {
    json_async_handler async;
    if (r.async)
      async = [&svc, fn = r.async](const json& req, const call_context& ctx, store::post_fn post, json_done done) {
        if (auto ok = check_store(svc, req); !ok) return done(std::unexpected(ok.error()));
        fn(svc, req, ctx, std::move(post), std::move(done));
      };
    add({r.name, r.read_only, [&svc, fn = r.fn](const json& req, const call_context& ctx) -> result<json> {
           TRY_VOID(check_store(svc, req));
           return fn(svc, req, ctx);
         }, std::move(async)});
    if (r.text)
      add_text(r.name, [&svc, fn = r.text](const json& req, const call_context& ctx) -> result<std::string> {
        TRY_VOID(check_store(svc, req));
        return fn(svc, req, ctx);
      });
  }
}

}  // namespace atrium::proto::aws
