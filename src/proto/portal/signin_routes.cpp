// POST /portal/api/signin/* (docs/sign-in.md "Sign-in workflow").
#include <chrono>

#include "base/json_text.hpp"
#include "base/strings.hpp"
#include "proto/portal/portal_door.hpp"
#include "proto/portal/portal_http.hpp"
#include "service/signin/sign_in_registration.hpp"

namespace atrium::proto::portal {

namespace {

using nlohmann::json;

json answer_json(const service::sign_in_answer& a) {
  json j = {{"next", service::to_string(a.next)}};
  if (!a.workflow_id.empty()) j["workflowId"] = a.workflow_id;
  if (a.next == service::sign_in_step::mfa) {
    j["methods"] = a.methods;
    if (a.public_key) j["publicKey"] = from_json_text(*a.public_key);
  } else if (a.next == service::sign_in_step::register_mfa) {
    j["types"] = a.methods;
  } else if (a.next == service::sign_in_step::done) {
    j["redirect"] = "/portal/";
    j["csrfToken"] = a.csrf_token;
  }
  return j;
}

}  // namespace

result<response> portal_door::sign_in_route(call& c, std::string_view step) {
  auto& sign_in = svc_.sign_in;
  const auto& b = c.body;
  auto done = [&](result<service::sign_in_answer> a, bool policy = false) {
    if (!a) {
      // "Block their sign-in" and no device: its own code, so the UI can say what to do.
      if (a.error().code == errc::access_denied) return error_answer(403, "Blocked", a.error().message);
      if (a.error().code == errc::not_found) return error_answer(400, "InvalidRequest", a.error().message);
      return from_error(a.error(), policy);
    }
    if (a->next == service::sign_in_step::done) {
      // The cookie lasts as long as the session (the stored session duration, made in the
      // sign-in's transaction), not the configuration's default.
      auto left = std::chrono::duration_cast<std::chrono::seconds>(svc_.sessions.settings().lifetime);
      if (a->session_lifetime.count() > 0) left = a->session_lifetime;
      c.set_cookies.push_back(set_cookie(session_cookie_name, a->session_token, left));
      if (!a->device_token.empty())
        c.set_cookies.push_back(set_cookie(device_cookie_name, a->device_token,
                                           std::chrono::duration_cast<std::chrono::seconds>(
                                               svc_.sessions.settings().trusted_device_lifetime)));
    }
    auto r = json_answer(answer_json(*a));
    return r;
  };
  if (step == "start") {
    TRY(name, text_field(b, "userName", max_user_name));
    // An external IdP as identity source (issue 17): its users sign in there. In multi-IdP
    // mode the typed e-mail's domain picks the IdP (home realm discovery) and names no IdP
    // claims go on with a password (break-glass built-in users).
    if (svc_.sp) {
      TRY(allowed, svc_.sp->password_sign_in_allowed(name));
      if (!allowed) {
        TRY(idp, svc_.sp->idp_for_email(name));
        std::string to = "/portal/sp/login";
        if (idp) to += "?idp=" + url_encode(*idp);
        auto r = json_answer(json{{"next", "redirect"}, {"redirect", to}});
        r.operation = "portal.SignInStart";
        return r;
      }
    }
    auto r = done(sign_in.start(c.client, name));
    r.operation = "portal.SignInStart";
    return r;
  }
  TRY(workflow, text_field(b, "workflowId", max_workflow_id));
  response r;
  if (step == "password") {
    TRY(password, text_field(b, "password", max_password));
    r = done(sign_in.password(c.client, workflow, password));
  } else if (step == "new-password") {
    TRY(password, text_field(b, "newPassword", max_password));
    r = done(sign_in.new_password(c.client, workflow, password), true);
  } else if (step == "mfa") {
    service::mfa_response m;
    TRY(type, text_field(b, "type", 16));
    TRY(trust, flag_field(b, "trustDevice"));
    m.type = type;
    m.trust_device = trust;
    if (type == "WEBAUTHN") {
      TRY(cred, credential_field(b, "credential"));
      m.credential = to_json_text(cred);
    } else if (type == "TOTP" || type == "EMAIL_OTP") {
      TRY(code, code_field(b, "code"));
      m.code = code;
    } else {
      return error_answer(400, "InvalidRequest", "type must be TOTP, WEBAUTHN or EMAIL_OTP.");
    }
    r = done(sign_in.mfa(c.client, workflow, m));
  } else if (step == "register/totp/begin") {
    auto e = sign_in.registration().begin_totp(c.client, workflow);
    if (!e) return done(std::unexpected(e.error()));
    r = json_answer({{"enrollmentId", e->enrollment_id}, {"secret", e->secret_base32},
                     {"otpauthUri", e->otpauth_uri}, {"qrSvg", e->qr_svg}});
  } else if (step == "register/totp/finish") {
    TRY(enrollment, text_field(b, "enrollmentId", max_id));
    TRY(code, code_field(b, "code"));
    TRY(name, text_field(b, "name", max_device_name, false));
    r = done(sign_in.registration().finish_totp(c.client, workflow, enrollment, code, name));
  } else if (step == "register/webauthn/begin") {
    auto o = sign_in.registration().begin_webauthn(c.client, workflow);
    if (!o) return done(std::unexpected(o.error()));
    r = json_answer({{"publicKey", from_json_text(*o)}});
  } else if (step == "register/webauthn/finish") {
    TRY(cred, credential_field(b, "credential"));
    TRY(name, text_field(b, "name", max_device_name, false));
    r = done(sign_in.registration().finish_webauthn(c.client, workflow, to_json_text(cred), name));
  } else {
    return error_answer(404, "NotFound", "No such sign-in step.");
  }
  r.operation = "portal.SignIn";
  return r;
}

}  // namespace atrium::proto::portal
