#include "proto/kit/attribute_json.hpp"

#include <gtest/gtest.h>

namespace atrium::proto {

using nlohmann::json;

namespace {
domain::user base_user() {
  domain::user u;
  u.user_name = "alice";
  u.display_name = "Alice";
  u.user_name_parts = domain::name{};
  u.user_name_parts->given_name = "Alice";
  u.user_name_parts->family_name = "Example";
  return u;
}
result<void> apply(domain::user& u, const char* path, const json& v) {
  return apply_user_attribute(u, path, &v);
}
}  // namespace

TEST(attribute_json, keys_match_case_insensitively) {
  auto emails = emails_from_json(json::parse(R"([{"Value":"a@x.io","TYPE":"work","primary":true}])"));
  ASSERT_TRUE(emails);
  EXPECT_EQ(emails->front().value, "a@x.io");
  EXPECT_EQ(emails->front().type, "work");
  EXPECT_EQ(emails->front().primary, true);
}

TEST(attribute_json, types_are_strict_unless_lenient) {
  auto j = json::parse(R"([{"value":"a@x.io","primary":"True"}])");
  EXPECT_FALSE(emails_from_json(j));
  auto lenient = emails_from_json(j, {.lenient_booleans = true});
  ASSERT_TRUE(lenient);
  EXPECT_EQ(lenient->front().primary, true);
  EXPECT_FALSE(name_from_json(json::parse(R"({"GivenName": 7})")));
  EXPECT_FALSE(emails_from_json(json::parse(R"({"value":"not a list"})")));
}

TEST(attribute_json, scalar_and_dotted_paths) {
  auto u = base_user();
  ASSERT_TRUE(apply(u, "displayName", "New"));
  EXPECT_EQ(u.display_name, "New");
  ASSERT_TRUE(apply(u, "name.givenName", "Alicia"));
  EXPECT_EQ(u.user_name_parts->given_name, "Alicia");
  EXPECT_EQ(u.user_name_parts->family_name, "Example");
  ASSERT_TRUE(apply_user_attribute(u, "title", nullptr).has_value());
  EXPECT_FALSE(u.title.has_value());
  EXPECT_FALSE(apply(u, "nosuch", "x"));
  EXPECT_FALSE(apply(u, "displayName", 5));
}

TEST(attribute_json, single_item_sub_attributes) {
  auto u = base_user();
  ASSERT_TRUE(apply(u, "emails.value", "a@x.io"));
  ASSERT_TRUE(apply(u, "emails.primary", true));
  ASSERT_EQ(u.emails.size(), 1u);
  EXPECT_EQ(u.emails[0].value, "a@x.io");
  EXPECT_EQ(u.emails[0].primary, true);
  ASSERT_TRUE(apply(u, "addresses.locality", "Paris"));
  ASSERT_TRUE(apply(u, "addresses.country", "FR"));
  EXPECT_EQ(u.addresses[0].locality, "Paris");
  EXPECT_EQ(u.addresses[0].country, "FR");
  EXPECT_FALSE(apply(u, "emails.bogus", "x"));
  ASSERT_TRUE(apply_user_attribute(u, "emails", nullptr).has_value());
  EXPECT_TRUE(u.emails.empty());
}

TEST(attribute_json, enterprise_extension_paths) {
  auto u = base_user();
  ASSERT_TRUE(apply(u, "aws:identitystore:enterprise.department", "R&D"));
  ASSERT_TRUE(apply(u, "aws:identitystore:enterprise.manager.value", "boss"));
  ASSERT_TRUE(u.enterprise_ext);
  EXPECT_EQ(u.enterprise_ext->department, "R&D");
  EXPECT_EQ(u.enterprise_ext->manager, "boss");
  ASSERT_TRUE(apply(u, "aws:identitystore:enterprise",
                    json::parse(R"({"employeeNumber":"7","manager":{"value":"m2"}})")));
  EXPECT_EQ(u.enterprise_ext->employee_number, "7");
  EXPECT_EQ(u.enterprise_ext->manager, "m2");
  EXPECT_FALSE(u.enterprise_ext->department.has_value()) << "whole-object replace";
  EXPECT_FALSE(apply(u, "aws:identitystore:enterprise.salary", "1"));
  ASSERT_TRUE(apply_user_attribute(u, "aws:identitystore:enterprise.employeeNumber", nullptr));
  ASSERT_TRUE(apply_user_attribute(u, "aws:identitystore:enterprise.manager", nullptr));
  EXPECT_FALSE(u.enterprise_ext.has_value()) << "an empty extension disappears";
}

TEST(attribute_json, groups) {
  domain::group g;
  g.display_name = "x";
  json v = "Ops";
  ASSERT_TRUE(apply_group_attribute(g, "displayName", &v));
  EXPECT_EQ(g.display_name, "Ops");
  json ids = json::parse(R"([{"Issuer":"azure","Id":"abc"}])");
  ASSERT_TRUE(apply_group_attribute(g, "externalIds", &ids));
  ASSERT_EQ(g.external_ids.size(), 1u);
  EXPECT_EQ(g.external_ids[0].issuer, "azure");
  EXPECT_FALSE(apply_group_attribute(g, "members", &v));
}

}  // namespace atrium::proto
