#include "domain/access_control_attributes.hpp"

#include <gtest/gtest.h>

namespace atrium::domain {

namespace {

access_control_attribute attr(std::string key, std::string source) { return {std::move(key), {std::move(source)}}; }

user full_user() {
  user u;
  u.user_name = "bob@example.com";
  u.user_name_parts = name{};
  u.user_name_parts->family_name = "Builder";
  u.user_name_parts->given_name = "Bob";
  u.display_name = "Bob B.";
  u.nick_name = "bobby";
  u.user_type = "Employee";
  u.title = "Engineer";
  u.locale = "en-US";
  u.timezone = "Europe/Paris";
  u.emails = {email{"bob@work.example", "work", true}};
  address a;
  a.type = "work";
  a.street_address = "1 Main St";
  a.locality = "Springfield";
  a.region = "IL";
  a.postal_code = "62701";
  a.country = "US";
  a.formatted = "1 Main St, Springfield";
  u.addresses = {a};
  u.phone_numbers = {phone_number{"+1 555 0100", "work", true}};
  u.enterprise_ext = enterprise{"E-42", "CC-7", "Acme", "R&D", "Payments", "manager-user-id"};
  return u;
}

}  // namespace

TEST(access_control_attributes, accepts_every_supported_path_and_the_guides_example) {
  std::vector<access_control_attribute> all;
  int i = 0;
  for (auto p : supported_attribute_paths()) all.push_back(attr("Key" + std::to_string(i++), std::string(p)));
  EXPECT_EQ(all.size(), 23u) << "the guide lists 23 supported attributes";
  EXPECT_TRUE(validate_access_control_attributes(all));
  EXPECT_TRUE(validate_access_control_attributes(
      {attr("Department", "${path:enterprise.department}"), attr("CostCenter", "${path:enterprise.costCenter}")}));
  EXPECT_TRUE(validate_access_control_attributes({})) << "enabled with no attributes yet";
  EXPECT_TRUE(validate_access_control_attributes({attr("team name_.:/=+-@1", "${path:title}")}));
  EXPECT_TRUE(validate_access_control_attributes({attr("Abteilung-Größe", "${path:title}")}));
}

TEST(access_control_attributes, refuses_unsupported_sources) {
  const char* bad[] = {
      "${path:password}",
      "${path:emails[type eq \"work\"].value}",
      "${path:addresses[type eq \"home\"].locality}",
      "${path:enterprise.manager.displayName}",
      "${user:email}",  // directory (AD) attributes are not ABAC sources
      "${dir:windowsUpn}",
      "${path:userName",
      "literal",
      "",
      "${PATH:userName}",
  };
  for (const char* s : bad) EXPECT_FALSE(validate_access_control_attributes({attr("K", s)})) << s;
}

TEST(access_control_attributes, key_rules) {
  EXPECT_FALSE(validate_access_control_attributes({attr("", "${path:title}")}));
  EXPECT_FALSE(validate_access_control_attributes({attr(std::string(129, 'k'), "${path:title}")}));
  EXPECT_TRUE(validate_access_control_attributes({attr(std::string(128, 'k'), "${path:title}")}));
  EXPECT_FALSE(validate_access_control_attributes({attr("cost#center", "${path:title}")}));
  EXPECT_FALSE(validate_access_control_attributes({attr("tab\there", "${path:title}")}));
  EXPECT_FALSE(validate_access_control_attributes({attr("aws:Team", "${path:title}")}));
  auto dup = validate_access_control_attributes({attr("Team", "${path:title}"), attr("team", "${path:userType}")});
  ASSERT_FALSE(dup);
  EXPECT_NE(dup.error().message.find("more than once"), std::string::npos);
  EXPECT_EQ(dup.error().code, errc::validation);
}

TEST(access_control_attributes, value_source_is_exactly_one_entry_and_at_most_fifty_attributes) {
  EXPECT_FALSE(validate_access_control_attributes({{"K", {}}}));
  EXPECT_FALSE(validate_access_control_attributes({{"K", {"${path:title}", "${path:locale}"}}}));
  std::vector<access_control_attribute> fifty, fifty_one;
  for (int i = 0; i < 51; ++i) {
    (i < 50 ? fifty : fifty_one).push_back(attr("K" + std::to_string(i), "${path:title}"));
    if (i < 50) fifty_one.push_back(attr("K" + std::to_string(i), "${path:title}"));
  }
  EXPECT_TRUE(validate_access_control_attributes(fifty));
  EXPECT_EQ(fifty_one.size(), 51u);
  EXPECT_FALSE(validate_access_control_attributes(fifty_one));
}

TEST(access_control_attributes, resolves_every_path) {
  auto u = full_user();
  std::vector<std::pair<std::string, std::string>> want = {
      {"${path:userName}", "bob@example.com"},
      {"${path:name.familyName}", "Builder"},
      {"${path:name.givenName}", "Bob"},
      {"${path:displayName}", "Bob B."},
      {"${path:nickName}", "bobby"},
      {"${path:emails[primary eq true].value}", "bob@work.example"},
      {R"(${path:addresses[type eq "work"].streetAddress})", "1 Main St"},
      {R"(${path:addresses[type eq "work"].locality})", "Springfield"},
      {R"(${path:addresses[type eq "work"].region})", "IL"},
      {R"(${path:addresses[type eq "work"].postalCode})", "62701"},
      {R"(${path:addresses[type eq "work"].country})", "US"},
      {R"(${path:addresses[type eq "work"].formatted})", "1 Main St, Springfield"},
      {R"(${path:phoneNumbers[type eq "work"].value})", "+1 555 0100"},
      {"${path:userType}", "Employee"},
      {"${path:title}", "Engineer"},
      {"${path:locale}", "en-US"},
      {"${path:timezone}", "Europe/Paris"},
      {"${path:enterprise.employeeNumber}", "E-42"},
      {"${path:enterprise.costCenter}", "CC-7"},
      {"${path:enterprise.organization}", "Acme"},
      {"${path:enterprise.division}", "R&D"},
      {"${path:enterprise.department}", "Payments"},
      {"${path:enterprise.manager.value}", "manager-user-id"},
  };
  ASSERT_EQ(want.size(), supported_attribute_paths().size());
  for (const auto& [src, value] : want) EXPECT_EQ(attribute_value(src, u), value) << src;
  EXPECT_EQ(attribute_value("${path:password}", u), std::nullopt);
}

TEST(access_control_attributes, missing_values_are_omitted_not_sent_empty) {
  user u;
  u.user_name = "carol";
  u.emails = {email{"carol@example.com", "work", std::nullopt}};  // not marked primary
  u.addresses = {address{}};
  u.addresses[0].type = "home";
  u.addresses[0].locality = "Elsewhere";
  u.title = "";
  std::vector<access_control_attribute> cfg = {attr("User", "${path:userName}"),
                                               attr("Email", "${path:emails[primary eq true].value}"),
                                               attr("City", R"(${path:addresses[type eq "work"].locality})"),
                                               attr("Title", "${path:title}"),
                                               attr("Dept", "${path:enterprise.department}")};
  auto r = resolve_access_control_attributes(cfg, u);
  ASSERT_EQ(r.attributes.size(), 1u);
  EXPECT_EQ(r.attributes[0], (resolved_attribute{"User", "carol"}));
  EXPECT_EQ(r.omitted.size(), 4u);
  EXPECT_NE(r.omitted[0].find("Email"), std::string::npos);
}

TEST(access_control_attributes, single_valued_by_construction_and_in_configuration_order) {
  auto u = full_user();
  u.emails = {email{"second@example.com", "home", false}, email{"first@example.com", "work", true}};
  address home;
  home.type = "home";
  home.locality = "Home Town";
  address work2;
  work2.type = "Work";  // SCIM compares type case-insensitively
  work2.locality = "Work Town";
  u.addresses = {home, work2};
  std::vector<access_control_attribute> cfg = {attr("Z", R"(${path:addresses[type eq "work"].locality})"),
                                               attr("A", "${path:emails[primary eq true].value}")};
  auto r = resolve_access_control_attributes(cfg, u);
  ASSERT_EQ(r.attributes.size(), 2u);
  EXPECT_EQ(r.attributes[0], (resolved_attribute{"Z", "Work Town"}));
  EXPECT_EQ(r.attributes[1], (resolved_attribute{"A", "first@example.com"}));
}

TEST(access_control_attributes, values_longer_than_a_session_tag_are_omitted) {
  auto u = full_user();
  u.title = std::string(257, 't');
  auto r = resolve_access_control_attributes({attr("Title", "${path:title}")}, u);
  EXPECT_TRUE(r.attributes.empty());
  ASSERT_EQ(r.omitted.size(), 1u);
  u.title = std::string(256, 't');
  EXPECT_EQ(resolve_access_control_attributes({attr("Title", "${path:title}")}, u).attributes.size(), 1u);
}

}  // namespace atrium::domain
