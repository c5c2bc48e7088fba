#pragma once
// service::account_provisioner over the IAM Query API (2010-05-08), as Identity Center does it
// in each account (user guide "IAM identity provider", "Permission sets", "Service-linked
// roles"): a SAML provider AWSSSO_<…>_DO_NOT_DELETE holding Atrium's IdP metadata, and one role
// per provisioned permission set, named and placed as the role_spec says (AtriumSSO_<…> under
// /atrium/ by default; docs/provisioning.md "Role names").
//
// Credentials per account: the management account (configured, or learned once through STS
// GetCallerIdentity of the base credentials) uses the base credentials; every other account is
// entered with STS AssumeRole of arn:<partition>:iam::<account>:role/<access_role_name>
// (OrganizationAccountAccessRole by default), cached until five minutes before expiry, and asked
// for once per account at a time. The cache is in this process's memory on purpose: temporary
// credentials are not state another node needs (each node assumes the role itself).
// Thread-safe: the assignment job runner may call it from several workers.
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>
#include <string>

#include "base/clock.hpp"
#include "cloud/aws_client.hpp"
#include "service/sso_admin/account_provisioner.hpp"

namespace atrium::cloud {

struct iam_provisioner_config {
  std::string iam_endpoint = "https://iam.amazonaws.com";
  std::string sts_endpoint = "https://sts.amazonaws.com";
  std::string region = "us-east-1";  // signing region of IAM and the global STS endpoint
  std::string partition = "aws";
  std::string management_account_id;  // empty: GetCallerIdentity of the base credentials
  std::string access_role_name = "OrganizationAccountAccessRole";
  // The trust policies' SAML:aud: federation.aws_signin_url, the Recipient of every assertion.
  std::string saml_audience = "https://signin.aws.amazon.com/saml";
  std::string session_name = "atrium-provisioner";
  std::chrono::seconds session_duration{3600};
  retry_policy retry;
  transport_options transport;
};

// The trust policy of a permission set role, as Identity Center writes it: the account's SAML
// provider may AssumeRoleWithSAML and TagSession (PrincipalTag attributes) when SAML:aud (the
// assertion's Recipient) is the sign-in endpoint Atrium's assertions name.
std::string sso_trust_policy(const std::string& saml_provider_arn,
                             const std::string& saml_audience = "https://signin.aws.amazon.com/saml");
// "arn:aws:iam::<account>:policy<path><name>" for a customer managed policy reference.
std::string customer_policy_arn(const std::string& partition, const std::string& account_id,
                                const service::customer_policy_ref& ref);
// "%7B…" (IAM answers URL-encode policy documents) -> text; nullopt on a bad escape.
std::optional<std::string> url_decode(std::string_view s);

class iam_provisioner final : public service::account_provisioner {
 public:
  iam_provisioner(iam_provisioner_config config, credentials base, std::shared_ptr<http_transport> transport = nullptr,
                  std::shared_ptr<const clock> clk = nullptr,
                  std::function<void(std::chrono::milliseconds)> sleep = nullptr);

  result<void> ensure_identity_provider(const std::string& account_id, const std::string& name,
                                        const std::string& metadata_xml) override;
  result<void> put_role(const std::string& account_id, const service::role_spec& spec, bool recorded = true) override;
  result<void> delete_role(const std::string& account_id, const std::string& role_name) override;
  std::string kind() const override { return "aws-iam"; }

 private:
  // An IAM client signed with the account's credentials.
  result<aws_client> iam_for(const std::string& account_id);
  result<credentials> credentials_for(const std::string& account_id);
  result<std::string> management_account();
  aws_client client(const std::string& endpoint, const std::string& service, credentials creds) const;
  // Trust policy, description, max duration and boundary of an existing role (GetRole `answer`).
  result<void> converge_role(aws_client& iam, const std::string& account_id, const xml_node& answer,
                             const service::role_spec& spec, const std::string& trust, const std::string& max_duration,
                             const std::optional<std::string>& boundary_arn);
  // Independent calls of one role, sent at once; the first failure (in order) is returned.
  static result<void> all_of(const aws_client& iam, const std::string& account_id,
                             std::vector<std::pair<std::string, query_params>> calls);

  iam_provisioner_config config_;
  credentials base_;
  std::shared_ptr<http_transport> transport_;
  std::shared_ptr<const clock> clock_;
  std::function<void(std::chrono::milliseconds)> sleep_;
  std::mutex mu_;  // guards the three below
  std::string management_account_;
  std::map<std::string, credentials> cache_;
  // One AssumeRole per account at a time: lanes of one account that start together wait for
  // the first one's credentials instead of each asking STS (moto: ~2.7 s per first AssumeRole
  // into an account under load, docs/PERFORMANCE.md).
  std::map<std::string, std::shared_ptr<std::mutex>> entering_;
  std::mutex caller_mu_;  // one GetCallerIdentity at a time
};

}  // namespace atrium::cloud
