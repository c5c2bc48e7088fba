#include "proto/aws/console_access_api.hpp"

#include "base/try.hpp"
#include "proto/aws/sso_admin_api.hpp"

namespace atrium::proto::aws {

using nlohmann::json;
using service::call_context;

namespace {

// Policy documents: IAM's limit for a user's inline policies (2,048 characters is managed
// policies' per-version limit; user inline policies may be 2,048 non-whitespace characters).
constexpr std::size_t max_console_policy_bytes = 10240;

result<service::console_principal_ref> console_principal_of(const json& req) {
  TRY(type, sso_required_string(req, "PrincipalType", 4, 5));
  if (type != "USER" && type != "GROUP") return invalid("PrincipalType must be USER or GROUP.");
  TRY(id, sso_required_string(req, "PrincipalId", 1, 47));
  return service::console_principal_ref{type, id};
}

json console_access_json(const store::console_policy_record& r) {
  return {{"PrincipalType", r.principal_type}, {"PrincipalId", r.principal_id}, {"PolicyName", r.name},
          {"Inline", r.document.has_value()}};
}

}  // namespace

console_access_api::console_access_api(service::console_access& svc)
    : json_api({"AtriumAdmin", "console-access", "sso", "sso.amazonaws.com", {"PrincipalType", "PrincipalId", "PolicyName"}},
               [](const error& e) {
                 aws_error out = to_aws_error(e);
                 out.extra.erase("Reason");
                 return out;
               }) {
  add({"GrantConsoleAccess", false, [&svc](const json& req, const call_context& ctx) -> result<json> {
         TRY_VOID(sso_only_members(req, {"PrincipalType", "PrincipalId", "PolicyName", "PolicyDocument"}));
         TRY(who, console_principal_of(req));
         TRY(name, sso_required_string(req, "PolicyName", 1, 128));
         TRY(doc, sso_optional_string(req, "PolicyDocument", 1, max_console_policy_bytes));
         TRY_VOID(svc.grant(ctx, who, {name, doc}));
         return json{{"ConsoleAccess", console_access_json({who.type, who.id, name, doc, {}})}};
       }});
  add({"RevokeConsoleAccess", false, [&svc](const json& req, const call_context& ctx) -> result<json> {
         TRY_VOID(sso_only_members(req, {"PrincipalType", "PrincipalId", "PolicyName"}));
         TRY(who, console_principal_of(req));
         TRY(name, sso_required_string(req, "PolicyName", 1, 128));
         TRY_VOID(svc.revoke(ctx, who, name));
         return json::object();
       }});
  add({"ListConsoleAccess", true, [&svc](const json& req, const call_context& ctx) -> result<json> {
         TRY_VOID(sso_only_members(req, {"PrincipalType", "PrincipalId"}));
         std::optional<service::console_principal_ref> of;
         if (req.contains("PrincipalType") || req.contains("PrincipalId")) {
           TRY(p, console_principal_of(req));
           of = p;
         }
         TRY(rows, svc.list(ctx, of));
         json out = json::array();
         for (const auto& r : rows) out.push_back(console_access_json(r));
         return json{{"ConsoleAccess", out}};
       }});
}

namespace {

json_operation user_status_operation(service::user_service& users, const char* name, bool active) {
  return {name, false, [&users, active](const json& req, const call_context& ctx) -> result<json> {
            TRY_VOID(sso_only_members(req, {"UserId"}));
            TRY(id, sso_required_string(req, "UserId", 1, 47));
            TRY(v, users.modify_user(
                       ctx, id,
                       [active](const domain::user& cur) -> result<domain::user> {
                         domain::user next = cur;
                         next.active = active;
                         return next;
                       },
                       std::nullopt, {false, false}));
            (void)v;
            return json{{"UserId", id}, {"UserStatus", active ? "ENABLED" : "DISABLED"}};
          }};
}

}  // namespace

directory_users_api::directory_users_api(service::user_service& users)
    : json_api({"AtriumAdmin", "directory-users", "sso-directory", "sso-directory.amazonaws.com", {"UserId"}}) {
  add(user_status_operation(users, "DisableUser", false));
  add(user_status_operation(users, "EnableUser", true));
}

}  // namespace atrium::proto::aws
