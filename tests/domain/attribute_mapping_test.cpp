// The attribute mapping engine against the user guide's tables ("Supported attributes in AWS
// SSO", "Supported external identity provider attributes", "Default mappings") and the rules of
// "Map attributes in your application to AWS SSO attributes".
#include "domain/attribute_mapping.hpp"

#include <gtest/gtest.h>

#include "domain/access_control_attributes.hpp"

namespace atrium::domain {

namespace {

user mapped_user() {
  user u;
  u.id = "9067729b3d-94f1e0b3-c394-48d5-8ab1-2c122a167074";
  u.user_name = "bob";
  u.user_name_parts = name{};
  u.user_name_parts->family_name = "Builder";
  u.user_name_parts->given_name = "Bob";
  u.user_name_parts->middle_name = "T";
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

const std::vector<std::string> two_groups = {"9067729b3d-aaaaaaaa-0000-4000-8000-000000000001",
                                             "9067729b3d-aaaaaaaa-0000-4000-8000-000000000002"};

std::optional<std::vector<std::string>> value_of(std::string_view tmpl, const user& u,
                                                 const std::vector<std::string>& groups = two_groups) {
  return resolve_template(tmpl, user_facts{u, groups});
}

std::vector<std::string> one(std::string v) { return {std::move(v)}; }

}  // namespace

// "Supported attributes in AWS SSO": every one resolves, as the "Default mappings" table says
// (Atrium's own attribute in place of each directory attribute).
TEST(attribute_mapping, every_user_attribute_of_the_guides_table) {
  auto u = mapped_user();
  ASSERT_EQ(supported_user_attributes().size(), 9u);
  EXPECT_EQ(value_of("${user:AD_GUID}", u), one(u.id));               // guid: the immutable id
  EXPECT_EQ(value_of("${user:email}", u), one("bob@work.example"));
  EXPECT_EQ(value_of("${user:familyName}", u), one("Builder"));      // lastname
  EXPECT_EQ(value_of("${user:givenName}", u), one("Bob"));           // firstname
  EXPECT_EQ(value_of("${user:middleName}", u), one("T"));            // initials
  EXPECT_EQ(value_of("${user:name}", u), one("Bob B."));             // displayname
  EXPECT_EQ(value_of("${user:preferredUsername}", u), one("Bob B."));  // displayname
  EXPECT_EQ(value_of("${user:subject}", u), one("bob"));             // the sign-in name (windowsUpn)
  EXPECT_EQ(value_of("${user:groups}", u), two_groups);              // multi-valued
}

// "Supported external identity provider attributes": every ${path:...} form, including the
// filtered ones.
TEST(attribute_mapping, every_path_of_the_guides_table) {
  auto u = mapped_user();
  const std::pair<const char*, const char*> expected[] = {
      {"${path:userName}", "bob"},
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
  ASSERT_EQ(std::size(expected), supported_attribute_paths().size());
  for (const auto& [path, value] : expected) {
    EXPECT_EQ(value_of(path, u), one(value)) << path;
    EXPECT_TRUE(validate_attribute_mappings({{"Subject", "${user:subject}", "unspecified"}, {"a", path, "basic"}}))
        << path;
  }
}

TEST(attribute_mapping, filters_select_only_matching_entries) {
  auto u = mapped_user();
  u.emails = {email{"bob@home.example", "home", false}};
  u.addresses[0].type = "home";
  u.phone_numbers[0].type = "mobile";
  EXPECT_EQ(value_of("${path:emails[primary eq true].value}", u), std::nullopt);
  EXPECT_EQ(value_of(R"(${path:addresses[type eq "work"].locality})", u), std::nullopt);
  EXPECT_EQ(value_of(R"(${path:phoneNumbers[type eq "work"].value})", u), std::nullopt);
  // ${user:email} is the user's address even when it is not flagged primary.
  EXPECT_EQ(value_of("${user:email}", u), one("bob@home.example"));
}

TEST(attribute_mapping, literals_and_templates) {
  auto u = mapped_user();
  EXPECT_EQ(value_of("Engineering", u), one("Engineering"));
  EXPECT_EQ(value_of("", u), one(""));  // mapped to an empty literal: sent empty
  EXPECT_EQ(value_of("${user:givenName} ${user:familyName}", u), one("Bob Builder"));
  EXPECT_EQ(value_of("${user:familyName}${user:givenName}", u), one("BuilderBob"));
  EXPECT_EQ(value_of("id-${user:AD_GUID}", u), one("id-" + u.id));
}

TEST(attribute_mapping, a_missing_value_leaves_the_attribute_out_never_empty) {
  user u;
  u.id = "9067729b3d-94f1e0b3-c394-48d5-8ab1-2c122a167074";
  u.user_name = "carol";
  u.display_name = "";  // empty counts as missing
  std::vector<attribute_mapping> rows = {{"Subject", "${user:subject}", "unspecified"},
                                         {"email", "${user:email}", "basic"},
                                         {"name", "${user:name}", "basic"},
                                         {"full", "${user:givenName} ${user:familyName}", "basic"},
                                         {"groups", "${user:groups}", "uri"},
                                         {"dept", "${path:enterprise.department}", "unspecified"},
                                         {"constant", "yes", "unspecified"},
                                         {"blank", "", "unspecified"}};
  ASSERT_TRUE(validate_attribute_mappings(rows));
  std::vector<std::string> no_groups;
  auto m = map_attributes(rows, user_facts{u, no_groups});
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_EQ(m->name_id, "carol");
  ASSERT_EQ(m->attributes.size(), 2u);
  EXPECT_EQ(m->attributes[0], (mapped_attribute{"constant", attribute_name_format::unspecified, {"yes"}}));
  EXPECT_EQ(m->attributes[1], (mapped_attribute{"blank", attribute_name_format::unspecified, {""}}));
  EXPECT_EQ(m->omitted, (std::vector<std::string>{"email", "name", "full", "groups", "dept"}));
}

TEST(attribute_mapping, subject_sets_the_name_id_and_its_format) {
  auto u = mapped_user();
  std::vector<attribute_mapping> rows = {{"Subject", "${user:email}", "emailAddress"},
                                         {"groups", "${user:groups}", "uri"},
                                         {"https://aws.amazon.com/SAML/Attributes/RoleSessionName", "${user:subject}", "uri"}};
  auto m = map_attributes(rows, user_facts{u, two_groups});
  ASSERT_TRUE(m);
  EXPECT_EQ(m->name_id, "bob@work.example");
  EXPECT_EQ(m->format, name_id_format::email_address);
  EXPECT_EQ(urn_of(m->format), "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress");
  ASSERT_EQ(m->attributes.size(), 2u);
  EXPECT_EQ(m->attributes[0].values, two_groups);
  EXPECT_EQ(m->attributes[0].format, attribute_name_format::uri);
  EXPECT_EQ(urn_of(m->attributes[0].format), "urn:oasis:names:tc:SAML:2.0:attrname-format:uri");

  // Without a value for the Subject there is nothing to sign in with.
  u.emails.clear();
  auto none = map_attributes(rows, user_facts{u, two_groups});
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().code, errc::validation);
  EXPECT_NE(none.error().message.find("Subject"), std::string::npos);

  // No Subject row: ${user:subject}, unspecified.
  auto plain = map_attributes({}, user_facts{u, two_groups});
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->name_id, "bob");
  EXPECT_EQ(plain->format, name_id_format::unspecified);
}

TEST(attribute_mapping, formats_of_the_guides_third_column) {
  for (auto f : {"unspecified", "uri", "basic"}) {
    auto parsed = attribute_name_format_from(f);
    ASSERT_TRUE(parsed) << f;
    EXPECT_EQ(short_name_of(*parsed), f);
    EXPECT_EQ(attribute_name_format_from(urn_of(*parsed)), parsed);
  }
  for (auto f : {"unspecified", "emailAddress", "persistent", "transient"}) {
    auto parsed = name_id_format_from(f);
    ASSERT_TRUE(parsed) << f;
    EXPECT_EQ(short_name_of(*parsed), f);
    EXPECT_EQ(name_id_format_from(urn_of(*parsed)), parsed);
  }
  EXPECT_FALSE(attribute_name_format_from("URI"));
  EXPECT_FALSE(name_id_format_from("email"));
}

TEST(attribute_mapping, validation_refuses_what_the_guide_does_not_allow) {
  auto bad = [](std::vector<attribute_mapping> rows) { return !validate_attribute_mappings(rows); };
  EXPECT_FALSE(bad(default_attribute_mappings()));
  EXPECT_TRUE(bad({{"a", "${user:nickname}", "basic"}}));                       // not in the table
  EXPECT_TRUE(bad({{"a", "${dir:email}", "basic"}}));                           // directory attributes are not app mappings
  EXPECT_TRUE(bad({{"a", "${path:emails[type eq \"work\"].value}", "basic"}}));  // not one of the listed paths
  EXPECT_TRUE(bad({{"a", "${user:email", "basic"}}));                           // unclosed
  EXPECT_TRUE(bad({{"a", "x ${user:groups}", "basic"}}));                       // multi-valued inside text
  EXPECT_TRUE(bad({{"Subject", "${user:groups}", "unspecified"}}));
  EXPECT_TRUE(bad({{"Subject", "${user:subject}", "basic"}}));                  // NameID formats only
  EXPECT_TRUE(bad({{"a", "${user:email}", "emailAddress"}}));                   // attribute formats only
  EXPECT_TRUE(bad({{"a", "x", "basic"}, {"Subject", "${user:subject}", "unspecified"}}));  // Subject first
  EXPECT_TRUE(bad({{"a", "x", "basic"}, {"a", "y", "basic"}}));                 // duplicate names
  EXPECT_TRUE(bad({{"", "x", "basic"}}));
  EXPECT_TRUE(bad({{"a", std::string(1025, 'x'), "basic"}}));
  EXPECT_TRUE(bad(std::vector<attribute_mapping>(101, {"a", "x", "basic"})));
}

}  // namespace atrium::domain
