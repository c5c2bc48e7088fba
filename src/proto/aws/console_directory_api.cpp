#include "proto/aws/console_directory_api.hpp"

#include "base/try.hpp"
#include "proto/aws/identitystore_shapes.hpp"
#include "proto/aws/sso_admin_api.hpp"

namespace atrium::proto::aws {

using nlohmann::json;
using service::call_context;

namespace {

constexpr std::size_t max_search_prefix = 128;

result<bool> descending_of(const json& req) {
  TRY(order, sso_optional_string(req, "SortOrder", 1, 16));
  if (!order || *order == "ASCENDING") return false;
  if (*order == "DESCENDING") return true;
  return invalid("SortOrder must be ASCENDING or DESCENDING.");
}

result<store::user_sort> sort_of(const json& req) {
  TRY(by, sso_optional_string(req, "SortBy", 1, 16));
  if (!by || *by == "USER_NAME") return store::user_sort::user_name;
  if (*by == "DISPLAY_NAME") return store::user_sort::display_name;
  if (*by == "EMAIL") return store::user_sort::email;
  return invalid("SortBy must be USER_NAME, DISPLAY_NAME or EMAIL.");
}

result<service::directory_query> query_of(const json& req) {
  service::directory_query q;
  TRY(prefix, sso_optional_string(req, "Prefix", 0, max_search_prefix));
  q.prefix = prefix.value_or("");
  for (unsigned char ch : q.prefix)
    if (ch < 0x20 || ch == 0x7f) return invalid("Prefix must not contain control characters.");
  TRY(desc, descending_of(req));
  q.descending = desc;
  TRY(max, sso_max_results(req, 25));
  q.max = max;
  TRY(token, sso_next_token(req));
  q.next_token = token;
  return q;
}

json search_page(json items, const char* key, const std::optional<std::string>& next) {
  json out = {{key, std::move(items)}};
  if (next) out["NextToken"] = *next;
  return out;
}

}  // namespace

directory_search_api::directory_search_api(service::identity_services& identity)
    : json_api({"AtriumAdmin", "directory-search", "sso-directory", "sso-directory.amazonaws.com",
                {"Prefix", "SortBy", "SortOrder", "MaxResults", "GroupId", "MemberGroupId"}}) {
  add({"SearchUsers", true, [&identity](const json& req, const call_context& ctx) -> result<json> {
         TRY_VOID(sso_only_members(req, {"Prefix", "SortBy", "SortOrder", "MaxResults", "NextToken"}));
         TRY(q, query_of(req));
         TRY(sort, sort_of(req));
         q.sort = sort;
         TRY(l, identity.search.search_users(ctx, q));
         json users = json::array();
         for (const auto& u : l.items) users.push_back(user_to_json(u, identity.identity_store_id(), false));
         return search_page(std::move(users), "Users", l.next_token);
       }});
  add({"SearchGroups", true, [&identity](const json& req, const call_context& ctx) -> result<json> {
         TRY_VOID(sso_only_members(req, {"Prefix", "SortOrder", "MaxResults", "NextToken"}));
         TRY(q, query_of(req));
         TRY(l, identity.search.search_groups(ctx, q));
         json groups = json::array();
         for (const auto& g : l.items) groups.push_back(group_to_json(g, identity.identity_store_id()));
         return search_page(std::move(groups), "Groups", l.next_token);
       }});
  // Nested groups (identitystore's MemberId names users only): a group as a member of another.
  add({"AddMemberToGroup", false, [&identity](const json& req, const call_context& ctx) -> result<json> {
         TRY_VOID(sso_only_members(req, {"GroupId", "MemberGroupId"}));
         TRY(parent, sso_required_string(req, "GroupId", 1, 47));
         TRY(child, sso_required_string(req, "MemberGroupId", 1, 47));
         TRY(id, identity.nesting.add_child(ctx, parent, child));
         return json{{"GroupId", parent}, {"MemberGroupId", child}, {"MembershipId", id}};
       }});
  add({"RemoveMemberFromGroup", false, [&identity](const json& req, const call_context& ctx) -> result<json> {
         TRY_VOID(sso_only_members(req, {"GroupId", "MemberGroupId"}));
         TRY(parent, sso_required_string(req, "GroupId", 1, 47));
         TRY(child, sso_required_string(req, "MemberGroupId", 1, 47));
         TRY_VOID(identity.nesting.remove_child(ctx, parent, child));
         return json::object();
       }});
  // The group's member groups and its effective users (directly or through nested groups; the
  // first 500 with the total), what access decisions use.
  add({"ListMembersInGroup", true, [&identity](const json& req, const call_context& ctx) -> result<json> {
         TRY_VOID(sso_only_members(req, {"GroupId"}));
         TRY(id, sso_required_string(req, "GroupId", 1, 47));
         TRY(m, identity.nesting.members(ctx, id, 500));
         json groups = json::array();
         for (const auto& g : m.child_groups) groups.push_back({{"GroupId", g.id}, {"DisplayName", g.name}});
         json users = json::array();
         for (const auto& u : m.effective_users) users.push_back({{"UserId", u.id}, {"UserName", u.name}, {"Direct", u.direct}});
         return json{{"GroupId", id}, {"MemberGroups", groups}, {"EffectiveUsers", users},
                     {"EffectiveUserCount", m.effective_user_count}};
       }});
}

namespace {

json session_settings_json(const service::portal_session_duration& d) {
  return {{"SessionDurationMinutes", d.duration.count()}, {"Default", d.is_default}};
}

}  // namespace

portal_session_api::portal_session_api(service::portal_session_settings& settings)
    : json_api({"AtriumAdmin", "portal-session", "sso", "sso.amazonaws.com", {"SessionDurationMinutes"}}) {
  add({"GetPortalSessionSettings", true, [&settings](const json& req, const call_context& ctx) -> result<json> {
         TRY_VOID(sso_only_members(req, {}));
         TRY(d, settings.get(ctx));
         return session_settings_json(d);
       }});
  add({"UpdatePortalSessionSettings", false, [&settings](const json& req, const call_context& ctx) -> result<json> {
         TRY_VOID(sso_only_members(req, {"SessionDurationMinutes"}));
         auto it = req.find("SessionDurationMinutes");
         if (it == req.end() || !it->is_number_integer())
           return invalid("SessionDurationMinutes must be an integer number of minutes (15-129600).");
         auto n = it->get<int64_t>();
         if (n < service::min_portal_session.count() || n > service::max_portal_session.count())
           return invalid("SessionDurationMinutes must be between 15 (15 minutes) and 129600 (90 days).");
         TRY(d, settings.set(ctx, std::chrono::minutes(n)));
         return session_settings_json(d);
       }});
}

}  // namespace atrium::proto::aws
