#pragma once
// External identity providers (issue 17: Atrium as SAML 2.0 SP): their configurations and
// e-mail domains, the SP's pending AuthnRequests, the assertion replay cache and the
// attributes for access control an IdP sent for a portal session. Reached through
// transaction::external_idps(); store/sqlite implements it in external_idp_repo.cpp over
// migration 0017. The identity source and the SP's key pair are settings (settings()).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.hpp"
#include "base/result.hpp"

namespace atrium::store {

struct external_idp_record {
  std::string id;         // "idp-<16 hex>"
  std::string entity_id;  // the IdP's Issuer
  std::string sso_url;    // SingleSignOnService, HTTP-Redirect
  std::vector<std::string> certificates;  // PEM, 1-2 (two during a rotation)
  std::vector<std::string> domains;       // lower-case e-mail domains (home realm discovery)
  bool sign_authn_requests = false;
  bool allow_idp_initiated = false;
  bool enabled = false;  // status ENABLED / DISABLED
  std::optional<std::string> metadata;  // the file as uploaded; none when entered by hand
  sys_time created_at{};
  sys_time updated_at{};
};

struct sp_request_record {
  std::string request_id;    // the AuthnRequest's ID
  std::string browser_hash;  // hex SHA-256 of the atrium_sp_request cookie
  std::string idp_id;
  std::optional<std::string> relay;  // portal path to go to after sign-in
  sys_time created_at{};
  sys_time expires_at{};
};

// What "Delete your AWS SSO configuration" removed (the guide's table).
struct configuration_counts {
  int64_t permission_sets = 0;
  int64_t applications = 0;
  int64_t account_assignments = 0;
  int64_t users = 0;
  int64_t groups = 0;
  int64_t external_idps = 0;
};

class external_idp_repository {
 public:
  virtual ~external_idp_repository() = default;

  // A duplicate entity ID or a domain another IdP holds: errc::conflict.
  virtual result<void> insert(const external_idp_record& r) = 0;
  // Replaces the row and its domains; false when there is no such IdP.
  virtual result<bool> update(const external_idp_record& r) = 0;
  virtual result<std::optional<external_idp_record>> get(const std::string& id) = 0;
  virtual result<std::vector<external_idp_record>> list() = 0;  // oldest first
  // The IdP bound to this (lower-case) e-mail domain.
  virtual result<std::optional<std::string>> idp_of_domain(const std::string& domain) = 0;
  // Removes the IdP, its domains and its pending requests; false when there was none.
  virtual result<bool> remove(const std::string& id) = 0;

  virtual result<void> put_request(const sp_request_record& r) = 0;
  // Deletes the request with this ID made by this browser and returns it when it had not
  // expired at `now` (one statement: two Responses to one request cannot both get it).
  virtual result<std::optional<sp_request_record>> take_request(const std::string& request_id,
                                                                const std::string& browser_hash, sys_time now) = 0;

  // Records an assertion as used; errc::conflict when (issuer, assertion_id) was used before.
  virtual result<void> use_assertion(const std::string& issuer, const std::string& assertion_id,
                                     sys_time expires_at) = 0;

  virtual result<void> put_session_attributes(const std::string& session_id, const std::string& idp_id,
                                              const std::string& attributes_json) = 0;
  // The JSON object the IdP sent for that session, if any.
  virtual result<std::optional<std::string>> session_attributes(const std::string& session_id) = 0;

  // Expired requests and replay-cache rows; how many.
  virtual result<int64_t> remove_expired(sys_time now) = 0;
  // "Delete your AWS SSO configuration": every IdP, request and cached assertion.
  virtual result<void> remove_all() = 0;
  // The guide's "Delete your AWS SSO configuration" table, in one statement list: every
  // permission set (with its provisioning rows and requests), application (certificates,
  // assignments, pending requests), account assignment, user and group (their memberships,
  // passwords, devices, sessions and grants go with them), and every external IdP. Kept: the
  // organization, admin access keys, the audit trail. Counts what was there.
  virtual result<configuration_counts> remove_configuration() = 0;
};

}  // namespace atrium::store
