#include "app/wire_signin.hpp"

#include <algorithm>

namespace atrium::app {

namespace {

// The portal as users reach it (portal.public_url, else https://<public_host>:<port>/portal) and
// its origin (scheme://host[:port]), which the WebAuthn origin and the Origin checks compare.
std::string portal_url_of(const core& c, uint16_t port) {
  if (!c.cfg.portal_public_url.empty()) return c.cfg.portal_public_url;
  return c.public_url(port, "/portal");
}
std::string origin_of(const std::string& url) {
  auto host_at = url.find("://");
  host_at = host_at == std::string::npos ? 0 : host_at + 3;
  return url.substr(0, url.find('/', host_at));
}
std::string host_of(const std::string& origin) {
  auto host_at = origin.find("://");
  std::string host = origin.substr(host_at == std::string::npos ? 0 : host_at + 3);
  if (!host.empty() && host.front() == '[') return host.substr(1, host.find(']') - 1);  // IPv6 literal
  return host.substr(0, host.find(':'));
}

}  // namespace

std::unique_ptr<signin_wing> wire_signin(core& c, service::password_service& passwords, uint16_t port) {
  const auto& cfg = c.cfg;
  auto w = std::make_unique<signin_wing>();
  w->portal_url = portal_url_of(c, port);
  w->origin = origin_of(w->portal_url);
  service::mfa_options mo;
  mo.origin = w->origin;
  mo.rp_id = host_of(w->origin);
  w->mfa = std::make_unique<service::mfa_service>(*c.audited, *c.box, c.clk, c.rnd, mo);
  service::session_settings ss;
  ss.lifetime = std::chrono::hours(cfg.portal_session_hours);
  w->sessions = std::make_unique<service::session_service>(*c.audited, c.clk, c.rnd, ss);
  service::login_throttle_settings ts;
  ts.account_free_failures = cfg.portal_account_failures;
  ts.address_free_failures = cfg.portal_address_failures;
  ts.max_lockout = std::chrono::seconds(cfg.portal_max_lockout_seconds);
  ts.first_lockout = std::min(std::chrono::seconds(cfg.portal_first_lockout_seconds), ts.max_lockout);
  w->login_throttle = std::make_unique<service::login_throttle>(c.clk, ts, &c.audited->db());
  w->sign_in = std::make_unique<service::sign_in_service>(
      *c.audited, passwords, *w->mfa, *w->sessions, *w->login_throttle, c.clk, c.rnd,
      service::sign_in_settings{c.ids.account_id, cfg.region, w->portal_url + "/"});
  return w;
}

}  // namespace atrium::app
