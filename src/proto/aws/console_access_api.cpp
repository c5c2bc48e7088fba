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

json mfa_device_json(const service::mfa_device& d) {
  json j = {{"DeviceId", d.id}, {"Type", service::to_string(d.kind)}, {"Name", d.name},
            {"CreatedAt", epoch_seconds(d.created)}};
  if (d.last_used) j["LastUsedAt"] = epoch_seconds(*d.last_used);
  return j;
}

}  // namespace

directory_users_api::directory_users_api(service::user_service& users, service::mfa_service& mfa,
                                         service::password_service& passwords)
    : json_api({"AtriumAdmin", "directory-users", "sso-directory", "sso-directory.amazonaws.com", {"UserId", "DeviceId"}}) {
  add(user_status_operation(users, "DisableUser", false));
  add(user_status_operation(users, "EnableUser", true));
  // A user's MFA devices (the service console's user page, "MFA devices"; the same use case as
  // `atrium admin mfa devices list|delete`).
  add({"ListMfaDevicesForUser", true, [&mfa](const json& req, const call_context&) -> result<json> {
         TRY_VOID(sso_only_members(req, {"UserId"}));
         TRY(id, sso_required_string(req, "UserId", 1, 47));
         TRY(devs, mfa.devices(id));
         json out = json::array();
         for (const auto& d : devs) out.push_back(mfa_device_json(d));
         return json{{"UserId", id}, {"MfaDevices", out}};
       }});
  add({"DeleteMfaDeviceForUser", false, [&mfa](const json& req, const call_context& ctx) -> result<json> {
         TRY_VOID(sso_only_members(req, {"UserId", "DeviceId"}));
         TRY(id, sso_required_string(req, "UserId", 1, 47));
         TRY(dev, sso_required_string(req, "DeviceId", 1, 64));
         TRY_VOID(mfa.remove(ctx, id, dev));
         return json::object();
       }});
  // The guide's "Reset user password": a reset link by e-mail, or a one-time password shown once
  // to the administrator (the same use cases and CloudTrail names as `atrium admin user
  // reset-password --email | --one-time-password`). The password is in the response only: the
  // audit record keeps the request's UserId.
  add({"SendPasswordResetEmail", false, [&passwords](const json& req, const call_context& ctx) -> result<json> {
         TRY_VOID(sso_only_members(req, {"UserId"}));
         TRY(id, sso_required_string(req, "UserId", 1, 47));
         TRY_VOID(passwords.send_reset_link(ctx, id));
         return json{{"UserId", id}, {"Mailed", true}};
       }});
  add({"GenerateOneTimePassword", false, [&passwords](const json& req, const call_context& ctx) -> result<json> {
         TRY_VOID(sso_only_members(req, {"UserId"}));
         TRY(id, sso_required_string(req, "UserId", 1, 47));
         TRY(otp, passwords.generate_one_time_password(ctx, id));
         return json{{"UserId", id}, {"OneTimePassword", otp}};
       }});
}

namespace {

json mfa_settings_json(const service::mfa_settings& s) {
  json types = json::array();
  if (s.totp_allowed) types.push_back("totp");
  if (s.webauthn_allowed) types.push_back("webauthn");
  return {{"Mode", service::to_string(s.mode)}, {"Types", types}, {"WithoutDevice", service::to_string(s.without_device)},
          {"UsersManageDevices", s.users_manage_devices}};
}

result<service::mfa_settings> mfa_settings_edit(service::mfa_settings s, const json& req) {
  TRY(mode, sso_optional_string(req, "Mode", 1, 32));
  TRY(without, sso_optional_string(req, "WithoutDevice", 1, 32));
  if (mode) {
    TRY(m, service::parse_mfa_mode(*mode));
    s.mode = m;
  }
  if (without) {
    TRY(p, service::parse_no_device_policy(*without));
    s.without_device = p;
  }
  if (auto t = req.find("Types"); t != req.end()) {
    if (!t->is_array() || t->size() > 2) return invalid("Types is a list of totp and webauthn.");
    s.totp_allowed = s.webauthn_allowed = false;
    for (const auto& v : *t) {
      if (v == "totp") s.totp_allowed = true;
      else if (v == "webauthn") s.webauthn_allowed = true;
      else return invalid("Types is a list of totp and webauthn.");
    }
  }
  if (auto u = req.find("UsersManageDevices"); u != req.end()) {
    if (!u->is_boolean()) return invalid("UsersManageDevices must be true or false.");
    s.users_manage_devices = u->get<bool>();
  }
  return s;
}

}  // namespace

mfa_settings_api::mfa_settings_api(service::mfa_service& mfa)
    : json_api({"AtriumAdmin", "mfa-settings", "sso", "sso.amazonaws.com", {}}) {
  add({"GetMfaDeviceManagementForDirectory", true, [&mfa](const json& req, const call_context&) -> result<json> {
         TRY_VOID(sso_only_members(req, {}));
         TRY(s, mfa.settings());
         return mfa_settings_json(s);
       }});
  add({"PutMfaDeviceManagementForDirectory", false, [&mfa](const json& req, const call_context& ctx) -> result<json> {
         TRY_VOID(sso_only_members(req, {"Mode", "Types", "WithoutDevice", "UsersManageDevices"}));
         TRY(cur, mfa.settings());
         TRY(next, mfa_settings_edit(cur, req));
         TRY_VOID(mfa.set_settings(ctx, next));
         return mfa_settings_json(next);
       }});
}

}  // namespace atrium::proto::aws
