#include "store/codec.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace atrium::store {

namespace {

domain::user full_user() {
  domain::user u;
  u.id = "u1";
  u.user_name = "Alice";
  u.external_ids = {{"okta", "00u1"}, {"azure", "a-1"}};
  u.user_name_parts = domain::name{"Dr Alice B Liddell", "Liddell", "Alice", "B", "Dr", "PhD"};
  u.display_name = "Alice L";
  u.nick_name = "al";
  u.profile_url = "https://example.com/al";
  u.user_type = "Employee";
  u.title = "Engineer";
  u.preferred_language = "en-GB";
  u.locale = "en_GB";
  u.timezone = "Europe/London";
  u.emails = {domain::email{"alice@example.com", "work", true}};
  u.addresses = {domain::address{"1 Main", "Town", "R", "123", "US", "1 Main, Town", "home", false}};
  u.phone_numbers = {domain::phone_number{"+1 555 0100", "mobile", std::nullopt}};
  u.enterprise_ext = domain::enterprise{"E1", "CC", "Org", "Div", "R&D", "u0"};
  u.active = false;
  u.version = 9;
  u.stamp = {from_epoch_millis(1700000000123), "arn:aws:iam::1:user/a", from_epoch_millis(1700000000456),
             "scim-token", domain::door::console, domain::door::scim};
  return u;
}

void expect_same(const domain::audit_stamp& a, const domain::audit_stamp& b) {
  EXPECT_EQ(a.created_at, b.created_at);
  EXPECT_EQ(a.created_by, b.created_by);
  EXPECT_EQ(a.updated_at, b.updated_at);
  EXPECT_EQ(a.updated_by, b.updated_by);
  EXPECT_EQ(a.created_via, b.created_via);
  EXPECT_EQ(a.updated_via, b.updated_via);
}

}  // namespace

TEST(codec, user_round_trip_keeps_every_attribute) {
  auto u = full_user();
  auto back = decode_user(encode_user(u));
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back->id, u.id);
  EXPECT_EQ(back->user_name, u.user_name);
  EXPECT_EQ(back->external_ids, u.external_ids);
  EXPECT_EQ(back->user_name_parts, u.user_name_parts);
  EXPECT_EQ(back->display_name, u.display_name);
  EXPECT_EQ(back->nick_name, u.nick_name);
  EXPECT_EQ(back->profile_url, u.profile_url);
  EXPECT_EQ(back->user_type, u.user_type);
  EXPECT_EQ(back->title, u.title);
  EXPECT_EQ(back->preferred_language, u.preferred_language);
  EXPECT_EQ(back->locale, u.locale);
  EXPECT_EQ(back->timezone, u.timezone);
  EXPECT_EQ(back->emails, u.emails);
  EXPECT_EQ(back->addresses, u.addresses);
  EXPECT_EQ(back->phone_numbers, u.phone_numbers);
  EXPECT_EQ(back->enterprise_ext, u.enterprise_ext);
  EXPECT_EQ(back->active, u.active);
  EXPECT_EQ(back->version, u.version);
  expect_same(back->stamp, u.stamp);
}

TEST(codec, absent_and_empty_stay_apart) {
  domain::user u;
  u.id = "u";
  u.user_name = "n";
  u.display_name = "";
  u.emails = {domain::email{"e@x.io", std::nullopt, false}};
  u.enterprise_ext = domain::enterprise{};
  auto back = decode_user(encode_user(u));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->display_name, std::optional<std::string>(""));
  EXPECT_FALSE(back->nick_name);
  EXPECT_FALSE(back->user_name_parts);
  EXPECT_EQ(back->emails, u.emails) << "type absent, primary false";
  EXPECT_EQ(back->enterprise_ext, domain::enterprise{}) << "an empty extension is still there";
  EXPECT_TRUE(back->active);
}

TEST(codec, times_are_epoch_millis_and_doors_are_names) {
  auto j = nlohmann::json::parse(encode_user(full_user()));
  EXPECT_EQ(j["stamp"]["created_at"], 1700000000123);
  EXPECT_EQ(j["stamp"]["updated_at"], 1700000000456);
  EXPECT_EQ(j["stamp"]["created_via"], "console");
  EXPECT_EQ(j["stamp"]["updated_via"], "scim");
  EXPECT_EQ(j["version"], 9);
  EXPECT_EQ(j["active"], false);
}

TEST(codec, group_and_membership_round_trip) {
  domain::group g;
  g.id = "g";
  g.display_name = "Ops";
  g.description = "on call";
  g.external_ids = {{"azure", "x"}};
  g.version = 7;
  g.stamp.created_at = from_epoch_millis(42);
  g.stamp.updated_via = domain::door::cli;
  auto back = decode_group(encode_group(g));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->id, "g");
  EXPECT_EQ(back->display_name, "Ops");
  EXPECT_EQ(back->description, "on call");
  EXPECT_EQ(back->external_ids, g.external_ids);
  EXPECT_EQ(back->version, 7);
  expect_same(back->stamp, g.stamp);
  domain::group bare;
  bare.id = "b";
  bare.display_name = "B";
  auto bare_back = decode_group(encode_group(bare));
  ASSERT_TRUE(bare_back);
  EXPECT_FALSE(bare_back->description);
  EXPECT_TRUE(bare_back->external_ids.empty());

  domain::membership m{"m", "g", "u", domain::member_kind::group, {}};
  m.stamp.created_via = domain::door::system;
  auto mb = decode_membership(encode_membership(m));
  ASSERT_TRUE(mb);
  EXPECT_EQ(mb->id, "m");
  EXPECT_EQ(mb->group_id, "g");
  EXPECT_EQ(mb->member_id, "u");
  EXPECT_EQ(mb->kind, domain::member_kind::group);
  EXPECT_EQ(mb->stamp.created_via, domain::door::system);
}

TEST(codec, corrupt_documents_are_errors_not_crashes) {
  EXPECT_FALSE(decode_user("not json"));
  EXPECT_FALSE(decode_user("{\"id\": 5}"));
  EXPECT_FALSE(decode_user("{\"id\": \"u\"}")) << "user_name is required";
  EXPECT_FALSE(decode_user(R"({"id":"u","user_name":"n","active":"yes"})"));
  EXPECT_FALSE(decode_user(R"({"id":"u","user_name":"n","external_ids":[5]})"));
  EXPECT_FALSE(decode_user(R"({"id":"u","user_name":"n","stamp":{"created_via":"carrier-pigeon"}})"));
  EXPECT_FALSE(decode_user(R"({"id":"u","user_name":"n","stamp":[]})"));
  EXPECT_FALSE(decode_group("[]"));
  EXPECT_FALSE(decode_group(R"({"id":"g","display_name":"G","version":"2"})"));
  EXPECT_FALSE(decode_membership(R"({"id":"m","group_id":"g","member_id":"u","kind":"robot"})"));
  auto e = decode_user(R"({"id":"u","user_name":"n","stamp":{"created_via":"carrier-pigeon"}})");
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().code, errc::internal);
  EXPECT_EQ(e.error().message.find("carrier-pigeon"), std::string::npos) << "stored values stay out of messages";
}

TEST(codec, minimal_documents_take_defaults) {
  auto u = decode_user(R"({"id":"u","user_name":"n"})");
  ASSERT_TRUE(u);
  EXPECT_TRUE(u->active);
  EXPECT_EQ(u->version, 1);
  EXPECT_EQ(u->stamp.created_via, domain::door::api);
}

}  // namespace atrium::store
