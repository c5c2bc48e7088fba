#include "domain/validation.hpp"

#include <gtest/gtest.h>

#include "base/random.hpp"
#include "domain/ids.hpp"

namespace atrium::domain {

namespace {
user valid_user() {
  user u;
  u.user_name = "alice";
  u.display_name = "Alice";
  u.user_name_parts = name{};
  u.user_name_parts->given_name = "Alice";
  u.user_name_parts->family_name = "Example";
  return u;
}
}  // namespace

TEST(validation, accepts_a_minimal_user) { EXPECT_TRUE(validate_user(valid_user())); }

TEST(validation, user_name_rules) {
  auto u = valid_user();
  u.user_name = "José.Ñúñez+tag@example.com";
  EXPECT_TRUE(validate_user(u)) << "letters, accents, symbols, punctuation";
  u.user_name = "has space";
  EXPECT_FALSE(validate_user(u));
  u.user_name = "nbsp\xc2\xa0here";
  EXPECT_FALSE(validate_user(u));
  u.user_name = std::string(128, 'a');
  EXPECT_TRUE(validate_user(u));
  u.user_name = std::string(129, 'a');
  EXPECT_FALSE(validate_user(u));
  u.user_name = std::string(128, 'a') ;
  u.user_name.replace(0, 1, "é");  // 128 characters, 129 bytes
  EXPECT_TRUE(validate_user(u)) << "limits count characters, not bytes";
  u.user_name = "";
  EXPECT_FALSE(validate_user(u));
  u.user_name = "bad\xff";
  EXPECT_FALSE(validate_user(u));
  u.user_name = "administrator";
  auto r = validate_user(u);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("reserved"), std::string::npos);
}

TEST(validation, required_attributes_name_the_missing_one) {
  auto u = valid_user();
  u.user_name_parts->family_name.reset();
  auto r = validate_user(u);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, errc::validation);
  EXPECT_NE(r.error().message.find("Name.FamilyName"), std::string::npos);
  u = valid_user();
  u.display_name.reset();
  r = validate_user(u);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("DisplayName"), std::string::npos);
}

TEST(validation, free_text_allows_spaces_but_not_controls) {
  auto u = valid_user();
  u.title = "Staff\tEngineer\nLine two";
  EXPECT_TRUE(validate_user(u));
  u.title = std::string("bell\x07");
  EXPECT_FALSE(validate_user(u));
  u.title = std::string(1025, 'x');
  EXPECT_FALSE(validate_user(u));
}

TEST(validation, single_valued_lists) {
  auto u = valid_user();
  u.emails = {email{"a@example.com", "work", true}};
  EXPECT_TRUE(validate_user(u));
  u.emails.push_back(email{"b@example.com", "home", false});
  auto r = validate_user(u);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("single item"), std::string::npos);
  u.emails = {email{"not-an-address", std::nullopt, true}};
  EXPECT_FALSE(validate_user(u));
}

TEST(validation, external_ids) {
  auto u = valid_user();
  for (int i = 0; i < 10; ++i) u.external_ids.push_back({"okta", "id" + std::to_string(i)});
  EXPECT_TRUE(validate_user(u));
  u.external_ids.push_back({"okta", "id10"});
  EXPECT_FALSE(validate_user(u));
  u.external_ids = {{"okta", "x"}, {"okta", "x"}};
  EXPECT_FALSE(validate_user(u)) << "duplicates";
}

TEST(validation, groups) {
  group g;
  g.display_name = "Engineering Team";
  EXPECT_TRUE(validate_group(g));
  g.display_name = "AWSAdministrators";
  EXPECT_FALSE(validate_group(g));
  g.display_name = "";
  EXPECT_FALSE(validate_group(g));
}

TEST(keys, unique_keys_fold_ascii_case) {
  auto u = valid_user();
  u.user_name = "Alice";
  EXPECT_EQ(u.user_name_key(), "alice");
  u.emails = {email{"Alice@Example.COM", std::nullopt, std::nullopt}};
  EXPECT_EQ(u.primary_email_key().value(), "alice@example.com") << "a lone email is the primary";
  u.emails = {email{"Alice@Example.COM", std::nullopt, false}};
  EXPECT_FALSE(u.primary_email_key().has_value());
}

TEST(ids, formats) {
  seeded_random rnd(1);
  auto store = new_identity_store_id(rnd);
  EXPECT_TRUE(is_identity_store_id(store)) << store;
  auto id = new_resource_id(store, rnd, from_epoch_millis(1'763'900'000'000));
  EXPECT_TRUE(is_resource_id(id)) << id;
  EXPECT_EQ(id.substr(0, 10), store.substr(2));
  auto later = new_resource_id(store, rnd, from_epoch_millis(1'763'900'000'001));
  EXPECT_LT(id, later) << "ids made later sort later (time-ordered uuid)";
  EXPECT_TRUE(is_resource_id("3c2e3b0e-8f2b-4c7e-9a55-0e8a4d1f9b21")) << "legacy bare UUID";
  EXPECT_FALSE(is_resource_id("not-an-id"));
  EXPECT_FALSE(is_identity_store_id("d-12345"));
  EXPECT_FALSE(is_identity_store_id("d-ABCDEF0123"));
}

}  // namespace atrium::domain
