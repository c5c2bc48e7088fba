#pragma once
// SAML applications (issue 15): the applications with their SAML settings, each application's
// IdP signing certificates (private keys sealed by the service), user and group assignments,
// and the service providers' pending AuthnRequests (InResponseTo and replay refusal). Reached
// through transaction::applications(); store/sqlite implements it in application_repo.cpp
// (migrations 0012, 0013). A deleted application takes its certificates, assignments and
// pending requests with it; a deleted user or group takes its assignments (triggers in 0012).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.hpp"
#include "base/result.hpp"
#include "domain/application.hpp"
#include "domain/assignment.hpp"
#include "store/repositories.hpp"

namespace atrium::store {

struct application_certificate_record {
  std::string id;  // "appcert-" + 16 hex
  std::string application_id;
  std::string certificate_pem;
  std::string sealed_key;  // the PKCS#8 PEM sealed with the master key (crypto::secret_box)
  std::string sha256_fingerprint;
  int key_bits = 0;
  sys_time not_before{};
  sys_time not_after{};
  sys_time created_at{};
  bool active = false;  // the one that signs (at most one per application)
};

struct application_assignment_record {
  std::string application_id;
  domain::principal_type principal_kind = domain::principal_type::user;
  std::string principal_id;
  sys_time created_at{};
  friend bool operator==(const application_assignment_record&, const application_assignment_record&) = default;
};

// An AuthnRequest accepted from a service provider and not answered yet: the browser carries
// the handle (only its SHA-256 is stored) through the portal's sign-in and back.
struct saml_request_record {
  std::string id;  // hex SHA-256 of the handle
  std::string application_id;
  std::string request_id;  // the AuthnRequest's ID, echoed as InResponseTo
  std::string acs_url;
  std::optional<std::string> relay_state;
  bool force_authn = false;
  sys_time created_at{};
  sys_time expires_at{};
  std::optional<sys_time> answered_at;
};

class application_repository {
 public:
  virtual ~application_repository() = default;

  virtual result<void> insert(const domain::application& a) = 0;
  // Replaces the row when its stored version equals expected_version (errc::concurrent_modification
  // otherwise, errc::not_found when it is gone).
  virtual result<void> update(const domain::application& a, int64_t expected_version) = 0;
  virtual result<std::optional<domain::application>> get(const std::string& id) = 0;
  virtual result<bool> remove(const std::string& id) = 0;
  // In id order; after_id is an application id. `provider_arn`: only that provider's.
  virtual result<page<domain::application>> list(const std::optional<std::string>& provider_arn,
                                                 const page_request& p) = 0;
  virtual result<int64_t> count() = 0;

  virtual result<void> insert_certificate(const application_certificate_record& c) = 0;
  // Oldest first.
  virtual result<std::vector<application_certificate_record>> certificates(const std::string& application_id) = 0;
  virtual result<bool> remove_certificate(const std::string& application_id, const std::string& certificate_id) = 0;
  // Makes `certificate_id` the application's only active certificate; false when it is not one
  // of the application's.
  virtual result<bool> activate_certificate(const std::string& application_id, const std::string& certificate_id) = 0;

  // false when the principal is assigned already.
  virtual result<bool> insert_assignment(const application_assignment_record& a) = 0;
  virtual result<bool> remove_assignment(const std::string& application_id, const std::string& principal_id) = 0;
  virtual result<std::optional<application_assignment_record>> get_assignment(const std::string& application_id,
                                                                              const std::string& principal_id) = 0;
  // Ordered by principal id; after_id is a principal id.
  virtual result<page<application_assignment_record>> assignments_of(const std::string& application_id,
                                                                     const page_request& p) = 0;
  // The assignments of any of `principal_ids` (a user and the groups it is in), ordered by
  // (application, principal); after_id is "<application id> <principal id>".
  virtual result<page<application_assignment_record>> assignments_for(const std::vector<std::string>& principal_ids,
                                                                       const std::optional<std::string>& application_id,
                                                                       const page_request& p) = 0;

  // errc::conflict when the application has seen this AuthnRequest ID (a replay).
  virtual result<void> insert_request(const saml_request_record& r) = 0;
  virtual result<std::optional<saml_request_record>> get_request(const std::string& id) = 0;
  // Marks the request answered; false when it was answered already (the caller refuses).
  virtual result<bool> answer_request(const std::string& id, sys_time now) = 0;
  // Requests whose expiry is at or before `now`; returns how many.
  virtual result<int64_t> remove_expired_requests(sys_time now) = 0;
};

}  // namespace atrium::store
