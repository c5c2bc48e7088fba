// The signed-in user's API (session, sign-out, accounts, devices, password change) and the
// password routes before a session (forgot, reset) (docs/sign-in.md).
#include "base/json_text.hpp"
#include "base/strings.hpp"
#include "crypto/primitives.hpp"
#include "domain/identity.hpp"
#include "proto/portal/application_routes.hpp"
#include "proto/portal/portal_door.hpp"
#include "proto/portal/portal_http.hpp"
#include "service/signin/webauthn_ceremonies.hpp"

namespace atrium::proto::portal {

namespace {

using nlohmann::json;

json device_json(const service::mfa_device& d) {
  return {{"id", d.id}, {"type", d.kind == service::mfa_kind::totp ? "TOTP" : "WEBAUTHN"}, {"name", d.name},
          {"created", iso8601(d.created, false)},
          {"lastUsed", d.last_used ? json(iso8601(*d.last_used, false)) : json(nullptr)}};
}

json accounts_json(const std::vector<service::portal_account>& accounts) {
  json list = json::array();
  for (const auto& a : accounts) {
    json roles = json::array();
    for (const auto& r : a.roles)
      roles.push_back({{"permissionSetName", r.permission_set_name}, {"permissionSetArn", r.permission_set_arn},
                       {"description", r.description ? json(*r.description) : json(nullptr)}});
    list.push_back({{"accountId", a.account_id}, {"accountName", a.account_name}, {"email", a.email}, {"roles", roles}});
  }
  return {{"accounts", list}, {"applications", json::array()}};
}

}  // namespace

result<response> portal_door::session_route(call& c, std::string_view rest) {
  if (rest == "session") {
    if (!c.session) return json_answer({{"signedIn", false}});
    const auto& u = c.session->user;
    json j = {{"signedIn", true},
              {"user", {{"id", u.id}, {"userName", u.user_name}, {"displayName", u.display_name.value_or(u.user_name)}}},
              {"csrfToken", c.session->csrf_token},
              {"expiresAt", iso8601(c.session->record.expires_at, false)}};
    // The user signs in through an external IdP (issue 17 item 6): MFA is the IdP's business,
    // and the devices page says so.
    if (svc_.sp) {
      auto password = svc_.sp->password_sign_in_allowed(u.user_name);
      if (password && !*password) j["mfaManagedByIdentityProvider"] = true;
    }
    // The admin console (issue 14): the navigation offers it only to users who may open it.
    if (svc_.console) {
      auto who = svc_.console->principal_for(u);
      if (who && *who) j["consoleAccess"] = true;
    }
    return json_answer(j);
  }
  if (rest == "signout") {
    auto ctx = svc_.sign_in.user_context(c.client, c.session->user.user_name);
    ctx.event_source = "sso.amazonaws.com";  // the portal's own events, as CloudTrail shows them
    ctx.event_name = "Logout";
    if (auto e = svc_.sessions.end(ctx, c.session_token); !e) return from_error(e.error());
    c.set_cookies.push_back(clear_cookie(session_cookie_name));
    auto r = json_answer(json::object());
    r.operation = "portal.SignOut";
    return r;
  }
  if (rest == "portal/accounts" && c.req.method == "GET") {
    auto a = svc_.accounts.of_user(c.session->user.id);
    if (!a) return from_error(a.error());
    auto listing = accounts_json(*a);
    if (svc_.applications) {
      auto apps = svc_.applications->for_user(c.session->user.id);
      if (!apps) return from_error(apps.error());
      listing["applications"] = application_tiles_json(*apps);
    }
    auto r = json_answer(listing);
    r.operation = "portal.ListAccounts";
    return r;
  }
  return error_answer(404, "NotFound", "No such portal API.");
}

result<response> portal_door::password_route(call& c, std::string_view rest) {
  auto& sign_in = svc_.sign_in;
  const auto& b = c.body;
  auto ctx = sign_in.user_context(c.client, c.session ? c.session->user.user_name : std::string());
  ctx.event_source = "sso.amazonaws.com";
  if (rest == "password/forgot") {
    TRY(name, text_field(b, "userName", max_user_name));
    // Each request counts like a failure (so that one address cannot mail-bomb a user); the
    // answer is the same whether or not the user exists.
    std::string key = "f:" + domain::fold_key(trim(name));
    if (auto ok = sign_in.admit(key, c.client.source_ip); !ok) return from_error(ok.error());
    sign_in.throttle().failure(key, c.client.source_ip);
    auto user = sign_in.resolve(trim(name));
    if (!user) return from_error(user.error());
    ctx.event_name = "ForgotPassword";
    auto sent = svc_.passwords.forgot(ctx, *user && (*user)->active ? (*user)->user_name : std::string(trim(name)));
    if (!sent) return from_error(sent.error());
    return json_answer(json::object());
  }
  if (rest == "password/reset") {
    TRY(token, text_field(b, "token", max_token));
    TRY(password, text_field(b, "newPassword", max_password));
    std::string key = "t:" + crypto::sha256_hex(token).substr(0, 16);
    if (auto ok = sign_in.admit(key, c.client.source_ip); !ok) return from_error(ok.error());
    ctx.event_name = "ResetPassword";
    auto set = svc_.passwords.set_with_token(ctx, token, password);
    if (!set) {
      sign_in.throttle().failure(key, c.client.source_ip);
      return from_error(set.error(), true);
    }
    // A new password ends every session the old one opened.
    (void)svc_.sessions.end_all_of(*set);
    return json_answer(json::object());
  }
  if (rest == "password/change" && c.req.method == "POST") {
    TRY(current, text_field(b, "currentPassword", max_password));
    TRY(next, text_field(b, "newPassword", max_password));
    const auto& user = c.session->user;
    std::string key = "u:" + user.id;
    if (auto ok = sign_in.admit(key, c.client.source_ip); !ok) return from_error(ok.error());
    ctx.event_name = "ChangePassword";
    auto changed = svc_.passwords.change(ctx, user.id, current, next);
    if (!changed) {
      if (changed.error().code == errc::unauthenticated) sign_in.throttle().failure(key, c.client.source_ip);
      return from_error(changed.error(), true);
    }
    return json_answer(json::object());
  }
  return error_answer(404, "NotFound", "No such portal API.");
}

result<response> portal_door::devices_route(call& c, std::string_view rest) {
  const auto& user = c.session->user;
  auto settings = svc_.mfa.settings();
  if (!settings) return from_error(settings.error());
  bool can_manage = settings->users_manage_devices;
  auto ctx = svc_.sign_in.user_context(c.client, user.user_name);
  ctx.event_source = "sso.amazonaws.com";
  if (rest == "devices") {
    if (c.req.method != "GET") return error_answer(405, "InvalidRequest", "Use GET.");
    auto devices = svc_.mfa.devices(user.id);
    if (!devices) return from_error(devices.error());
    json list = json::array();
    for (const auto& d : *devices) list.push_back(device_json(d));
    return json_answer({{"devices", list}, {"canManage", can_manage}});
  }
  if (!can_manage) return error_answer(403, "Forbidden", "Only administrators manage MFA devices here.");
  const auto& b = c.body;
  std::string key = "u:" + user.id;
  if (rest == "devices/totp/begin") {
    auto e = svc_.mfa.begin_totp(user.id, user.user_name);
    if (!e) return from_error(e.error());
    return json_answer({{"enrollmentId", e->enrollment_id}, {"secret", e->secret_base32},
                        {"otpauthUri", e->otpauth_uri}, {"qrSvg", e->qr_svg}});
  }
  if (rest == "devices/totp/finish") {
    TRY(enrollment, text_field(b, "enrollmentId", max_id));
    TRY(code, code_field(b, "code"));
    TRY(name, text_field(b, "name", max_device_name, false));
    if (auto ok = svc_.sign_in.admit(key, c.client.source_ip); !ok) return from_error(ok.error());
    auto d = svc_.mfa.finish_totp(ctx, user.id, enrollment, code, name);
    if (!d) {
      if (d.error().code == errc::validation) svc_.sign_in.throttle().failure(key, c.client.source_ip);
      return from_error(d.error());
    }
    return json_answer({{"device", device_json(*d)}});
  }
  if (rest == "devices/webauthn/begin") {
    auto o = svc_.mfa.webauthn().begin_registration(user.id, user.user_name, user.display_name.value_or(user.user_name));
    if (!o) return from_error(o.error());
    return json_answer({{"publicKey", from_json_text(*o)}});
  }
  if (rest == "devices/webauthn/finish") {
    TRY(cred, credential_field(b, "credential"));
    TRY(name, text_field(b, "name", max_device_name, false));
    auto d = svc_.mfa.webauthn().finish_registration(ctx, user.id, to_json_text(cred), name);
    if (!d) return from_error(d.error());
    return json_answer({{"device", device_json(*d)}});
  }
  // devices/{id}/rename (POST) and devices/{id} (DELETE).
  auto id = rest.substr(std::string_view("devices/").size());
  if (c.req.method == "DELETE" && id.find('/') == std::string_view::npos && !id.empty() && id.size() <= max_id) {
    if (auto r = svc_.mfa.remove(ctx, user.id, std::string(id)); !r) return from_error(r.error());
    return json_answer(json::object());
  }
  if (c.req.method == "POST" && id.ends_with("/rename")) {
    id.remove_suffix(std::string_view("/rename").size());
    if (id.empty() || id.size() > max_id) return error_answer(404, "NotFound", "No such device.");
    TRY(name, text_field(b, "name", max_device_name));
    if (auto r = svc_.mfa.rename(ctx, user.id, std::string(id), name); !r) return from_error(r.error());
    return json_answer(json::object());
  }
  return error_answer(404, "NotFound", "No such portal API.");
}

}  // namespace atrium::proto::portal
