#pragma once
// Where GetRoleCredentials gets STS credentials for a user's role in an account (issue 16 item
// 4). The implementation that counts is the AWS federation's (service/federation: an assertion
// signed by Atrium, STS AssumeRoleWithSAML with the permission set's session duration, the
// access-control attributes as PrincipalTag session tags, the user name as session name); it
// writes the call's CloudTrail record itself. Command-line access checks the assignment before
// it asks, and asks only through this interface, so a test can hand in a fake and a deployment
// without federation an answer that says why there are no credentials.
#include <string>

#include "base/clock.hpp"
#include "base/result.hpp"
#include "service/audit/call_context.hpp"

namespace atrium::service::oidc {

struct role_credentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;
  sys_time expiration{};
};

class role_credentials_source {
 public:
  virtual ~role_credentials_source() = default;
  // `role_name` is the permission set's name (what ListAccountRoles answers). errc::access_denied
  // when the user may not use it; errc::conflict (the federation with the record-only
  // provisioner) or errc::validation with the reason when the deployment cannot issue
  // credentials at all; the peer's error when STS refuses.
  virtual result<role_credentials> get(const call_context& ctx, const std::string& user_id,
                                       const std::string& account_id, const std::string& role_name) = 0;
};

// The source of a deployment that cannot issue credentials: every call fails with `reason`
// (errc::validation), e.g. "permission sets are kept as records only (provisioner.kind =
// record-only): no IAM role exists in the account to take credentials from".
class no_role_credentials final : public role_credentials_source {
 public:
  explicit no_role_credentials(std::string reason) : reason_(std::move(reason)) {}
  result<role_credentials> get(const call_context&, const std::string&, const std::string&,
                               const std::string&) override {
    return invalid(reason_);
  }

 private:
  std::string reason_;
};

}  // namespace atrium::service::oidc
