#pragma once
// The identity source (issue 17 items 1, 2, 5, 7, 8; user guide "Manage your identity source",
// "Considerations for changing your identity source", "Change your identity source", "Connect
// to your external identity provider", "Delete your AWS SSO configuration"):
//   - describe: BUILT_IN or EXTERNAL_IDP, the SP's own values (entity ID, ACS URL, metadata) and
//     the external IdPs configured;
//   - create/update an IdP's configuration (metadata file or values by hand; certificate
//     rotation: two certificates accepted while the IdP changes its key);
//   - enable an IdP with the typed confirmation "ACCEPT": the identity source becomes
//     EXTERNAL_IDP. Kept: users, groups, memberships, entitlements (assignments) — they work for
//     users whose userName the IdP sends as NameID; the others are unusable until it does.
//     Passwords and MFA devices are kept but unused while the source is external. With one IdP
//     at a time (the service's rule), enabling another disables the previous one ("from one
//     external IdP to another": entitlements kept);
//   - disable with "ACCEPT": back to BUILT_IN; every IdP disabled, configurations kept. Users
//     who had a password sign in with it again; the others need a password reset (the answer
//     counts them);
//   - delete an IdP's configuration (not while it is enabled);
//   - settings: MultipleIdPs (beyond the service; off by default): several enabled IdPs chosen
//     by e-mail domain, built-in users still sign in with a password (break-glass);
//   - delete configuration: the typed identity store id; the guide's table.
// Every change is one transaction with its CloudTrail record (event names as the service:
// CreateExternalIdPConfigurationForDirectory, ...; eventSource sso-directory.amazonaws.com,
// set by the door).
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.hpp"
#include "base/random.hpp"
#include "service/audit/audited_store.hpp"
#include "service/audit/call_context.hpp"
#include "service/idsource/idp_config.hpp"
#include "service/idsource/sp_keys.hpp"

namespace atrium::service {

// The SP's URLs: <base>/portal/sp, <base>/portal/sp/acs, <base>/portal/sp/metadata. The base is
// the portal's origin, set once the port is known (before the first request).
class sp_endpoints {
 public:
  void set_base_url(std::string url) { base_ = std::move(url); }
  const std::string& base_url() const { return base_; }
  std::string entity_id() const { return base_ + "/portal/sp"; }
  std::string acs_url() const { return base_ + "/portal/sp/acs"; }
  std::string metadata_url() const { return base_ + "/portal/sp/metadata"; }
  std::string login_url() const { return base_ + "/portal/sp/login"; }

 private:
  std::string base_;
};

struct service_provider_view {
  std::string entity_id, acs_url, metadata_url, metadata;
};

struct identity_source_view {
  identity_source_state state;
  service_provider_view sp;
  std::vector<store::external_idp_record> idps;
};

// What a switch kept and what it changed (the guide's considerations, as numbers).
struct switch_outcome {
  std::string identity_source;  // after the switch
  int64_t users = 0, groups = 0;
  int64_t users_with_password = 0;  // can sign in with it when the source is BUILT_IN
  std::vector<std::string> disabled_idps;  // disabled by this switch
};

class identity_source_service {
 public:
  static constexpr const char* confirmation_word = "ACCEPT";

  identity_source_service(audited_store& store, const clock& clk, random_source& rnd, sp_keys& keys,
                          std::shared_ptr<const sp_endpoints> endpoints, std::string identity_store_id);

  result<identity_source_view> describe(const call_context& ctx);
  result<service_provider_view> service_provider();
  result<std::string> create_idp(const call_context& ctx, const idp_input& in);
  result<store::external_idp_record> update_idp(const call_context& ctx, const std::string& idp_id, const idp_input& in);
  result<switch_outcome> enable_idp(const call_context& ctx, const std::string& idp_id, const std::string& confirmation);
  result<switch_outcome> disable_external(const call_context& ctx, const std::string& confirmation);
  result<void> delete_idp(const call_context& ctx, const std::string& idp_id);
  result<identity_source_state> update_settings(const call_context& ctx, bool multiple_idps);
  // The guide's typed confirmation is the identity store id (d-...) here: it names what goes.
  result<store::configuration_counts> delete_configuration(const call_context& ctx, const std::string& confirmation);

  const std::string& identity_store_id() const { return identity_store_id_; }
  std::shared_ptr<const sp_endpoints> endpoints() const { return endpoints_; }

 private:
  audited_store& store_;
  const clock& clock_;
  random_source& random_;
  sp_keys& keys_;
  std::shared_ptr<const sp_endpoints> endpoints_;
  std::string identity_store_id_;
};

}  // namespace atrium::service
