// Built-in policies (user guide, "AWS managed policies for AWS Single Sign-On"). The documents
// are the guide's, with two deliberate changes: `identitystore:` actions are granted wherever the
// AWS policy grants the matching `sso-directory:` ones (Atrium's directory is served through the
// identitystore API, which the current AWS versions of these policies also grant), and the
// statements about iam:CreateServiceLinkedRole / iam:PassRole are kept although no Atrium
// operation asks for them, so the documents read like the ones administrators know.
#include <array>

#include "domain/admin_policy.hpp"

namespace atrium::domain {

namespace {

#define ATRIUM_ORG_READS                                                                          \
  "\"organizations:DescribeOrganization\", \"organizations:DescribeAccount\", "                  \
  "\"organizations:ListParents\", \"organizations:ListChildren\", \"organizations:ListAccounts\", " \
  "\"organizations:ListRoots\", \"organizations:ListAccountsForParent\", "                        \
  "\"organizations:ListOrganizationalUnitsForParent\""

constexpr std::string_view master_admin = R"({
  "Version": "2012-10-17",
  "Statement": [
    {"Sid": "AWSSSOCreateSLR", "Effect": "Allow", "Action": "iam:CreateServiceLinkedRole",
     "Resource": "arn:aws:iam::*:role/aws-service-role/sso.amazonaws.com/AWSServiceRoleForSSO",
     "Condition": {"StringLike": {"iam:AWSServiceName": "sso.amazonaws.com"}}},
    {"Sid": "AWSSSOMasterAccountAdministrator", "Effect": "Allow", "Action": "iam:PassRole",
     "Resource": "arn:aws:iam::*:role/aws-service-role/sso.amazonaws.com/AWSServiceRoleForSSO",
     "Condition": {"StringLike": {"iam:PassedToService": "sso.amazonaws.com"}}},
    {"Sid": "AWSSSOMemberAccountAdministrator", "Effect": "Allow",
     "Action": ["ds:DescribeTrusts", "ds:UnauthorizeApplication", "ds:DescribeDirectories",
                "ds:AuthorizeApplication", "iam:ListPolicies", "organizations:EnableAWSServiceAccess", )"
    ATRIUM_ORG_READS R"(, "sso:*", "sso-directory:*", "identitystore:*", "ds:CreateAlias"],
     "Resource": "*"}
  ]
})";

constexpr std::string_view member_admin = R"({
  "Version": "2012-10-17",
  "Statement": [
    {"Sid": "AWSSSOMemberAccountAdministrator", "Effect": "Allow",
     "Action": ["ds:DescribeDirectories", "ds:AuthorizeApplication", "ds:UnauthorizeApplication",
                "ds:DescribeTrusts", "iam:ListPolicies", "organizations:EnableAWSServiceAccess", )"
    ATRIUM_ORG_READS R"(, "sso:*", "sso-directory:*", "identitystore:*", "ds:CreateAlias"],
     "Resource": "*"}
  ]
})";

constexpr std::string_view directory_admin = R"({
  "Version": "2012-10-17",
  "Statement": [
    {"Sid": "AWSSSODirectoryAdministrator", "Effect": "Allow",
     "Action": ["sso-directory:*", "identitystore:*", "sso:ListDirectoryAssociations"],
     "Resource": "*"}
  ]
})";

// The guide: "Principals with this policy attached cannot view the AWS SSO users or groups
// directly", so no identitystore reads here.
constexpr std::string_view read_only = R"({
  "Version": "2012-10-17",
  "Statement": [
    {"Sid": "AWSSSOReadOnly", "Effect": "Allow",
     "Action": ["ds:DescribeDirectories", "ds:DescribeTrusts", "iam:ListPolicies", )" ATRIUM_ORG_READS R"(,
                "sso:Describe*", "sso:Get*", "sso:List*", "sso:Search*", "sso-directory:DescribeDirectory"],
     "Resource": "*"}
  ]
})";

constexpr std::string_view directory_read_only = R"({
  "Version": "2012-10-17",
  "Statement": [
    {"Sid": "AWSSSODirectoryReadOnly", "Effect": "Allow",
     "Action": ["sso-directory:Search*", "sso-directory:Describe*", "sso-directory:List*", "sso-directory:Get*",
                "identitystore:Describe*", "identitystore:List*", "identitystore:Get*",
                "identitystore:IsMemberInGroups"],
     "Resource": "*"}
  ]
})";

constexpr std::string_view administrator = R"({
  "Version": "2012-10-17",
  "Statement": [{"Sid": "AdministratorAccess", "Effect": "Allow", "Action": "*", "Resource": "*"}]
})";

#undef ATRIUM_ORG_READS

constexpr std::array<builtin_policy, 6> builtins = {{
    {"AWSSSOMasterAccountAdministrator", master_admin},
    {"AWSSSOMemberAccountAdministrator", member_admin},
    {"AWSSSODirectoryAdministrator", directory_admin},
    {"AWSSSOReadOnly", read_only},
    {"AWSSSODirectoryReadOnly", directory_read_only},
    {"AdministratorAccess", administrator},
}};

}  // namespace

std::span<const builtin_policy> builtin_policies() { return builtins; }

std::optional<std::string_view> builtin_policy_document(std::string_view name) {
  for (const auto& b : builtins)
    if (b.name == name) return b.document;
  return std::nullopt;
}

}  // namespace atrium::domain
