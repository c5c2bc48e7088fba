#pragma once
// Composition root: opens the core (store, keys, audit), wires each wing of the application
// (wire_*.hpp: identity, mail, sso-admin, organization, sign-in, portal), the AWS JSON door
// over their APIs, and serves them through the router. The only place that knows every wing.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "app/config.hpp"
#include "app/core.hpp"

namespace atrium::proto::aws {
class aws_door;
}

namespace atrium::app {

struct identity_wing;
struct mail_wing;
struct sso_admin_wing;
struct organization_wing;
struct signin_wing;
struct portal_wing;
struct cli_access_wing;
struct applications_wing;
struct idsource_wing;
struct console_wing;

// Where time and randomness come from (architecture guide: injected everywhere). Null: the
// system clock and libsodium's random source. Tests pass a manual clock and a seeded source.
struct runtime_options {
  const clock* clk = nullptr;
  random_source* rnd = nullptr;
};

class runtime {
 public:
  static std::unique_ptr<runtime> open(const config& cfg, runtime_options options = {});  // throws std::runtime_error
  ~runtime();

  core& base() { return *core_; }
  const deployment_ids& ids() const { return core_->ids; }
  identity_wing& identity() { return *identity_; }
  mail_wing& mail() { return *mail_; }
  sso_admin_wing& sso_admin() { return *sso_admin_; }
  organization_wing& organization() { return *organization_; }
  applications_wing& applications() { return *applications_; }
  idsource_wing& idsource() { return *idsource_; }
  console_wing& console() { return *console_; }
  // The router the server hands every request to (the portal's routes join it in serve()).
  proto::router& routes() { return core_->routes; }

  // Waits until everything queued has been handed to the relay (the CLI calls it before
  // exiting) and returns how many messages the relay refused since start.
  int drain_mail();
  // Runs the HTTP server until SIGTERM/SIGINT. `on_ready(port)` is called once listening.
  int serve(const std::function<void(uint16_t)>& on_ready);
  // The wings whose URLs name the port: sign-in, command-line access and the portal (serve()
  // calls it once listening; the golden tests call it with their fixed port).
  void open_portal(uint16_t port);
  cli_access_wing& cli_access() { return *cli_; }
  signin_wing& signin() { return *signin_; }

 private:
  runtime();
  struct owned;  // the system clock and random source when none is injected
  std::unique_ptr<owned> owned_;
  std::unique_ptr<core> core_;
  std::unique_ptr<identity_wing> identity_;
  std::unique_ptr<mail_wing> mail_;
  std::unique_ptr<sso_admin_wing> sso_admin_;
  std::unique_ptr<organization_wing> organization_;
  std::unique_ptr<applications_wing> applications_;
  std::unique_ptr<idsource_wing> idsource_;
  std::unique_ptr<console_wing> console_;
  std::unique_ptr<proto::aws::aws_door> aws_;
  std::unique_ptr<proto::door> readiness_;  // GET /readyz (readiness_door.hpp)
  // Made by serve() once the port is known (the portal's URL names it).
  std::unique_ptr<signin_wing> signin_;
  std::unique_ptr<cli_access_wing> cli_;
  std::unique_ptr<portal_wing> portal_;
};

}  // namespace atrium::app
