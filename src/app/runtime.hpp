#pragma once
// Composition root: opens the store, loads keys, builds the services and doors, and wires
// them to the HTTP server. The only place that knows every concrete type.
#include <memory>
#include <optional>
#include <string>

#include "app/config.hpp"
#include "service/admin_auth.hpp"
#include "service/audited_store.hpp"
#include "service/permission_set_service.hpp"
#include "service/organization_service.hpp"
#include "service/scim_provisioning.hpp"

namespace atrium::service {
class idp_signing;
class account_provisioner;
class identity_service;
class password_service;
}  // namespace atrium::service

namespace atrium::app {

struct deployment_ids {
  std::string identity_store_id;  // d-xxxxxxxxxx
  std::string account_id;         // 12 digits: the management account of this deployment
  std::string instance_id;        // ssoins-<16 hex>: the one sso-admin instance (settings "instance_id")
  std::string instance_arn;       // arn:aws:sso:::instance/<instance_id>
};

class runtime {
 public:
  static std::unique_ptr<runtime> open(const config& cfg);  // throws std::runtime_error (start-up)
  ~runtime();

  const deployment_ids& ids() const;
  service::admin_auth& auth();
  store::database& db();
  service::scim_provisioning& provisioning();
  service::audited_store& audited();
  // sso-admin permission sets (set_provisioned_check is wired by the assignments part).
  service::permission_set_service& permission_sets();
  service::organization_service& organization();
  // Atrium's SAML IdP certificates (made on first start) and the IdP metadata XML that each
  // account's AWSSSO_<…>_DO_NOT_DELETE provider holds; the account provisioner (provisioner.kind).
  service::idp_signing& idp_signing();
  std::string idp_metadata() const;
  service::account_provisioner& provisioner();
  service::identity_service& identity();
  // Passwords of built-in users; its mail goes through a background outbox (SMTP or, without
  // mail.smtp_host, the log). drain_mail() waits until everything queued has been handed to
  // the relay (the CLI calls it before exiting) and returns how many messages the relay
  // refused since start.
  service::password_service& passwords();
  int drain_mail();
  // The SCIM endpoint users paste into their IdP: scheme://public_host:port/scim/v2.
  std::string scim_endpoint(uint16_t port) const;
  // Runs the HTTP server until SIGTERM/SIGINT. `on_ready(port)` is called once listening.
  int serve(const std::function<void(uint16_t)>& on_ready);

 private:
  runtime();
  struct parts;
  static void wire_passwords(parts& p);
  std::unique_ptr<parts> p_;
  // The portal's services and door, once the server knows its port (runtime.cpp).
  static void wire_portal(parts& p, uint16_t port);
};

}  // namespace atrium::app
