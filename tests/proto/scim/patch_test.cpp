// SCIM PATCH with the request bodies Entra ID, Okta, OneLogin and the RFC 7644 §3.5.2 examples
// send, applied to documents shaped like GET renders them.
#include "proto/scim/patch.hpp"

#include <gtest/gtest.h>

#include "enterprise_urn.hpp"

namespace atrium::proto::scim {
namespace {

using nlohmann::json;
using mc = service::member_change;

using scim_tests::ext;
const std::string core = "urn:ietf:params:scim:schemas:core:2.0:User";
const std::string manager_id = "26118915-6090-4610-87e4-49d8ca9f808d";
const std::string member_a = "9067729b3d-ee533c18-538a-4cd3-a572-63fb863ed734";
const std::string member_b = "9067729b3d-94b1e2a9-1c6e-4e5a-8a65-1b2a64cd8e6f";

json user_doc() {
  return json::parse(R"({
    "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
    "id": "9067729b3d-2c9a8b1e-7f3d-4b4e-9d7c-0a1b2c3d4e5f",
    "userName": "bjensen@example.com",
    "name": {"givenName": "Barbara", "familyName": "Jensen"},
    "displayName": "Babs Jensen",
    "active": true,
    "emails": [{"value": "bjensen@example.com", "type": "work", "primary": true}],
    "meta": {"resourceType": "User", "version": "W/\"3\""}
  })");
}

json group_doc() {
  return json::parse(R"({
    "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
    "id": "9067729b3d-a1b2c3d4-0000-4000-8000-000000000001",
    "displayName": "Engineering",
    "meta": {"resourceType": "Group", "version": "W/\"1\""}
  })");
}

json body(json ops) {
  return {{"schemas", json::array({"urn:ietf:params:scim:api:messages:2.0:PatchOp"})}, {"Operations", std::move(ops)}};
}

scim_result<patch_outcome> run(json& doc, resource_kind kind, const json& request) {
  auto ops = parse_patch_request(request);
  if (!ops) return std::unexpected(ops.error());
  return apply_patch(doc, kind, *ops);
}

// Applies and expects success; returns the member changes.
std::vector<mc> ok(json& doc, resource_kind kind, json ops) {
  auto r = run(doc, kind, body(std::move(ops)));
  EXPECT_TRUE(r) << (r ? "" : r.error().scim_type + ": " + r.error().detail);
  return r ? r->member_changes : std::vector<mc>{};
}

scim_error fails(json& doc, resource_kind kind, json ops) {
  auto r = run(doc, kind, body(std::move(ops)));
  EXPECT_FALSE(r) << doc.dump();
  return r ? scim_error{} : r.error();
}

// A braced list of operations is always an array. Without these overloads `ok(doc, kind, {op(..)})`
// would list-initialise a json parameter from one json, which g++ 12 makes an array of one and
// clang 16 a copy of the element (measured: 31 tests of this file failed under clang).
json op_array(std::initializer_list<json> ops) {
  json a = json::array();
  for (const auto& o : ops) a.push_back(o);
  return a;
}
json body(std::initializer_list<json> ops) { return body(op_array(ops)); }
std::vector<mc> ok(json& doc, resource_kind kind, std::initializer_list<json> ops) { return ok(doc, kind, op_array(ops)); }
scim_error fails(json& doc, resource_kind kind, std::initializer_list<json> ops) { return fails(doc, kind, op_array(ops)); }

json op(const char* name, const char* path, json value) { return {{"op", name}, {"path", path}, {"value", std::move(value)}}; }
json op(const char* name, const char* path) { return {{"op", name}, {"path", path}}; }
json op(const char* name, json value) { return {{"op", name}, {"value", std::move(value)}}; }

constexpr auto user = resource_kind::user;
constexpr auto group = resource_kind::group;

// ---- reading the request ----

TEST(scim_patch, parses_operations_in_any_case) {
  auto ops = parse_patch_request(body({op("Add", "name.givenName", "B"), op("REMOVE", "nickName"),
                                       op("replace", json{{"active", false}})}));
  ASSERT_TRUE(ops) << ops.error().detail;
  ASSERT_EQ(ops->size(), 3u);
  EXPECT_EQ((*ops)[0].op, patch_op::kind::add);
  EXPECT_EQ((*ops)[0].path_text, "name.givenName");
  EXPECT_EQ((*ops)[0].path->attr, (attr_path{"", "name", "givenName"}));
  EXPECT_EQ((*ops)[0].value, json("B"));
  EXPECT_EQ((*ops)[1].op, patch_op::kind::remove);
  EXPECT_FALSE((*ops)[1].value);
  EXPECT_EQ((*ops)[2].op, patch_op::kind::replace);
  EXPECT_FALSE((*ops)[2].path);
}

TEST(scim_patch, request_shape_errors) {
  struct row {
    json request;
    const char* type;
  };
  json good_op = op("add", "nickName", "B");
  json no_schema = {{"Operations", json::array({good_op})}};
  json wrong_schema = {{"schemas", json::array({"urn:ietf:params:scim:api:messages:2.0:ListResponse"})},
                       {"Operations", json::array({good_op})}};
  for (const auto& [request, type] : std::vector<row>{
           {json::array(), "invalidSyntax"},
           {no_schema, "invalidSyntax"},
           {wrong_schema, "invalidSyntax"},
           {body(json::array()), "invalidSyntax"},
           {body(json::object()), "invalidSyntax"},
           {{{"schemas", json::array({"urn:ietf:params:scim:api:messages:2.0:PatchOp"})}}, "invalidSyntax"},
           {body({"add"}), "invalidSyntax"},
           {body({op("move", "nickName", "B")}), "invalidSyntax"},
           {body({{{"path", "nickName"}, {"value", "B"}}}), "invalidSyntax"},
           {body({op("add", "nickName")}), "invalidSyntax"},
           {body({op("replace", "nickName")}), "invalidSyntax"},
           {body({{{"op", "add"}, {"path", 5}, {"value", "B"}}}), "invalidPath"},
           {body({op("add", "emails[type eq \"work\"", "B")}), "invalidPath"},
           {body({op("add", "emails[type xx \"work\"]", "B")}), "invalidPath"},
           {body({{{"op", "remove"}}}), "noTarget"},
           {body({{{"op", "remove"}, {"path", ""}}}), "noTarget"},
       }) {
    auto r = parse_patch_request(request);
    ASSERT_FALSE(r) << request.dump();
    EXPECT_EQ(r.error().status, 400) << request.dump();
    EXPECT_EQ(r.error().scim_type, type) << request.dump();
  }
}

TEST(scim_patch, operation_limit_is_too_many) {
  json ops = json::array();
  for (int i = 0; i < 3; ++i) ops.push_back(op("add", "nickName", "B"));
  patch_limits lim;
  lim.max_operations = 2;
  auto r = parse_patch_request(body(ops), lim);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().scim_type, "tooMany");
  lim.max_operations = 3;
  EXPECT_TRUE(parse_patch_request(body(ops), lim));
}

TEST(scim_patch, deeply_nested_values_are_refused_before_copying) {
  std::string deep = R"({"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","value":)";
  deep += std::string(200'000, '[') + std::string(200'000, ']') + "}]}";
  json request = json::parse(deep);
  auto r = parse_patch_request(request);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().scim_type, "invalidValue");
  // The deepest value SCIM needs: an object holding the extension holding the manager.
  json doc = user_doc();
  ok(doc, user, {op("add", json{{ext, {{"manager", {{"value", "m-1"}}}}}})});
  EXPECT_EQ(doc[ext]["manager"]["value"], "m-1");
  patch_limits lim;
  lim.max_value_depth = 2;
  EXPECT_FALSE(parse_patch_request(body({op("add", json{{ext, {{"manager", {{"value", "m-1"}}}}}})}), lim));
}

TEST(scim_patch, keys_of_the_request_are_case_insensitive) {
  json request = {{"Schemas", json::array({"urn:ietf:params:scim:api:messages:2.0:PatchOp"})},
                  {"operations", json::array({{{"OP", "add"}, {"Path", "nickName"}, {"Value", "B"}}})}};
  json doc = user_doc();
  ASSERT_TRUE(run(doc, user, request));
  EXPECT_EQ(doc["nickName"], "B");
}

// ---- Entra ID ----

TEST(scim_patch, entra_replace_active_with_a_string_boolean) {
  json doc = user_doc();
  json request = json::parse(R"({"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
    "Operations":[{"op":"Replace","path":"active","value":"False"}]})");
  ASSERT_TRUE(run(doc, user, request));
  EXPECT_EQ(doc["active"], json(false));
  ok(doc, user, {op("Replace", "active", "TRUE")});
  EXPECT_EQ(doc["active"], json(true));
  EXPECT_EQ(fails(doc, user, {op("Replace", "active", "yes")}).scim_type, "invalidValue");
  EXPECT_EQ(fails(doc, user, {op("Replace", "active", 1)}).scim_type, "invalidValue");
}

TEST(scim_patch, entra_add_work_email_value_changes_the_matching_item) {
  json doc = user_doc();
  doc["emails"].push_back({{"value", "babs@home.example"}, {"type", "home"}});
  ok(doc, user, {op("Add", "emails[type eq \"work\"].value", "x@y.com")});
  EXPECT_EQ(doc["emails"], json::parse(R"([{"value":"x@y.com","type":"work","primary":true},
                                           {"value":"babs@home.example","type":"home"}])"));
}

TEST(scim_patch, entra_add_work_email_value_creates_the_item) {
  json doc = user_doc();
  doc.erase("emails");
  ok(doc, user, {op("Add", "emails[type eq \"work\"].value", "x@y.com"),
                 op("Add", "emails[type eq \"work\"].primary", "True")});
  EXPECT_EQ(doc["emails"], json::parse(R"([{"type":"work","value":"x@y.com","primary":true}])"));
}

TEST(scim_patch, entra_sets_manager_by_bare_id) {
  json doc = user_doc();
  ok(doc, user, {op("Add", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager", manager_id)});
  EXPECT_EQ(doc[ext], json({{"manager", {{"value", manager_id}}}}));
  EXPECT_EQ(doc["schemas"], json::array({core, ext}));
}

TEST(scim_patch, entra_enterprise_attributes_and_address) {
  json doc = user_doc();
  ok(doc, user, {op("Add", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department", "Tour"),
                 op("Replace", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber", "701984"),
                 op("Replace", "addresses[type eq \"work\"].postalCode", "98032"),
                 op("Replace", "addresses[type eq \"work\"].locality", "Kent"),
                 op("Replace", "name.givenName", "Barb")});
  EXPECT_EQ(doc[ext], json({{"department", "Tour"}, {"employeeNumber", "701984"}}));
  EXPECT_EQ(doc["addresses"], json::parse(R"([{"type":"work","postalCode":"98032","locality":"Kent"}])"));
  EXPECT_EQ(doc["name"], json({{"givenName", "Barb"}, {"familyName", "Jensen"}}));
}

TEST(scim_patch, entra_removes_members_by_value_list) {
  json doc = group_doc();
  json before = doc;
  auto changes = ok(doc, group, json::parse(R"([{"op":"Remove","path":"members",
      "value":[{"value":")" + member_a + R"("}]}])"));
  EXPECT_EQ(changes, (std::vector<mc>{{mc::kind::remove, {member_a}}}));
  EXPECT_EQ(doc, before);
}

TEST(scim_patch, entra_removes_manager) {
  json doc = user_doc();
  doc["schemas"].push_back(ext);
  doc[ext] = {{"manager", {{"value", manager_id}, {"displayName", "Boss"}}}};
  ok(doc, user, {op("Remove", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager")});
  EXPECT_FALSE(doc.contains(ext));
  EXPECT_EQ(doc["schemas"], json::array({core}));
}

// ---- Okta ----

TEST(scim_patch, okta_group_rename_sends_its_own_id) {
  json doc = group_doc();
  json request = json::parse(R"({"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
    "Operations":[{"op":"replace","value":{"id":"9067729b3d-a1b2c3d4-0000-4000-8000-000000000001","displayName":"New"}}]})");
  auto r = run(doc, group, request);
  ASSERT_TRUE(r) << r.error().detail;
  EXPECT_TRUE(r->member_changes.empty());
  EXPECT_EQ(doc["displayName"], "New");
  EXPECT_EQ(doc["id"], "9067729b3d-a1b2c3d4-0000-4000-8000-000000000001");
}

TEST(scim_patch, okta_changing_the_id_is_mutability) {
  json doc = group_doc();
  auto e = fails(doc, group, {op("replace", json{{"id", "other"}, {"displayName", "New"}})});
  EXPECT_EQ(e.status, 400);
  EXPECT_EQ(e.scim_type, "mutability");
}

TEST(scim_patch, okta_adds_members_with_display) {
  json doc = group_doc();
  auto changes = ok(doc, group, json::parse(R"([{"op":"add","path":"members",
      "value":[{"value":")" + member_a + R"(","display":"a@b.example"}]}])"));
  EXPECT_EQ(changes, (std::vector<mc>{{mc::kind::add, {member_a}}}));
  EXPECT_FALSE(doc.contains("members"));
}

TEST(scim_patch, okta_removes_a_member_by_filter) {
  json doc = group_doc();
  auto changes = ok(doc, group, {op("remove", ("members[value eq \"" + member_a + "\"]").c_str())});
  EXPECT_EQ(changes, (std::vector<mc>{{mc::kind::remove, {member_a}}}));
}

TEST(scim_patch, okta_deactivates_a_user_without_path) {
  json doc = user_doc();
  ok(doc, user, {op("replace", json{{"active", false}})});
  EXPECT_EQ(doc["active"], json(false));
}

// ---- OneLogin and others ----

TEST(scim_patch, onelogin_adds_then_removes_members) {
  json doc = group_doc();
  auto changes = ok(doc, group, {op("add", "members", json::array({{{"value", member_a}}, {{"value", member_b}}})),
                                 op("remove", ("members[value eq \"" + member_a + "\"]").c_str())});
  EXPECT_EQ(changes, (std::vector<mc>{{mc::kind::add, {member_a, member_b}}, {mc::kind::remove, {member_a}}}));
}

TEST(scim_patch, members_replace_remove_all_and_or_filters_in_request_order) {
  json doc = group_doc();
  auto changes = ok(doc, group,
                    {op("replace", "members", json::array({{{"value", "a"}}, {{"value", "b"}}})),
                     op("remove", "members"),
                     op("remove", "members[value eq \"x\" or value eq \"y\" or VALUE EQ \"z\"]"),
                     op("add", "members", json{{"value", "c"}}),
                     op("replace", "members", json::array())});
  EXPECT_EQ(changes, (std::vector<mc>{{mc::kind::remove_all, {}},
                                      {mc::kind::add, {"a", "b"}},
                                      {mc::kind::remove_all, {}},
                                      {mc::kind::remove, {"x", "y", "z"}},
                                      {mc::kind::add, {"c"}},
                                      {mc::kind::remove_all, {}}}));
  EXPECT_FALSE(doc.contains("members"));
}

TEST(scim_patch, members_and_display_name_without_path) {
  json doc = group_doc();
  auto changes = ok(doc, group, {op("add", json{{"members", json::array({{{"value", "a"}}})}, {"displayName", "n"}})});
  EXPECT_EQ(changes, (std::vector<mc>{{mc::kind::add, {"a"}}}));
  EXPECT_EQ(doc["displayName"], "n");
  EXPECT_FALSE(doc.contains("members"));
}

TEST(scim_patch, member_errors) {
  json doc = group_doc();
  EXPECT_EQ(fails(doc, group, {op("add", "members", json::array({"a"}))}).scim_type, "invalidValue");
  EXPECT_EQ(fails(doc, group, {op("add", "members", json::array({{{"value", 5}}}))}).scim_type, "invalidValue");
  EXPECT_EQ(fails(doc, group, {op("add", "members", json::array({{{"display", "a"}}}))}).scim_type, "invalidValue");
  EXPECT_EQ(fails(doc, group, {op("remove", "members[value ne \"a\"]")}).scim_type, "invalidFilter");
  EXPECT_EQ(fails(doc, group, {op("remove", "members[value eq \"a\" and type eq \"User\"]")}).scim_type,
            "invalidFilter");
  EXPECT_EQ(fails(doc, group, {op("remove", "members[display eq \"a\"]")}).scim_type, "invalidFilter");
  EXPECT_EQ(fails(doc, group, {op("replace", "members[value eq \"a\"].value", "b")}).scim_type, "mutability");
  EXPECT_EQ(fails(doc, group, {op("replace", "members[value eq \"a\"]", json{{"value", "b"}})}).scim_type,
            "mutability");
  EXPECT_EQ(fails(doc, group, {op("add", "members.display", "x")}).scim_type, "invalidPath");
  json u = user_doc();
  EXPECT_EQ(fails(u, user, {op("add", "members", json::array({{{"value", "a"}}}))}).scim_type, "invalidPath");
}

// ---- RFC 7644 §3.5.2 semantics ----

TEST(scim_patch, add_appends_to_a_multi_valued_attribute_without_doubling) {
  json doc = user_doc();
  ok(doc, user, {op("add", "emails", json::array({{{"value", "bjensen@example.com"}, {"type", "work"}, {"primary", true}},
                                                  {{"value", "babs@jensen.org"}, {"type", "home"}}}))});
  EXPECT_EQ(doc["emails"], json::parse(R"([{"value":"bjensen@example.com","type":"work","primary":true},
                                           {"value":"babs@jensen.org","type":"home"}])"));
}

TEST(scim_patch, a_new_primary_clears_the_old_one) {
  json doc = user_doc();
  ok(doc, user, {op("add", "emails", json{{"value", "babs@jensen.org"}, {"type", "home"}, {"primary", "True"}})});
  EXPECT_EQ(doc["emails"], json::parse(R"([{"value":"bjensen@example.com","type":"work","primary":false},
                                           {"value":"babs@jensen.org","type":"home","primary":true}])"));
  ok(doc, user, {op("replace", "emails[type eq \"work\"].primary", true)});
  EXPECT_EQ(doc["emails"][0]["primary"], json(true));
  EXPECT_EQ(doc["emails"][1]["primary"], json(false));
}

TEST(scim_patch, replace_without_filter_replaces_all_values) {
  json doc = user_doc();
  ok(doc, user, {op("replace", "emails", json{{"value", "new@example.com"}, {"type", "other"}})});
  EXPECT_EQ(doc["emails"], json::parse(R"([{"value":"new@example.com","type":"other"}])"));
  ok(doc, user, {op("replace", "emails", json::array())});
  EXPECT_FALSE(doc.contains("emails"));
}

TEST(scim_patch, filtered_replace_replaces_matching_items_keeping_the_filter_value) {
  json doc = user_doc();
  doc["emails"].push_back({{"value", "h@example.org"}, {"type", "home"}});
  ok(doc, user, {op("replace", "emails[type eq \"work\"]", json{{"value", "w@example.com"}})});
  EXPECT_EQ(doc["emails"], json::parse(R"([{"value":"w@example.com","type":"work"},
                                           {"value":"h@example.org","type":"home"}])"));
}

TEST(scim_patch, filtered_replace_without_match) {
  json doc = user_doc();
  auto e = fails(doc, user, {op("replace", "emails[value co \"nomatch\"].type", "home")});
  EXPECT_EQ(e.scim_type, "noTarget");
  json d2 = user_doc();
  ok(d2, user, {op("replace", "phoneNumbers[type eq \"mobile\"].value", "+1 555 0100")});
  EXPECT_EQ(d2["phoneNumbers"], json::parse(R"([{"type":"mobile","value":"+1 555 0100"}])"));
}

TEST(scim_patch, filtered_remove) {
  json doc = user_doc();
  doc["emails"].push_back({{"value", "h@example.org"}, {"type", "home"}});
  ok(doc, user, {op("remove", "emails[type eq \"nomatch\"]")});  // nothing to do is fine
  ok(doc, user, {op("remove", "emails[type eq \"work\"].primary")});
  EXPECT_EQ(doc["emails"][0], json({{"value", "bjensen@example.com"}, {"type", "work"}}));
  ok(doc, user, {op("remove", "emails[type eq \"WORK\"]")});
  EXPECT_EQ(doc["emails"], json::parse(R"([{"value":"h@example.org","type":"home"}])"));
  ok(doc, user, {op("remove", "emails[value ew \".org\"]")});
  EXPECT_FALSE(doc.contains("emails"));
}

TEST(scim_patch, remove_with_a_value_list_on_emails) {
  json doc = user_doc();
  doc["emails"].push_back({{"value", "h@example.org"}, {"type", "home"}});
  ok(doc, user, {op("remove", "emails", json::array({{{"value", "H@EXAMPLE.ORG"}}}))});
  EXPECT_EQ(doc["emails"].size(), 1u);
  EXPECT_EQ(doc["emails"][0]["type"], "work");
}

TEST(scim_patch, complex_attributes_merge) {
  json doc = user_doc();
  ok(doc, user, {op("add", "name", json{{"middleName", "Jane"}})});
  ok(doc, user, {op("replace", "name", json{{"givenName", "Barb"}})});
  EXPECT_EQ(doc["name"], json({{"givenName", "Barb"}, {"middleName", "Jane"}, {"familyName", "Jensen"}}));
  ok(doc, user, {op("replace", "name", json{{"middleName", nullptr}})});
  EXPECT_EQ(doc["name"], json({{"givenName", "Barb"}, {"familyName", "Jensen"}}));
}

TEST(scim_patch, removing_the_last_sub_attribute_removes_the_attribute) {
  json doc = user_doc();
  ok(doc, user, {op("remove", "name.givenName"), op("remove", "name.familyName")});
  EXPECT_FALSE(doc.contains("name"));
}

TEST(scim_patch, null_value_means_remove) {
  json doc = user_doc();
  ok(doc, user, {op("replace", "displayName", nullptr), op("add", json{{"name", nullptr}})});
  EXPECT_FALSE(doc.contains("displayName"));
  EXPECT_FALSE(doc.contains("name"));
}

TEST(scim_patch, canonical_spelling_and_case_insensitive_keys) {
  json doc = user_doc();
  doc["Name"] = doc["name"];
  doc.erase("name");
  ok(doc, user, {op("replace", "NAME.GIVENNAME", "Barb"), op("add", "NICKNAME", "Babs")});
  EXPECT_FALSE(doc.contains("Name"));
  EXPECT_EQ(doc["name"], json({{"givenName", "Barb"}, {"familyName", "Jensen"}}));
  EXPECT_EQ(doc["nickName"], "Babs");
  ok(doc, user, {op("add", "emails", json{{"VALUE", "x@example.org"}, {"Type", "home"}})});
  EXPECT_EQ(doc["emails"][1], json({{"value", "x@example.org"}, {"type", "home"}}));
}

TEST(scim_patch, core_urn_prefix_means_no_prefix) {
  json doc = user_doc();
  ok(doc, user, {op("replace", "urn:ietf:params:scim:schemas:core:2.0:User:name.familyName", "Jensen-Smith"),
                 op("add", "urn:ietf:params:scim:schemas:core:2.0:User:title", "Tour Guide")});
  EXPECT_EQ(doc["name"]["familyName"], "Jensen-Smith");
  EXPECT_EQ(doc["title"], "Tour Guide");
  // ...but the core URN does not reach the extension.
  EXPECT_EQ(fails(doc, user, {op("add", "urn:ietf:params:scim:schemas:core:2.0:User:department", "x")}).scim_type,
            "invalidPath");
}

TEST(scim_patch, pathless_value_with_dotted_and_urn_keys) {
  json doc = user_doc();
  ok(doc, user, {op("replace", json{{"name.givenName", "B"}, {ext + ":department", "D"}, {ext + ":manager", "m-1"}})});
  EXPECT_EQ(doc["name"]["givenName"], "B");
  EXPECT_EQ(doc[ext], json({{"department", "D"}, {"manager", {{"value", "m-1"}}}}));
  EXPECT_EQ(doc["schemas"], json::array({core, ext}));
}

TEST(scim_patch, pathless_value_with_the_extension_object) {
  json doc = user_doc();
  ok(doc, user, {op("add", json{{ext, {{"costCenter", "4130"}, {"manager", {{"value", "m-2"}}}}},
                                {"schemas", json::array({core, ext})},
                                {"title", "Guide"}})});
  EXPECT_EQ(doc[ext], json({{"costCenter", "4130"}, {"manager", {{"value", "m-2"}}}}));
  EXPECT_EQ(doc["title"], "Guide");
  EXPECT_EQ(doc["schemas"], json::array({core, ext}));
}

TEST(scim_patch, path_that_is_the_extension_urn) {
  json doc = user_doc();
  ok(doc, user, {op("add", ext.c_str(), json{{"division", "Theme Park"}})});
  EXPECT_EQ(doc[ext], json({{"division", "Theme Park"}}));
  ok(doc, user, {op("remove", ext.c_str())});
  EXPECT_FALSE(doc.contains(ext));
  EXPECT_EQ(doc["schemas"], json::array({core}));
}

TEST(scim_patch, changing_the_manager_drops_its_stale_display_name) {
  json doc = user_doc();
  doc[ext] = {{"manager", {{"value", "m-1"}, {"displayName", "Old Boss"}, {"$ref", "../Users/m-1"}}}};
  ok(doc, user, {op("replace", (ext + ":manager.value").c_str(), "m-2")});
  EXPECT_EQ(doc[ext]["manager"], json({{"value", "m-2"}}));
  doc[ext]["manager"]["displayName"] = "New Boss";
  ok(doc, user, {op("add", (ext + ":manager").c_str(), json{{"value", "m-2"}, {"displayName", "ignored"}})});
  EXPECT_EQ(doc[ext]["manager"], json({{"value", "m-2"}, {"displayName", "New Boss"}}));
}

TEST(scim_patch, read_only_and_immutable_paths_are_mutability) {
  for (const char* path : {"id", "meta", "meta.version", "groups", "groups[value eq \"g\"].display",
                           "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.displayName"}) {
    json doc = user_doc();
    auto e = fails(doc, user, {op("replace", path, "x")});
    EXPECT_EQ(e.scim_type, "mutability") << path;
    EXPECT_EQ(e.status, 400) << path;
  }
}

TEST(scim_patch, read_only_keys_without_path) {
  json doc = user_doc();
  json same = {{"id", doc["id"]}, {"meta", doc["meta"]}, {"schemas", doc["schemas"]}, {"nickName", "B"}};
  ok(doc, user, {op("replace", same)});
  EXPECT_EQ(doc["nickName"], "B");
  ok(doc, user, {op("replace", json{{"groups", json::array()}, {"title", "T"}})});  // no groups either way
  EXPECT_EQ(doc["title"], "T");
  EXPECT_FALSE(doc.contains("groups"));
  EXPECT_EQ(fails(doc, user, {op("replace", json{{"meta", {{"version", "W/\"9\""}}}})}).scim_type, "mutability");
  EXPECT_EQ(fails(doc, user, {op("replace", json{{"groups", json::array({{{"value", "g"}}})}})}).scim_type,
            "mutability");
  EXPECT_EQ(fails(doc, user, {op("add", json{{"schemas", json::array({"urn:example:other"})}})}).scim_type,
            "mutability");
}

TEST(scim_patch, unknown_attributes_are_invalid_path) {
  for (const json& o : {op("replace", "password", "hunter2"), op("replace", json{{"password", "hunter2"}}),
                        op("add", "name.nickname", "x"), op("add", "emails[display eq \"x\"].value", "y"),
                        op("add", "emails", json{{"value", "x@y"}, {"display", "X"}}), op("add", "userName.x", "y"),
                        op("add", "urn:example:other:title", "x"), op("add", "nickName[value eq \"x\"]", "y")}) {
    json doc = user_doc();
    auto e = fails(doc, user, {o});
    EXPECT_EQ(e.scim_type, "invalidPath") << o.dump();
  }
  json g = group_doc();
  EXPECT_EQ(fails(g, group, {op("add", (ext + ":department").c_str(), "x")}).scim_type, "invalidPath");
  EXPECT_EQ(fails(g, group, {op("add", ext.c_str(), json{{"department", "x"}})}).scim_type, "invalidPath");
  EXPECT_EQ(fails(g, group, {op("add", json{{ext, {{"department", "x"}}}})}).scim_type, "invalidPath");
  json u = user_doc();
  EXPECT_EQ(fails(u, user, {op("add", "urn:ietf:params:scim:schemas:core:2.0:Group", json{{"title", "x"}})}).scim_type,
            "invalidPath");
  // A schema URN nested in a schema URN is not a path either (and cannot recurse).
  EXPECT_EQ(fails(u, user, {op("add", json{{ext, {{ext, {{"department", "x"}}}}}})}).scim_type, "invalidPath");
  EXPECT_EQ(fails(g, group, {op("add", "userName", "x")}).scim_type, "invalidPath");
}

TEST(scim_patch, values_are_type_checked) {
  for (const json& o : {op("replace", "userName", 5), op("add", "emails", json::array({"x@y.com"})),
                        op("add", "emails", json{{"value", "x@y"}, {"primary", "maybe"}}), op("add", "name", "Babs"),
                        op("add", "name.givenName", json{{"x", 1}}), op("add", "displayName", json::array({"a"})),
                        op("replace", json::array({"a"})), op("add", ext.c_str(), "x")}) {
    json doc = user_doc();
    auto e = fails(doc, user, {o});
    EXPECT_EQ(e.scim_type, "invalidValue") << o.dump();
  }
}

TEST(scim_patch, required_attributes_cannot_be_removed) {
  json doc = user_doc();
  EXPECT_EQ(fails(doc, user, {op("remove", "userName")}).scim_type, "invalidValue");
  EXPECT_EQ(fails(doc, user, {op("replace", "userName", nullptr)}).scim_type, "invalidValue");
  json g = group_doc();
  EXPECT_EQ(fails(g, group, {op("remove", "displayName")}).scim_type, "invalidValue");
}

TEST(scim_patch, removing_what_is_not_there_is_a_no_op) {
  json doc = user_doc();
  json before = doc;
  ok(doc, user, {op("remove", "nickName"), op("remove", "addresses[type eq \"work\"]"),
                 op("remove", (ext + ":manager").c_str()), op("remove", "phoneNumbers.value")});
  EXPECT_EQ(doc, before);
}

TEST(scim_patch, a_hand_built_remove_without_path_is_no_target) {
  json doc = user_doc();
  patch_op o;
  o.op = patch_op::kind::remove;
  auto r = apply_patch(doc, user, std::span<const patch_op>(&o, 1));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().scim_type, "noTarget");
}

TEST(scim_patch, odd_stored_shapes_do_not_throw) {
  json doc = user_doc();
  doc["name"] = "not an object";
  doc["emails"] = "not an array";
  ok(doc, user, {op("add", "name.givenName", "B"), op("add", "emails", json{{"value", "x@y"}}),
                 op("remove", "emails[type eq \"work\"]")});
  EXPECT_EQ(doc["name"], json({{"givenName", "B"}}));
  EXPECT_EQ(doc["emails"], json::parse(R"([{"value":"x@y"}])"));
  json null_doc;
  ok(null_doc, group, {op("add", "externalId", "e-1")});
  EXPECT_EQ(null_doc, json({{"externalId", "e-1"}}));
}

TEST(scim_patch, group_external_id_and_display_name) {
  json doc = group_doc();
  ok(doc, group, {op("add", "externalId", "ad-1"), op("replace", "displayName", "Eng 2")});
  EXPECT_EQ(doc["externalId"], "ad-1");
  EXPECT_EQ(doc["displayName"], "Eng 2");
}

}  // namespace
}  // namespace atrium::proto::scim

