#pragma once
// The sign-in wing (docs/sign-in.md): MFA (the WebAuthn origin and relying party are the
// portal's), sessions, the failed-attempt throttle and the sign-in workflow. Wired once the
// server knows its port: the portal's URL names it (WebAuthn origin, LoginTo of the events).
#include <cstdint>
#include <memory>
#include <string>

#include "app/core.hpp"
#include "service/signin/login_throttle.hpp"
#include "service/signin/mfa_service.hpp"
#include "service/signin/password_service.hpp"
#include "service/signin/session_service.hpp"
#include "service/signin/sign_in_service.hpp"

namespace atrium::app {

struct signin_wing {
  std::string portal_url;  // portal.public_url, else scheme://<public_host>:<port>/portal
  std::string origin;      // scheme://host[:port] of portal_url
  std::unique_ptr<service::mfa_service> mfa;
  std::unique_ptr<service::session_service> sessions;
  std::unique_ptr<service::login_throttle> login_throttle;
  std::unique_ptr<service::sign_in_service> sign_in;
};

std::unique_ptr<signin_wing> wire_signin(core& c, service::password_service& passwords, uint16_t port);

}  // namespace atrium::app
