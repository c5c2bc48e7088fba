// Field rules of the assignment operations (sso-admin API model 2020-07-20) and the names of
// what is provisioned into accounts.
#include "domain/assignment.hpp"

#include <gtest/gtest.h>

namespace atrium::domain {

constexpr const char* sso_instance = "arn:aws:sso:::instance/ssoins-0123456789abcdef";
constexpr const char* ps = "arn:aws:sso:::permissionSet/ssoins-0123456789abcdef/ps-fedcba9876543210";

TEST(assignment_domain, arns_follow_the_model_patterns) {
  EXPECT_TRUE(check_instance_arn("InstanceArn", sso_instance));
  EXPECT_TRUE(check_instance_arn("InstanceArn", "arn:aws-us-gov:sso:::instance/ins-0123456789abcdef"));
  EXPECT_FALSE(check_instance_arn("InstanceArn", "arn:aws:sso:::instance/ssoins-0123"));
  EXPECT_FALSE(check_instance_arn("InstanceArn", "arn:foo:sso:::instance/ssoins-0123456789abcdef"));
  EXPECT_FALSE(check_instance_arn("InstanceArn", std::string(sso_instance) + "x"));
  EXPECT_TRUE(check_permission_set_arn("PermissionSetArn", ps));
  EXPECT_FALSE(check_permission_set_arn("PermissionSetArn", sso_instance));
  EXPECT_FALSE(check_permission_set_arn("PermissionSetArn", "arn:aws:sso:::permissionSet/ssoins-0123456789abcdef/ps-12"));
  auto e = check_permission_set_arn("PermissionSetArn", "x");
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().code, errc::validation);
  EXPECT_NE(e.error().message.find("PermissionSetArn"), std::string::npos);
}

TEST(assignment_domain, account_principal_and_request_ids) {
  EXPECT_TRUE(check_account_id("TargetId", "123456789012"));
  EXPECT_FALSE(check_account_id("TargetId", "12345678901"));
  EXPECT_FALSE(check_account_id("TargetId", "12345678901a"));
  EXPECT_TRUE(check_principal_id("PrincipalId", "0123456789-0198a0b1-c2d3-7e4f-8a9b-0c1d2e3f4a5b"));
  EXPECT_TRUE(check_principal_id("PrincipalId", "0198A0B1-C2D3-7E4F-8A9B-0C1D2E3F4A5B"));
  EXPECT_FALSE(check_principal_id("PrincipalId", ""));
  EXPECT_FALSE(check_principal_id("PrincipalId", "not-a-principal"));
  EXPECT_TRUE(check_request_id("RequestId", "0198a0b1-c2d3-7e4f-8a9b-0c1d2e3f4a5b"));
  EXPECT_FALSE(check_request_id("RequestId", "0198A0B1-C2D3-7E4F-8A9B-0C1D2E3F4A5B"));
}

TEST(assignment_domain, reserved_names_use_the_instance_and_permission_set_ids) {
  EXPECT_EQ(saml_provider_name(sso_instance), "AWSSSO_0123456789abcdef_DO_NOT_DELETE");
  EXPECT_EQ(reserved_role_name("ReadOnly", ps), "AWSReservedSSO_ReadOnly_fedcba9876543210");
  EXPECT_EQ(reserved_role_name(std::string(32, 'n'), ps).size(), 64u) << "IAM's role name limit";
  EXPECT_EQ(instance_arn_of(ps), sso_instance);
  EXPECT_EQ(instance_arn_of("garbage"), "");
}

TEST(assignment_domain, role_names_follow_the_naming_setting) {
  // Atrium's default works with AssumeRoleWithSAML; the service's names stay available.
  EXPECT_EQ(role_name(role_naming{}, "ReadOnly", ps), "AtriumSSO_ReadOnly_fedcba9876543210");
  EXPECT_EQ(role_naming{}.path, "/atrium/");
  EXPECT_EQ(role_name(role_naming::service(), "ReadOnly", ps), reserved_role_name("ReadOnly", ps));
  EXPECT_EQ(role_naming::service().path, "/aws-reserved/sso.amazonaws.com/");
  EXPECT_EQ(role_name({"Longest15Prefix", "/"}, std::string(32, 'n'), ps).size(), 64u) << "IAM's role name limit";
  EXPECT_TRUE(check_role_naming({}));
  EXPECT_TRUE(check_role_naming(role_naming::service()));
  EXPECT_TRUE(check_role_naming({"Ops+=,.@-_", "/"}));
  EXPECT_FALSE(check_role_naming({"", "/atrium/"}));
  EXPECT_FALSE(check_role_naming({"Sixteen_chars_xx", "/atrium/"}));
  EXPECT_FALSE(check_role_naming({"Bad Prefix", "/atrium/"}));
  EXPECT_FALSE(check_role_naming({"A_", "atrium/"}));
  EXPECT_FALSE(check_role_naming({"A_", "/atrium"}));
  EXPECT_FALSE(check_role_naming({"A_", "/a//b/"}));
  EXPECT_FALSE(check_role_naming({"A_", "/a b/"}));
  EXPECT_FALSE(check_role_naming({"A_", "/" + std::string(511, 'a') + "/"}));
  auto e = check_role_naming({"", "/"});
  ASSERT_FALSE(e);
  EXPECT_NE(e.error().message.find("provisioner.role_name_prefix"), std::string::npos);
  EXPECT_EQ(iam_role_arn("aws", "111122223333", "/atrium/", "AtriumSSO_A_0"), "arn:aws:iam::111122223333:role/atrium/AtriumSSO_A_0");
  EXPECT_EQ(iam_role_arn("aws-cn", "111122223333", "/", "R"), "arn:aws-cn:iam::111122223333:role/R");
  EXPECT_EQ(saml_provider_arn("aws", "111122223333", "AWSSSO_0_DO_NOT_DELETE"),
            "arn:aws:iam::111122223333:saml-provider/AWSSSO_0_DO_NOT_DELETE");
}

TEST(assignment_domain, enums_round_trip) {
  EXPECT_EQ(parse_principal_type("GROUP"), principal_type::group);
  EXPECT_EQ(parse_principal_type("group"), std::nullopt);
  EXPECT_EQ(parse_request_status(to_string(request_status::failed)), request_status::failed);
  EXPECT_STREQ(to_string(request_status::in_progress), "IN_PROGRESS");
}

}  // namespace atrium::domain
