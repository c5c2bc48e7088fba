// Organization rules: id formats, input limits and ARNs as AWS Organizations has them.
#include "domain/org.hpp"

#include <gtest/gtest.h>

namespace atrium::domain {

TEST(org_ids, generated_ids_have_the_service_formats) {
  seeded_random rnd(7);
  for (int i = 0; i < 200; ++i) {
    auto o = new_organization_id(rnd);
    auto r = new_root_id(rnd);
    auto ou = new_ou_id(r, rnd);
    EXPECT_TRUE(is_organization_id(o)) << o;
    EXPECT_EQ(o.size(), 12u);
    EXPECT_TRUE(is_root_id(r)) << r;
    EXPECT_EQ(r.size(), 6u);
    EXPECT_TRUE(is_ou_id(ou)) << ou;
    EXPECT_EQ(ou.substr(0, 8), "ou-" + r.substr(2) + "-") << "the OU id carries the root's four characters";
    EXPECT_EQ(ou.size(), 16u);
  }
}

TEST(org_ids, recognisers_reject_near_misses) {
  EXPECT_FALSE(is_organization_id("o-ABCDEFGHIJ"));
  EXPECT_FALSE(is_organization_id("o-abc"));
  EXPECT_FALSE(is_root_id("r-ab"));
  EXPECT_FALSE(is_root_id("r-AB12"));
  EXPECT_TRUE(is_ou_id("ou-ab12-abcdefgh"));
  EXPECT_FALSE(is_ou_id("ou-ab12-abcdefg"));
  EXPECT_FALSE(is_ou_id("ou-ab1-abcdefgh"));
  EXPECT_FALSE(is_ou_id("ou-ab12abcdefgh"));
  EXPECT_TRUE(is_account_id("123456789012"));
  EXPECT_FALSE(is_account_id("12345678901"));
  EXPECT_FALSE(is_account_id("12345678901a"));
  EXPECT_TRUE(is_parent_id("r-ab12"));
  EXPECT_TRUE(is_parent_id("ou-ab12-abcdefgh"));
  EXPECT_FALSE(is_parent_id("123456789012"));
}

TEST(org_rules, account_name_is_1_to_50_printable_ascii) {
  EXPECT_TRUE(check_account_name("Production"));
  EXPECT_TRUE(check_account_name(std::string(50, 'a')));
  auto empty = check_account_name("");
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error().code, errc::validation);
  EXPECT_EQ(empty.error().resource_type, "MIN_LENGTH_EXCEEDED");
  EXPECT_EQ(check_account_name(std::string(51, 'a')).error().resource_type, "MAX_LENGTH_EXCEEDED");
  EXPECT_EQ(check_account_name("tab\there").error().resource_type, "INVALID_PATTERN");
  EXPECT_EQ(check_account_name("caf\xc3\xa9").error().resource_type, "INVALID_PATTERN");
}

TEST(org_rules, email_is_6_to_64_with_one_at_and_a_dotted_domain) {
  EXPECT_TRUE(check_email("a@b.co"));
  EXPECT_TRUE(check_email("ops+prod@example.com"));
  EXPECT_EQ(check_email("a@b.c").error().resource_type, "MIN_LENGTH_EXCEEDED");
  EXPECT_EQ(check_email(std::string(60, 'a') + "@b.com").error().resource_type, "MAX_LENGTH_EXCEEDED");
  EXPECT_EQ(check_email("nobody.example.com").error().resource_type, "INVALID_PATTERN");
  EXPECT_EQ(check_email("a@b@example.com").error().resource_type, "INVALID_PATTERN");
  EXPECT_EQ(check_email("ab@examplecom").error().resource_type, "INVALID_PATTERN");
  EXPECT_EQ(check_email("a b@example.com").error().resource_type, "INVALID_PATTERN");
}

TEST(org_rules, ou_name_is_1_to_128_characters) {
  EXPECT_TRUE(check_ou_name("Workloads"));
  EXPECT_TRUE(check_ou_name(std::string(128, 'x')));
  std::string accented;
  for (int i = 0; i < 128; ++i) accented += "\xc3\xa9";  // 128 characters, 256 bytes
  EXPECT_TRUE(check_ou_name(accented)) << "the limit counts characters, not bytes";
  EXPECT_EQ(check_ou_name("").error().resource_type, "MIN_LENGTH_EXCEEDED");
  EXPECT_EQ(check_ou_name(std::string(129, 'x')).error().resource_type, "MAX_LENGTH_EXCEEDED");
  EXPECT_EQ(check_ou_name("bad\xff").error().resource_type, "INVALID_PATTERN");
}

TEST(org_arns, are_written_as_organizations_writes_them) {
  organization o{"o-abcdefghij", "111122223333", "r-ab12", "ALL", {}};
  EXPECT_EQ(organization_arn(o), "arn:aws:organizations::111122223333:organization/o-abcdefghij");
  EXPECT_EQ(root_arn(o), "arn:aws:organizations::111122223333:root/o-abcdefghij/r-ab12");
  EXPECT_EQ(ou_arn(o, "ou-ab12-abcdefgh"), "arn:aws:organizations::111122223333:ou/o-abcdefghij/ou-ab12-abcdefgh");
  EXPECT_EQ(account_arn(o, "444455556666"), "arn:aws:organizations::111122223333:account/o-abcdefghij/444455556666");
}

}  // namespace atrium::domain
