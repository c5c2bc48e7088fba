#pragma once
// Account assignments and the status records of the asynchronous sso-admin requests (issue 4
// items 4-5; sso-admin API model 2020-07-20: AccountAssignment,
// AccountAssignmentOperationStatus, PermissionSetProvisioningStatus). Pure: no I/O, time is a
// value handed in.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/clock.hpp"
#include "base/result.hpp"

namespace atrium::domain {

enum class principal_type { user, group };
enum class request_status { in_progress, failed, succeeded };
// The three asynchronous operations; each has its own Describe/List...Status operations.
enum class request_kind { create_assignment, delete_assignment, provision_permission_set };

// One grant: PrincipalId of PrincipalType may use PermissionSetArn in AccountId
// (TargetType AWS_ACCOUNT is the only target type the API has).
struct account_assignment {
  std::string account_id;
  std::string permission_set_arn;
  principal_type principal_kind = principal_type::user;
  std::string principal_id;
  sys_time created_at{};
  friend bool operator==(const account_assignment&, const account_assignment&) = default;
};

// A request of CreateAccountAssignment, DeleteAccountAssignment or ProvisionPermissionSet, kept
// after it finishes so that Describe...Status answers. Assignment requests fill the principal;
// provisioning requests fill target_type (AWS_ACCOUNT or ALL_PROVISIONED_ACCOUNTS) and
// account_id only for AWS_ACCOUNT.
struct request_record {
  std::string request_id;  // uuid, lower-case
  request_kind kind = request_kind::create_assignment;
  request_status status = request_status::in_progress;
  std::string failure_reason;
  sys_time created_at{};
  std::string instance_arn;
  std::string account_id;
  std::string target_type = "AWS_ACCOUNT";
  std::string permission_set_arn;
  principal_type principal_kind = principal_type::user;
  std::string principal_id;
  friend bool operator==(const request_record&, const request_record&) = default;
};

// What was last provisioned of a permission set into an account: its version at the time, so
// that ListPermissionSetsProvisionedToAccount can tell LATEST_PERMISSION_SET_PROVISIONED from
// LATEST_PERMISSION_SET_NOT_PROVISIONED.
struct provisioned_permission_set {
  std::string account_id;
  std::string permission_set_arn;
  int64_t version = 0;
  sys_time updated_at{};
  // The IAM role made for it there (migration 0011). Empty in rows provisioned before role
  // names became a setting: those roles have the service's names (role_naming::service()).
  std::string role_name;
  std::string role_path;
  friend bool operator==(const provisioned_permission_set&, const provisioned_permission_set&) = default;
};

const char* to_string(principal_type t);
const char* to_string(request_status s);
const char* to_string(request_kind k);
std::optional<principal_type> parse_principal_type(std::string_view s);
std::optional<request_status> parse_request_status(std::string_view s);

// Field rules of the API model (patterns and lengths). `field` names the member in messages.
result<void> check_instance_arn(std::string_view field, std::string_view v);        // 10-1224
result<void> check_permission_set_arn(std::string_view field, std::string_view v);  // 10-1224
result<void> check_account_id(std::string_view field, std::string_view v);          // \d{12}
result<void> check_principal_id(std::string_view field, std::string_view v);        // 1-47
result<void> check_request_id(std::string_view field, std::string_view v);          // uuid

// The 16 characters after "ins-" of an instance ARN and after "ps-" of a permission set ARN.
std::string instance_suffix(std::string_view instance_arn);
std::string permission_set_suffix(std::string_view permission_set_arn);

// AWSSSO_<16 of the instance>_DO_NOT_DELETE: the account's SAML provider (guide, "IAM
// identity provider"; the policy example's resource arn:aws:iam::*:saml-provider/AWSSSO_*_DO_NOT_DELETE).
std::string saml_provider_name(std::string_view instance_arn);
// How the roles of permission sets are named in accounts: <prefix><permission set name>_<16 of
// the permission set> under <path>. The service's own names (AWSReservedSSO_ under
// /aws-reserved/sso.amazonaws.com/) do not work for Atrium in a real account: STS's API
// reference, AssumeRoleWithSAML: "AssumeRoleWithSAML will not work on IAM Identity Center
// managed roles. These roles' names start with AWSReservedSSO_", and /aws-reserved/ is the
// service's path. Atrium's default is AtriumSSO_ under /atrium/ (docs/provisioning.md).
struct role_naming {
  std::string prefix = "AtriumSSO_";
  std::string path = "/atrium/";
  static role_naming service() { return {"AWSReservedSSO_", "/aws-reserved/sso.amazonaws.com/"}; }
  friend bool operator==(const role_naming&, const role_naming&) = default;
};
// The prefix: 1-15 characters of IAM's role name set [\w+=,.@-] (15 + 32 + 1 + 16 = 64, IAM's
// role name limit); the path: "/" or "/a/b/", at most 512 characters of U+0021-U+007E (IAM
// CreateRole). errc::validation naming the setting.
result<void> check_role_naming(const role_naming& n);
// <prefix><permission set name>_<16 of the permission set>: at most 64 characters.
std::string role_name(const role_naming& n, std::string_view permission_set_name, std::string_view permission_set_arn);
// The service's name: AWSReservedSSO_<permission set name>_<16 of the permission set>.
std::string reserved_role_name(std::string_view permission_set_name, std::string_view permission_set_arn);
// The role recorded in a provisioned row, or the service's names for rows older than 0011.
struct role_location {
  std::string name;
  std::string path;
  friend bool operator==(const role_location&, const role_location&) = default;
};
role_location recorded_role(const provisioned_permission_set& p, std::string_view permission_set_name);
// arn:<partition>:iam::<account>:role<path><name> and ...:saml-provider/<name> (IAM ARNs).
std::string iam_role_arn(std::string_view partition, std::string_view account_id, std::string_view path,
                         std::string_view name);
std::string saml_provider_arn(std::string_view partition, std::string_view account_id, std::string_view name);
// arn:<p>:sso:::permissionSet/<instance>/ps-... -> arn:<p>:sso:::instance/<instance>.
std::string instance_arn_of(std::string_view permission_set_arn);

}  // namespace atrium::domain
