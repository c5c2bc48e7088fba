// Permission set rules: names, descriptions, session durations, relay states, policy ARNs and
// references, boundaries, tags (sso-admin model 2020-07-20; guide "Permission sets", "Tagging").
#include "domain/permission_set.hpp"

#include <gtest/gtest.h>

namespace atrium::domain {

TEST(permission_set_rules, ids_and_arns_have_the_service_formats) {
  seeded_random rnd(3);
  auto ins = new_instance_id(rnd);
  EXPECT_TRUE(is_instance_id(ins)) << ins;
  EXPECT_EQ(ins.size(), 23u);
  auto ps = new_permission_set_id(rnd);
  EXPECT_EQ(ps.size(), 19u);
  EXPECT_TRUE(ps.starts_with("ps-"));
  EXPECT_EQ(instance_arn(ins), "arn:aws:sso:::instance/" + ins);
  EXPECT_EQ(permission_set_arn(ins, ps), "arn:aws:sso:::permissionSet/" + ins + "/" + ps);
  EXPECT_FALSE(is_instance_id("ssoins-123"));
}

TEST(permission_set_rules, names_are_1_to_32_of_the_model_pattern) {
  EXPECT_TRUE(check_permission_set_name("AdministratorAccess"));
  EXPECT_TRUE(check_permission_set_name("a+b=c,d.e@f-g_h"));
  EXPECT_TRUE(check_permission_set_name(std::string(32, 'x')));
  EXPECT_FALSE(check_permission_set_name(""));
  EXPECT_FALSE(check_permission_set_name(std::string(33, 'x')));
  EXPECT_FALSE(check_permission_set_name("has space"));
  EXPECT_FALSE(check_permission_set_name("slash/no"));
  EXPECT_EQ(check_permission_set_name("é").error().code, errc::validation);
}

TEST(permission_set_rules, descriptions_are_latin1_printable_up_to_700) {
  EXPECT_TRUE(check_permission_set_description("Read-only access\tfor auditors\n"));
  EXPECT_TRUE(check_permission_set_description("Café"));
  EXPECT_TRUE(check_permission_set_description(std::string(700, 'd')));
  EXPECT_FALSE(check_permission_set_description(std::string(701, 'd')));
  EXPECT_FALSE(check_permission_set_description(""));
  EXPECT_FALSE(check_permission_set_description("emoji \xF0\x9F\x98\x80"));
  EXPECT_FALSE(check_permission_set_description(std::string("nul\x01", 4)));
}

TEST(permission_set_rules, session_durations_are_iso8601_between_1_and_12_hours) {
  EXPECT_EQ(session_seconds("PT1H").value(), std::chrono::seconds(3600));
  EXPECT_EQ(session_seconds("PT12H").value(), std::chrono::seconds(43200));
  EXPECT_EQ(session_seconds("PT90M").value(), std::chrono::seconds(5400));
  EXPECT_EQ(session_seconds("PT1H30M").value(), std::chrono::seconds(5400));
  EXPECT_EQ(session_seconds("PT3600S").value(), std::chrono::seconds(3600));
  EXPECT_EQ(session_seconds("P0DT2H").value(), std::chrono::seconds(7200));
  EXPECT_FALSE(session_seconds("PT59M"));
  EXPECT_FALSE(session_seconds("PT12H1S"));
  EXPECT_FALSE(session_seconds("P1D"));
  EXPECT_FALSE(session_seconds("1H"));
  EXPECT_FALSE(session_seconds("PT"));
  EXPECT_FALSE(session_seconds("PTH"));
  EXPECT_FALSE(session_seconds("P1M"));
  EXPECT_FALSE(session_seconds("PT1H1H"));
  EXPECT_FALSE(session_seconds("PT1HT"));
}

TEST(permission_set_rules, relay_state_is_an_http_url) {
  EXPECT_TRUE(check_relay_state("https://console.aws.amazon.com/ec2/home?region=us-east-1#Instances:"));
  EXPECT_TRUE(check_relay_state("http://example.com/"));
  EXPECT_FALSE(check_relay_state("ftp://example.com/"));
  EXPECT_FALSE(check_relay_state("https://example.com/" + std::string(230, 'a')));
  EXPECT_FALSE(check_relay_state("https://example.com/<script>"));
  EXPECT_FALSE(check_relay_state(""));
}

TEST(permission_set_rules, managed_policy_arns_are_aws_managed_with_optional_paths) {
  EXPECT_TRUE(check_managed_policy_arn("arn:aws:iam::aws:policy/ReadOnlyAccess"));
  EXPECT_TRUE(check_managed_policy_arn("arn:aws:iam::aws:policy/job-function/ViewOnlyAccess"));
  EXPECT_TRUE(check_managed_policy_arn("arn:aws:iam::aws:policy/service-role/AWSConfigRole"));
  EXPECT_TRUE(check_managed_policy_arn("arn:aws-us-gov:iam::aws:policy/ReadOnlyAccess"));
  EXPECT_FALSE(check_managed_policy_arn("arn:aws:iam::123456789012:policy/Mine"));
  EXPECT_FALSE(check_managed_policy_arn("arn:aws:iam::aws:policy/"));
  EXPECT_FALSE(check_managed_policy_arn("arn:aws:iam::aws:policy//Double"));
  EXPECT_FALSE(check_managed_policy_arn("arn:aws:iam::aws:policy/Bad Name"));
  EXPECT_FALSE(check_managed_policy_arn("ReadOnlyAccess"));
}

TEST(permission_set_rules, customer_managed_references_and_boundaries) {
  EXPECT_TRUE(check_customer_managed_ref({"MyPolicy", "/"}));
  EXPECT_TRUE(check_customer_managed_ref({"MyPolicy", "/team/a/"}));
  EXPECT_FALSE(check_customer_managed_ref({"", "/"}));
  EXPECT_FALSE(check_customer_managed_ref({std::string(129, 'p'), "/"}));
  EXPECT_FALSE(check_customer_managed_ref({"MyPolicy", "team/"}));
  EXPECT_FALSE(check_customer_managed_ref({"MyPolicy", "/team"}));
  EXPECT_FALSE(check_customer_managed_ref({"MyPolicy", "//"}));
  permissions_boundary none;
  EXPECT_FALSE(check_boundary(none));
  permissions_boundary both{"arn:aws:iam::aws:policy/ReadOnlyAccess", customer_managed_ref{"B", "/"}};
  EXPECT_FALSE(check_boundary(both));
  EXPECT_TRUE(check_boundary({"arn:aws:iam::aws:policy/ReadOnlyAccess", std::nullopt}));
  EXPECT_TRUE(check_boundary({std::nullopt, customer_managed_ref{"B", "/x/"}}));
}

TEST(permission_set_rules, inline_policy_text_size_and_characters) {
  EXPECT_TRUE(check_inline_policy_text("{}", 10));
  EXPECT_FALSE(check_inline_policy_text("", 10));
  EXPECT_FALSE(check_inline_policy_text(std::string(11, ' '), 10));
  EXPECT_FALSE(check_inline_policy_text("\xE2\x82\xAC", 10)) << "the euro sign is above U+00FF";
}

TEST(permission_set_rules, tags_follow_the_tagging_rules) {
  EXPECT_TRUE(check_tag({"CostCenter", "12345"}));
  EXPECT_TRUE(check_tag({"team:name/x=y+z-@_.", ""}));
  EXPECT_TRUE(check_tag({"Ünïcödé 名前", "値 1"}));
  EXPECT_FALSE(check_tag({"", "v"}));
  EXPECT_FALSE(check_tag({std::string(129, 'k'), "v"}));
  EXPECT_TRUE(check_tag({std::string(128, 'k'), std::string(256, 'v')}));
  EXPECT_FALSE(check_tag({"k", std::string(257, 'v')}));
  EXPECT_FALSE(check_tag({"aws:reserved", "v"}));
  EXPECT_FALSE(check_tag({"AWS:reserved", "v"}));
  EXPECT_FALSE(check_tag({"bad*char", "v"}));
  EXPECT_FALSE(check_tag({"k", "semi;colon"}));
  EXPECT_FALSE(check_tag({"bad\x01", "v"}));
}

TEST(permission_set_rules, merging_tags_replaces_values_keeps_case_and_counts) {
  std::vector<resource_tag> cur{{"Env", "dev"}};
  auto merged = merge_tags(cur, {{"env", "x"}, {"Env", "prod"}}, 50);
  ASSERT_TRUE(merged);
  ASSERT_EQ(merged->size(), 2u) << "keys are case-sensitive";
  EXPECT_EQ((*merged)[0], (resource_tag{"Env", "prod"}));
  std::vector<resource_tag> many;
  for (int i = 0; i < 50; ++i) many.push_back({"k" + std::to_string(i), ""});
  EXPECT_TRUE(merge_tags({}, many, 50));
  auto over = merge_tags(many, {{"one-more", ""}}, 50);
  ASSERT_FALSE(over);
  EXPECT_EQ(over.error().code, errc::quota_exceeded);
  EXPECT_EQ(remove_tags(*merged, {"env", "absent"}).size(), 1u);
}

}  // namespace atrium::domain
