// The point reads' answers written as text are the bytes the JSON forms dump to (issue 18 item 1):
// every member set, none set, and text that the library escapes or repairs.
#include "proto/aws/identitystore_wire_text.hpp"

#include <gtest/gtest.h>

#include "base/json_text.hpp"
#include "proto/aws/identitystore_shapes.hpp"

namespace atrium::proto::aws {

namespace {

const std::string store_id = "d-1234567890";

domain::audit_stamp stamp_of(int64_t created_ms, int64_t updated_ms) {
  domain::audit_stamp s;
  s.created_at = sys_time(std::chrono::milliseconds(created_ms));
  s.created_by = "arn:aws:iam::123456789012:user/admin";
  s.updated_at = sys_time(std::chrono::milliseconds(updated_ms));
  s.updated_by = "scim";
  return s;
}

domain::user full_user(const std::string& text) {
  domain::user u;
  u.id = "906722b2be-1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d";
  u.user_name = "jdoe" + text;
  u.external_ids = {{"https://idp.example", "ext-" + text}, {"second", "2"}};
  u.user_name_parts = domain::name{"Formatted " + text, "Doe", "Jane", "Q", "Dr.", "PhD"};
  u.display_name = "Jane " + text, u.nick_name = "JJ", u.profile_url = "https://example.com/p?a=1&b=\"2\"";
  u.user_type = "Employee", u.title = "Engineer", u.preferred_language = "en-US";
  u.locale = "en_US", u.timezone = "America/Los_Angeles";
  u.emails = {{"jane@example.com", "work", true}};
  u.addresses = {{"1 Main St\nApt 2", "Town", "WA", "98101", "US", "1 Main St, Town", "home", false}};
  u.phone_numbers = {{"+1 555 0100", "mobile", true}};
  u.enterprise_ext = domain::enterprise{"E42", "CC1", "Org " + text, "Div", "Dept", "manager-id"};
  u.active = false;
  u.stamp = stamp_of(1733600000123, 1733600005000);
  return u;
}

std::string dumped(const nlohmann::json& j) { return to_json_text(j); }

}  // namespace

TEST(identitystore_wire_text, a_user_with_every_member_is_the_dump_of_its_json) {
  // Plain text, escapes the library writes (quote, backslash, control), non-ASCII, invalid UTF-8.
  for (std::string text : {std::string("plain"), std::string("q\"b\\c\x01\t"), std::string("Zo\xc3\xab \xe2\x82\xac"),
                           std::string("bad\xff\xfe")}) {
    auto u = full_user(text);
    for (bool ext : {false, true}) EXPECT_EQ(user_text(u, store_id, ext), dumped(user_to_json(u, store_id, ext))) << text;
  }
}

// The strings the fast path (printable ASCII copied) and the library's path divide between:
// DEL and '~' are copied, NUL and 0x1f escaped, UTF-8-encoded surrogates (CESU), overlong
// forms, a truncated sequence at the very end and a lone continuation byte become U+FFFD.
TEST(identitystore_wire_text, strings_on_either_side_of_the_plain_ascii_path_are_the_dump) {
  for (std::string text : {std::string("del\x7f~"), std::string("nul\0x\x1f", 6), std::string("\xed\xa0\x80\xed\xb0\x80"),
                           std::string("\xc0\xaf overlong"), std::string("cut \xe2\x82"), std::string("\x80 lone"),
                           std::string("\xf4\x90\x80\x80 above U+10FFFF"), std::string("\xf0\x9f\x98\x80 emoji"),
                           std::string()}) {
    auto u = full_user(text);
    u.user_name = text, u.title = text;
    EXPECT_EQ(user_text(u, store_id, true), dumped(user_to_json(u, store_id, true))) << ::testing::PrintToString(text);
    domain::group g;
    g.id = "g-1", g.display_name = text, g.description = text;
    EXPECT_EQ(group_text(g, store_id), dumped(group_to_json(g, store_id))) << ::testing::PrintToString(text);
  }
}

TEST(identitystore_wire_text, a_user_with_only_required_members_is_the_dump_of_its_json) {
  domain::user u;
  u.id = "u-1", u.user_name = "min";
  u.stamp = stamp_of(0, 1);
  EXPECT_EQ(user_text(u, store_id, true), dumped(user_to_json(u, store_id, true)));
  // Set but empty parts: {} objects, as the JSON form writes them; an empty extension is left out.
  u.user_name_parts = domain::name{};
  u.emails = {domain::email{}};
  u.addresses = {domain::address{}};
  u.phone_numbers = {domain::phone_number{}};
  u.enterprise_ext = domain::enterprise{};
  EXPECT_EQ(user_text(u, store_id, true), dumped(user_to_json(u, store_id, true)));
  u.enterprise_ext = domain::enterprise{};
  u.enterprise_ext->manager = "m";
  EXPECT_EQ(user_text(u, store_id, true), dumped(user_to_json(u, store_id, true)));
}

TEST(identitystore_wire_text, a_users_page_is_the_dump_of_its_listing) {
  std::vector<domain::user> users = {full_user("a"), full_user("b\"")};
  users[1].id = "u-2";
  for (std::optional<std::string> token : {std::optional<std::string>(), std::optional<std::string>("tok/1+=")}) {
    nlohmann::json items = nlohmann::json::array();
    for (const auto& u : users) items.push_back(user_to_json(u, store_id, true));
    nlohmann::json j = {{"Users", items}};
    if (token) j["NextToken"] = *token;
    EXPECT_EQ(users_page_text(users, token, store_id, true), dumped(j));
  }
  nlohmann::json empty = {{"Users", nlohmann::json::array()}};
  EXPECT_EQ(users_page_text({}, std::nullopt, store_id, false), dumped(empty));
}

TEST(identitystore_wire_text, a_group_and_a_membership_are_the_dumps_of_their_json) {
  domain::group g;
  g.id = "g-1", g.display_name = "Admins \xe2\x82\xac";
  g.stamp = stamp_of(1733600000999, 1733600001001);
  EXPECT_EQ(group_text(g, store_id), dumped(group_to_json(g, store_id)));
  g.description = "the \"admins\"";
  g.external_ids = {{"issuer", "id"}};
  EXPECT_EQ(group_text(g, store_id), dumped(group_to_json(g, store_id)));

  domain::membership m;
  m.id = "m-1", m.group_id = "g-1", m.member_id = "u-1";
  m.stamp = stamp_of(1733600000000, 1733600000500);
  EXPECT_EQ(membership_text(m, store_id), dumped(membership_to_json(m, store_id)));
}

}  // namespace atrium::proto::aws
