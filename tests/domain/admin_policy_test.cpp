#include "domain/admin_policy.hpp"

#include <gtest/gtest.h>

namespace atrium::domain {

namespace {

admin_policy parse(std::string_view doc) {
  auto p = parse_admin_policy(doc);
  EXPECT_TRUE(p) << (p ? "" : p.error().message);
  return p ? *p : admin_policy{};
}

admin_policy builtin(std::string_view name) { return parse(*builtin_policy_document(name)); }

policy_decision decide(const std::vector<admin_policy>& ps, std::string action,
                       std::vector<policy_resource> res = {}) {
  return evaluate(ps, policy_request{std::move(action), std::move(res), {}}).decision;
}

constexpr auto allow = policy_decision::allow;
constexpr auto implicit = policy_decision::implicit_deny;
constexpr auto denied = policy_decision::explicit_deny;

const std::string instance = "arn:aws:sso:::instance/ssoins-1111111111";
const std::string ps1 = "arn:aws:sso:::permissionSet/ssoins-1111111111/ps-112233abcdef123";
const std::string ps2 = "arn:aws:sso:::permissionSet/ssoins-1111111111/ps-aaaabbbbccccdddd";

policy_resource res(std::string arn, std::map<std::string, std::string> tags = {}) { return {std::move(arn), std::move(tags)}; }

}  // namespace

TEST(admin_policy, wildcards) {
  EXPECT_TRUE(wildcard_match("sso:*", "sso:CreatePermissionSet", true));
  EXPECT_FALSE(wildcard_match("sso:*", "sso-directory:CreateUser", true));
  EXPECT_TRUE(wildcard_match("SSO:list*", "sso:ListInstances", true));
  EXPECT_FALSE(wildcard_match("SSO:list*", "sso:ListInstances", false));
  EXPECT_TRUE(wildcard_match("sso:Describe?ermissionSet", "sso:DescribePermissionSet", true));
  EXPECT_FALSE(wildcard_match("sso:Describe?", "sso:Describe", true));
  EXPECT_TRUE(wildcard_match("arn:aws:sso:::permissionSet/*/*", ps1, false));
  EXPECT_FALSE(wildcard_match("arn:aws:sso:::permissionset/*/*", ps1, false)) << "ARNs are case-sensitive";
  EXPECT_TRUE(wildcard_match("*", "", false));
  EXPECT_TRUE(wildcard_match("a*b*c", "axxbyyc", false));
  EXPECT_FALSE(wildcard_match("a*b*c", "axxbyy", false));
  // A pathological pattern stays linear-ish (no exponential backtracking).
  std::string text(5000, 'a');
  EXPECT_FALSE(wildcard_match("*a*a*a*a*a*a*a*a*b", text, false));
}

TEST(admin_policy, parses_statement_as_object_or_list_and_strings_or_lists) {
  auto p = parse(R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"sso:List*","Resource":"*"}})");
  ASSERT_EQ(p.statements.size(), 1u);
  EXPECT_EQ(p.statements[0].actions, std::vector<std::string>{"sso:List*"});
  auto q = parse(R"({"Statement":[{"Sid":"A1","Effect":"Deny","NotAction":["sso:List*","sso:Describe*"],"NotResource":["arn:aws:sso:::account/1"]}]})");
  ASSERT_EQ(q.statements.size(), 1u);
  EXPECT_TRUE(q.statements[0].not_action);
  EXPECT_TRUE(q.statements[0].not_resource);
  EXPECT_EQ(q.statements[0].effect, policy_effect::deny);
}

TEST(admin_policy, refuses_malformed_documents) {
  const char* bad[] = {
      "",
      "[]",
      "not json",
      R"({"Version":"2012-10-17"})",
      R"({"Version":"2020-01-01","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}})",
      R"({"Statement":[]})",
      R"({"Statement":{"Effect":"Maybe","Action":"*","Resource":"*"}})",
      R"({"Statement":{"Action":"*","Resource":"*"}})",
      R"({"Statement":{"Effect":"Allow","Resource":"*"}})",
      R"({"Statement":{"Effect":"Allow","Action":"*"}})",
      R"({"Statement":{"Effect":"Allow","Action":"sso>DeletePermissionSet","Resource":"*"}})",
      R"({"Statement":{"Effect":"Allow","Action":"CreateUser","Resource":"*"}})",
      R"({"Statement":{"Effect":"Allow","Action":[],"Resource":"*"}})",
      R"({"Statement":{"Effect":"Allow","Action":[1],"Resource":"*"}})",
      R"({"Statement":{"Effect":"Allow","Action":"*","Resource":"sso:::x"}})",
      R"({"Statement":{"Effect":"Allow","Action":"*","NotAction":"sso:*","Resource":"*"}})",
      R"({"Statement":{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}})",
      R"({"Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"true"}}}})",
      R"({"Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals":{}}}})",
      R"({"Statement":{"Sid":"has space","Effect":"Allow","Action":"*","Resource":"*"}})",
      R"({"Statement":{"Effect":"Allow","Action":"*","Resource":"*","Extra":1}})",
      R"({"Statement":{"Effect":"Allow","Action":"*","Resource":"*"},"Other":1})",
  };
  for (const char* d : bad) {
    auto p = parse_admin_policy(d);
    EXPECT_FALSE(p) << d;
    if (!p) {
      EXPECT_EQ(p.error().code, errc::validation);
      EXPECT_TRUE(p.error().message.starts_with("MalformedPolicyDocument")) << p.error().message;
    }
  }
}

TEST(admin_policy, limits_size_statements_and_nesting) {
  // 6,144 characters not counting white space, like IAM managed policies.
  std::string big = R"({"Statement":{"Effect":"Allow","Action":"*","Resource":"arn:)" + std::string(6200, 'x') + R"("}})";
  EXPECT_FALSE(parse_admin_policy(big));
  std::string spaced = R"({"Statement":{"Effect":"Allow","Action":"*","Resource":"*"})" + std::string(20000, ' ') + "}";
  EXPECT_TRUE(parse_admin_policy(spaced)) << "white space is not counted";
  EXPECT_FALSE(parse_admin_policy(std::string(70000, ' '))) << "raw size is bounded";
  std::string many = R"({"Statement":[)";
  for (int i = 0; i < 101; ++i) many += std::string(i ? "," : "") + R"({"Effect":"Allow","Action":"*","Resource":"*"})";
  many += "]}";
  EXPECT_FALSE(parse_admin_policy(many));
  std::string deep = R"({"Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals":{"k":[[["v"]]]}}}})";
  EXPECT_FALSE(parse_admin_policy(deep));
  std::string nested(10000, '[');
  EXPECT_FALSE(parse_admin_policy(nested));
}

TEST(admin_policy, explicit_deny_wins_then_allow_then_default_deny) {
  auto allow_all = parse(R"({"Statement":{"Effect":"Allow","Action":"sso:*","Resource":"*"}})");
  auto deny_delete = parse(R"({"Statement":{"Effect":"Deny","Action":"sso:Delete*","Resource":"*"}})");
  std::vector<admin_policy> ps{allow_all, deny_delete};
  EXPECT_EQ(decide(ps, "sso:CreatePermissionSet"), allow);
  EXPECT_EQ(decide(ps, "sso:DeletePermissionSet"), denied);
  EXPECT_EQ(decide(ps, "identitystore:CreateUser"), implicit);
  EXPECT_EQ(decide({}, "sso:ListInstances"), implicit) << "no policy, no access";
}

TEST(admin_policy, not_action_and_not_resource) {
  auto p = parse(R"({"Statement":[{"Effect":"Allow","NotAction":"sso:Delete*","Resource":"*"},
      {"Effect":"Deny","Action":"sso:*","NotResource":"arn:aws:sso:::account/111111111111"}]})");
  std::vector<admin_policy> ps{p};
  EXPECT_EQ(decide(ps, "sso:CreateAccountAssignment", {res("arn:aws:sso:::account/111111111111")}), allow);
  EXPECT_EQ(decide(ps, "sso:CreateAccountAssignment", {res("arn:aws:sso:::account/222222222222")}), denied);
  EXPECT_EQ(decide(ps, "sso:DeleteAccountAssignment", {res("arn:aws:sso:::account/111111111111")}), implicit);
}

TEST(admin_policy, every_resource_of_a_call_must_be_allowed) {
  auto p = parse(R"({"Statement":{"Effect":"Allow","Action":"sso:CreateAccountAssignment",
      "Resource":["arn:aws:sso:::instance/*","arn:aws:sso:::account/111111111111"]}})");
  std::vector<admin_policy> ps{p};
  auto v = evaluate(ps, {"sso:CreateAccountAssignment", {res(instance), res("arn:aws:sso:::account/111111111111"), res(ps1)}, {}});
  EXPECT_EQ(v.decision, implicit);
  EXPECT_EQ(v.resource, ps1) << "names the resource that was not allowed";
  v = evaluate(ps, {"sso:CreateAccountAssignment", {res(instance), res("arn:aws:sso:::account/111111111111")}, {}});
  EXPECT_EQ(v.decision, allow);
}

TEST(admin_policy, conditions_on_resource_and_request_tags) {
  auto p = parse(R"({"Statement":{"Effect":"Allow","Action":"sso:*","Resource":"arn:aws:sso:::permissionSet/*/*",
      "Condition":{"StringEquals":{"aws:ResourceTag/Environment":["Development","Test"]},
                   "StringLike":{"aws:ResourceTag/Team":"payments-*"},
                   "StringNotEquals":{"aws:ResourceTag/Locked":"true"}}}})");
  std::vector<admin_policy> ps{p};
  EXPECT_EQ(decide(ps, "sso:UpdatePermissionSet", {res(ps1, {{"Environment", "Test"}, {"Team", "payments-eu"}})}), allow);
  EXPECT_EQ(decide(ps, "sso:UpdatePermissionSet", {res(ps1, {{"environment", "Test"}, {"team", "payments-eu"}})}), allow)
      << "tag keys in condition keys are case-insensitive";
  EXPECT_EQ(decide(ps, "sso:UpdatePermissionSet", {res(ps1, {{"Environment", "test"}, {"Team", "payments-eu"}})}), implicit)
      << "StringEquals values are case-sensitive";
  EXPECT_EQ(decide(ps, "sso:UpdatePermissionSet", {res(ps1, {{"Environment", "Test"}, {"Team", "payments-eu"}, {"Locked", "true"}})}), implicit);
  EXPECT_EQ(decide(ps, "sso:UpdatePermissionSet", {res(ps1, {{"Environment", "Test"}})}), implicit) << "missing key: StringLike false";
  auto deny_unless = parse(R"({"Statement":[{"Effect":"Allow","Action":"sso:*","Resource":"*"},
      {"Effect":"Deny","Action":"sso:TagResource","Resource":"*","Condition":{"StringNotLike":{"aws:RequestTag/Owner":"team-*"}}}]})");
  std::vector<admin_policy> qs{deny_unless};
  EXPECT_EQ(evaluate(qs, {"sso:TagResource", {}, {{"Owner", "team-a"}}}).decision, allow);
  EXPECT_EQ(evaluate(qs, {"sso:TagResource", {}, {{"Owner", "bob"}}}).decision, denied);
  EXPECT_EQ(evaluate(qs, {"sso:TagResource", {}, {}}).decision, denied) << "missing key: negated operators hold";
}

// The guide's "Example 1: Allow a user to view AWS SSO".
TEST(admin_policy, guide_example_view_only) {
  auto p = parse(R"({"Version":"2012-10-17","Statement":[{"Sid":"VisualEditor0","Effect":"Allow","Action":[
      "ds:DescribeDirectories","ds:DescribeTrusts","iam:ListPolicies","organizations:DescribeOrganization",
      "organizations:DescribeAccount","organizations:ListParents","organizations:ListChildren",
      "organizations:ListAccounts","organizations:ListRoots","organizations:ListAccountsForParent",
      "organizations:ListOrganizationalUnitsForParent","sso:ListManagedPoliciesInPermissionSet",
      "sso:ListPermissionSetsProvisionedToAccount","sso:ListAccountAssignments",
      "sso:ListAccountsForProvisionedPermissionSet","sso:ListPermissionSets","sso:DescribePermissionSet",
      "sso:GetInlinePolicyForPermissionSet","sso-directory:DescribeDirectory","sso-directory:SearchUsers",
      "sso-directory:SearchGroups"],"Resource":"*"}]})");
  std::vector<admin_policy> ps{p};
  EXPECT_EQ(decide(ps, "organizations:ListAccounts"), allow);
  EXPECT_EQ(decide(ps, "sso:DescribePermissionSet", {res(instance), res(ps1)}), allow);
  EXPECT_EQ(decide(ps, "sso:CreatePermissionSet", {res(instance)}), implicit);
  EXPECT_EQ(decide(ps, "identitystore:CreateUser"), implicit);
}

// "Example 2: Allow a user to manage permissions to AWS accounts" (the PDF's "sso>" read as "sso:").
TEST(admin_policy, guide_example_manage_permissions_to_accounts) {
  auto p = parse(R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":[
      "sso:AttachManagedPolicyToPermissionSet","sso:CreateAccountAssignment","sso:CreatePermissionSet",
      "sso:DeleteAccountAssignment","sso:DeleteInlinePolicyFromPermissionSet","sso:DeletePermissionSet",
      "sso:DetachManagedPolicyFromPermissionSet","sso:ProvisionPermissionSet",
      "sso:PutInlinePolicyToPermissionSet","sso:UpdatePermissionSet"],"Resource":"*"},
      {"Sid":"IAMListPermissions","Effect":"Allow","Action":["iam:ListRoles","iam:ListPolicies"],"Resource":"*"}]})");
  std::vector<admin_policy> ps{p};
  EXPECT_EQ(decide(ps, "sso:CreatePermissionSet", {res(instance)}), allow);
  EXPECT_EQ(decide(ps, "sso:CreateAccountAssignment", {res(instance), res(ps1), res("arn:aws:sso:::account/111111111111")}), allow);
  EXPECT_EQ(decide(ps, "sso:ListPermissionSets", {res(instance)}), implicit) << "no read actions in the example";
  EXPECT_EQ(decide(ps, "identitystore:DeleteUser"), implicit);
}

// "Example 5": account-based delegation.
TEST(admin_policy, guide_example_account_based_delegation) {
  auto p = parse(R"({"Statement":{"Sid":"DelegateAccountsAdminAccess","Effect":"Allow","Action":[
      "sso:ProvisionPermissionSet","sso:CreateAccountAssignment","sso:DeleteAccountAssignment"],
      "Resource":["arn:aws:sso:::account/112233445566","arn:aws:sso:::account/223344556677",
                  "arn:aws:sso:::instance/*","arn:aws:sso:::permissionSet/*/*"]}})");
  std::vector<admin_policy> ps{p};
  auto call = [&](std::string account) {
    return decide(ps, "sso:CreateAccountAssignment", {res(instance), res(ps1), res("arn:aws:sso:::account/" + account)});
  };
  EXPECT_EQ(call("112233445566"), allow);
  EXPECT_EQ(call("223344556677"), allow);
  EXPECT_EQ(call("999999999999"), implicit);
}

// "Example 5": permission-set-based delegation.
TEST(admin_policy, guide_example_permission_set_based_delegation) {
  auto p = parse(R"({"Statement":{"Sid":"DelegatePermissionsAdminAccess","Effect":"Allow","Action":[
      "sso:ProvisionPermissionSet","sso:CreateAccountAssignment","sso:PutInlinePolicyToPermissionSet",
      "sso:UpdatePermissionSet","sso:DeletePermissionSet"],
      "Resource":["arn:aws:sso:::instance/ssoins-1111111111",
                  "arn:aws:sso:::permissionSet/ssoins-1111111111/ps-112233abcdef123"]}})");
  std::vector<admin_policy> ps{p};
  EXPECT_EQ(decide(ps, "sso:UpdatePermissionSet", {res(instance), res(ps1)}), allow);
  EXPECT_EQ(decide(ps, "sso:UpdatePermissionSet", {res(instance), res(ps2)}), implicit);
  EXPECT_EQ(decide(ps, "sso:UpdatePermissionSet", {res("arn:aws:sso:::instance/ssoins-2222222222"), res(ps1)}), implicit);
}

// "Example 5": OU-based delegation (permission sets by tags, accounts of the OU by ARN).
TEST(admin_policy, guide_example_ou_and_tag_based_delegation) {
  auto p = parse(R"({"Version":"2012-10-17","Statement":[
      {"Sid":"DelegateOUsAdminAccess","Effect":"Allow","Action":["sso:ProvisionPermissionSet","sso:CreateAccountAssignment",
        "sso:UpdatePermissionSet"],"Resource":"arn:aws:sso:::permissionSet/*/*",
        "Condition":{"StringEquals":{"aws:ResourceTag/Environment":"Development","aws:ResourceTag/OU":"Test"}}},
      {"Sid":"Instance","Effect":"Allow","Action":["sso:ProvisionPermissionSet","sso:CreateAccountAssignment",
        "sso:UpdatePermissionSet"],
        "Resource":["arn:aws:sso:::instance/ssoins-1111111111","arn:aws:sso:::account/112233445566",
                    "arn:aws:sso:::account/223344556677"]}]})");
  std::vector<admin_policy> ps{p};
  std::map<std::string, std::string> dev_test{{"Environment", "Development"}, {"OU", "Test"}};
  auto assign = [&](std::map<std::string, std::string> tags, std::string account) {
    return decide(ps, "sso:CreateAccountAssignment",
                  {res(instance), res(ps1, std::move(tags)), res("arn:aws:sso:::account/" + account)});
  };
  EXPECT_EQ(assign(dev_test, "112233445566"), allow);
  EXPECT_EQ(assign({{"Environment", "Production"}, {"OU", "Test"}}, "112233445566"), implicit);
  EXPECT_EQ(assign({{"Environment", "Development"}}, "112233445566"), implicit) << "both tags are required";
  EXPECT_EQ(assign(dev_test, "999999999999"), implicit) << "account outside the OU";
}

TEST(admin_policy, builtins_parse_and_grant_what_the_guide_says) {
  for (const auto& b : builtin_policies()) EXPECT_TRUE(parse_admin_policy(b.document)) << b.name;
  EXPECT_FALSE(builtin_policy_document("AWSSSONoSuchPolicy"));
  std::vector<admin_policy> master{builtin("AWSSSOMasterAccountAdministrator")};
  EXPECT_EQ(decide(master, "sso:CreatePermissionSet", {res(instance)}), allow);
  EXPECT_EQ(decide(master, "identitystore:CreateUser"), allow);
  EXPECT_EQ(decide(master, "organizations:ListAccounts"), allow);
  EXPECT_EQ(decide(master, "organizations:CreateAccount"), implicit);
  std::vector<admin_policy> member{builtin("AWSSSOMemberAccountAdministrator")};
  EXPECT_EQ(decide(member, "sso:DeleteAccountAssignment", {res(instance)}), allow);
  EXPECT_EQ(decide(member, "iam:PassRole", {res("arn:aws:iam::1:role/aws-service-role/sso.amazonaws.com/AWSServiceRoleForSSO")}), implicit);
  std::vector<admin_policy> dir{builtin("AWSSSODirectoryAdministrator")};
  EXPECT_EQ(decide(dir, "identitystore:DeleteUser"), allow);
  EXPECT_EQ(decide(dir, "sso-directory:CreateScimAccessToken"), allow);
  EXPECT_EQ(decide(dir, "sso:CreatePermissionSet", {res(instance)}), implicit);
  std::vector<admin_policy> ro{builtin("AWSSSOReadOnly")};
  EXPECT_EQ(decide(ro, "sso:ListPermissionSets", {res(instance)}), allow);
  EXPECT_EQ(decide(ro, "sso:DescribeInstanceAccessControlAttributeConfiguration", {res(instance)}), allow);
  EXPECT_EQ(decide(ro, "sso:UpdateInstance", {res(instance)}), implicit);
  EXPECT_EQ(decide(ro, "identitystore:ListUsers"), implicit) << "cannot view users directly";
  std::vector<admin_policy> dro{builtin("AWSSSODirectoryReadOnly")};
  EXPECT_EQ(decide(dro, "identitystore:ListUsers"), allow);
  EXPECT_EQ(decide(dro, "identitystore:IsMemberInGroups"), allow);
  EXPECT_EQ(decide(dro, "identitystore:CreateUser"), implicit);
  EXPECT_EQ(decide(dro, "sso:ListPermissionSets", {res(instance)}), implicit);
  std::vector<admin_policy> admin{builtin("AdministratorAccess")};
  EXPECT_EQ(decide(admin, "anything:AtAll", {res(ps1)}), allow);
}

TEST(admin_policy, may_be_allowed_on_some_resource) {
  std::vector<admin_policy> ou{parse(R"({"Statement": [
    {"Effect": "Allow", "Action": "sso:CreateAccountAssignment", "Resource": "arn:aws:sso:::account/111111111111"},
    {"Effect": "Allow", "Action": "sso:DeletePermissionSet", "Resource": "*"},
    {"Effect": "Deny", "Action": "sso:DeletePermissionSet", "Resource": "*"},
    {"Effect": "Allow", "Action": "sso:UpdatePermissionSet", "Resource": "*"},
    {"Effect": "Deny", "Action": "sso:UpdatePermissionSet", "Resource": "arn:aws:sso:::permissionSet/*/ps-1"}]})")};
  EXPECT_TRUE(may_be_allowed(ou, "sso:CreateAccountAssignment")) << "allowed on one account: offered";
  EXPECT_EQ(decide(ou, "sso:CreateAccountAssignment"), implicit) << "yet a call naming no account is refused";
  EXPECT_FALSE(may_be_allowed(ou, "sso:DeletePermissionSet")) << "denied everywhere";
  EXPECT_TRUE(may_be_allowed(ou, "sso:UpdatePermissionSet")) << "denied on one resource only";
  EXPECT_FALSE(may_be_allowed(ou, "sso:ProvisionPermissionSet")) << "never allowed";
  std::vector<admin_policy> admin{builtin("AdministratorAccess")};
  EXPECT_TRUE(may_be_allowed(admin, "organizations:ListRoots"));
}

}  // namespace atrium::domain
