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
// AWSReservedSSO_<permission set name>_<16 of the permission set>: at most 15+32+1+16 = 64
// characters, IAM's role name limit.
std::string reserved_role_name(std::string_view permission_set_name, std::string_view permission_set_arn);
// arn:<p>:sso:::permissionSet/<instance>/ps-... -> arn:<p>:sso:::instance/<instance>.
std::string instance_arn_of(std::string_view permission_set_arn);

}  // namespace atrium::domain
