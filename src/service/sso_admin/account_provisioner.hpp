#pragma once
// What the service needs from the accounts it provisions into (issue 4 item 5; user guide
// "IAM identity provider", "Permission sets"). Two implementations: `record_only_provisioner`
// (service/, keeps nothing outside Atrium; the default) and `cloud::iam_provisioner`, which
// speaks the IAM Query API (SigV4) to a real or moto endpoint. Every call is idempotent: the
// job runner may repeat a call after a crash, and "repair" simply calls it again.
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "base/result.hpp"

namespace atrium::service {

// A customer managed policy reference of a permission set ("Name" + "Path", default "/").
struct customer_policy_ref {
  std::string name;
  std::string path = "/";
  friend bool operator==(const customer_policy_ref&, const customer_policy_ref&) = default;
};

// The permissions boundary of a permission set: an AWS managed policy ARN or a customer
// managed policy reference, never both.
struct boundary_spec {
  std::optional<std::string> managed_policy_arn;
  std::optional<customer_policy_ref> customer_managed;
  friend bool operator==(const boundary_spec&, const boundary_spec&) = default;
};

// The IAM role a permission set becomes in one account: <prefix><name>_<suffix> under the
// configured path (domain::role_naming: AtriumSSO_ under /atrium/ by default, the service's
// AWSReservedSSO_ under /aws-reserved/sso.amazonaws.com/ as an option), trusting the account's
// SAML provider for
// sts:AssumeRoleWithSAML, MaxSessionDuration 12 h (the guide: "configures these roles with a
// maximum session duration of 12 hours"); the permission set's own session duration is
// enforced when credentials are issued, not here.
struct role_spec {
  std::string role_name;  // <prefix><permission set name>_<16 hex of the ps id>
  std::string path = "/atrium/";
  std::string description;
  std::string saml_provider_name;  // AWSSSO_<16 hex of the instance>_DO_NOT_DELETE
  std::vector<std::string> managed_policy_arns;
  std::optional<std::string> inline_policy;  // JSON text
  std::vector<customer_policy_ref> customer_managed;
  std::optional<boundary_spec> boundary;
  std::chrono::seconds max_session_duration{12 * 3600};
  friend bool operator==(const role_spec&, const role_spec&) = default;
};

// Failures carry the peer's words (e.g. "NoSuchEntity: Policy arn:... does not exist") so that
// the FailureReason of the request tells the administrator what to fix.
class account_provisioner {
 public:
  virtual ~account_provisioner() = default;
  // Creates the SAML provider `name` in the account, or updates its metadata when it exists.
  virtual result<void> ensure_identity_provider(const std::string& account_id, const std::string& name,
                                                const std::string& metadata_xml) = 0;
  // Creates the role or brings an existing one to exactly `spec` (policies attached/detached,
  // inline policy put/removed, boundary set/removed, trust policy and max duration updated).
  // `recorded`: whether the store records a role of this permission set in the account. When it
  // does not, the role is most likely absent, and the IAM provisioner tries CreateRole first and
  // reads the role only if it exists after all (a hint for speed: the outcome is the same).
  virtual result<void> put_role(const std::string& account_id, const role_spec& spec, bool recorded = true) = 0;
  // Removes the role with everything attached to it; succeeds when it does not exist.
  virtual result<void> delete_role(const std::string& account_id, const std::string& role_name) = 0;
  // "record-only" or "aws-iam", for logs and DescribeInstance-like answers.
  virtual std::string kind() const = 0;
};

}  // namespace atrium::service
