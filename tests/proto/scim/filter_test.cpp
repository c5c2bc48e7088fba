// Filters as IdPs and the RFC 7644 §3.4.2.2 examples write them, the PATCH paths of
// RFC 7644 §3.5.2 and of Entra ID / Okta, and the limits that keep hostile input cheap.
#include "proto/scim/filter.hpp"

#include <gtest/gtest.h>

#include "enterprise_urn.hpp"

#include <algorithm>

#include "enterprise_urn.hpp"

namespace atrium::proto::scim {
namespace {

using nlohmann::json;

using scim_tests::ext;

filter_ptr parsed(std::string_view text, const filter_limits& lim = {}) {
  auto f = parse_filter(text, lim);
  EXPECT_TRUE(f) << text << ": " << (f ? "" : f.error().detail);
  return f ? *f : nullptr;
}

scim_error filter_error(std::string_view text, const filter_limits& lim = {}) {
  auto f = parse_filter(text, lim);
  EXPECT_FALSE(f) << text;
  return f ? scim_error{} : f.error();
}

void expect_compare(const filter_ptr& f, const attr_path& p, compare_op op, const json& v) {
  ASSERT_TRUE(f);
  EXPECT_EQ(f->k, filter::kind::compare);
  EXPECT_EQ(f->path, p);
  EXPECT_EQ(f->op, op);
  EXPECT_EQ(f->value, v);
}

int depth(const filter* f) {
  if (!f) return 0;
  return 1 + std::max(depth(f->lhs.get()), depth(f->rhs.get()));
}

bool match(std::string_view text, const json& item, const case_exact_fn& exact = {}) {
  auto f = parsed(text);
  return f && matches(*f, item, exact);
}

// ---- grammar ----

TEST(scim_filter, equality_on_user_name) {
  expect_compare(parsed("userName eq \"bjensen\""), {"", "userName", ""}, compare_op::eq, "bjensen");
}

TEST(scim_filter, sub_attribute_and_apostrophe) {
  expect_compare(parsed("name.familyName co \"O'Malley\""), {"", "name", "familyName"}, compare_op::co, "O'Malley");
}

TEST(scim_filter, every_operator_in_any_case) {
  struct row {
    const char* word;
    compare_op op;
  };
  for (auto [word, op] : {row{"eq", compare_op::eq}, row{"NE", compare_op::ne}, row{"Co", compare_op::co},
                          row{"sw", compare_op::sw}, row{"EW", compare_op::ew}, row{"gt", compare_op::gt},
                          row{"lt", compare_op::lt}, row{"Ge", compare_op::ge}, row{"le", compare_op::le}}) {
    auto f = parsed(std::string("title ") + word + " \"x\"");
    ASSERT_TRUE(f) << word;
    EXPECT_EQ(f->op, op) << word;
  }
  auto pr = parsed("title PR");
  ASSERT_TRUE(pr);
  EXPECT_EQ(pr->op, compare_op::pr);
  EXPECT_TRUE(pr->value.is_null());
}

TEST(scim_filter, date_comparison) {
  expect_compare(parsed("meta.lastModified gt \"2011-05-13T04:42:34Z\""), {"", "meta", "lastModified"},
                 compare_op::gt, "2011-05-13T04:42:34Z");
}

TEST(scim_filter, urn_prefixed_paths) {
  expect_compare(parsed("urn:ietf:params:scim:schemas:core:2.0:User:userName sw \"J\""),
                 {"urn:ietf:params:scim:schemas:core:2.0:User", "userName", ""}, compare_op::sw, "J");
  expect_compare(parsed(std::string(ext) + ":manager.value eq \"26118915-6090-4610-87e4-49d8ca9f808d\""),
                 {ext, "manager", "value"}, compare_op::eq, "26118915-6090-4610-87e4-49d8ca9f808d");
  expect_compare(parsed(std::string(ext) + ":employeeNumber eq \"701984\""), {ext, "employeeNumber", ""},
                 compare_op::eq, "701984");
}

TEST(scim_filter, json_values) {
  expect_compare(parsed("active eq true"), {"", "active", ""}, compare_op::eq, true);
  expect_compare(parsed("active eq False"), {"", "active", ""}, compare_op::eq, false);
  expect_compare(parsed("nickName eq null"), {"", "nickName", ""}, compare_op::eq, nullptr);
  expect_compare(parsed("count ge 42"), {"", "count", ""}, compare_op::ge, 42);
  expect_compare(parsed("score lt -1.5e3"), {"", "score", ""}, compare_op::lt, -1500.0);
}

TEST(scim_filter, string_escapes_are_decoded) {
  expect_compare(parsed(R"(displayName eq "a\"b\\c\/d\u00e9\n\ud83d\ude00")"), {"", "displayName", ""},
                 compare_op::eq, "a\"b\\c/d\xc3\xa9\n\xf0\x9f\x98\x80");
  expect_compare(parsed("displayName eq \"\xc3\xa9t\xc3\xa9\""), {"", "displayName", ""}, compare_op::eq,
                 "\xc3\xa9t\xc3\xa9");
}

TEST(scim_filter, value_paths_with_or) {
  auto f = parsed("emails[type eq \"work\" and value co \"@example.com\"] or ims[type eq \"xmpp\"]");
  ASSERT_TRUE(f);
  ASSERT_EQ(f->k, filter::kind::logical_or);
  const auto& emails = *f->lhs;
  ASSERT_EQ(emails.k, filter::kind::value_path);
  EXPECT_EQ(emails.path, (attr_path{"", "emails", ""}));
  ASSERT_EQ(emails.lhs->k, filter::kind::logical_and);
  expect_compare(emails.lhs->lhs, {"", "type", ""}, compare_op::eq, "work");
  expect_compare(emails.lhs->rhs, {"", "value", ""}, compare_op::co, "@example.com");
  const auto& ims = *f->rhs;
  ASSERT_EQ(ims.k, filter::kind::value_path);
  EXPECT_EQ(ims.path.name, "ims");
  expect_compare(ims.lhs, {"", "type", ""}, compare_op::eq, "xmpp");
}

TEST(scim_filter, not_with_parentheses) {
  auto f = parsed("not (a pr)");
  ASSERT_TRUE(f);
  ASSERT_EQ(f->k, filter::kind::logical_not);
  expect_compare(f->lhs, {"", "a", ""}, compare_op::pr, nullptr);
  auto g = parsed("NOT(a pr) and b pr");
  ASSERT_TRUE(g);
  ASSERT_EQ(g->k, filter::kind::logical_and);
  EXPECT_EQ(g->lhs->k, filter::kind::logical_not);
}

TEST(scim_filter, and_binds_tighter_than_or) {
  auto f = parsed("a pr or b pr and c pr");
  ASSERT_TRUE(f);
  ASSERT_EQ(f->k, filter::kind::logical_or);
  EXPECT_EQ(f->lhs->path.name, "a");
  ASSERT_EQ(f->rhs->k, filter::kind::logical_and);
  EXPECT_EQ(f->rhs->lhs->path.name, "b");
  EXPECT_EQ(f->rhs->rhs->path.name, "c");

  auto g = parsed("(a pr or b pr) AND c pr");
  ASSERT_TRUE(g);
  ASSERT_EQ(g->k, filter::kind::logical_and);
  EXPECT_EQ(g->lhs->k, filter::kind::logical_or);
  EXPECT_EQ(g->rhs->path.name, "c");
}

TEST(scim_filter, rfc_example_with_nested_groups) {
  auto f = parsed(
      "userType eq \"Employee\" and (emails co \"example.com\" or emails.value co \"example.org\")");
  ASSERT_TRUE(f);
  ASSERT_EQ(f->k, filter::kind::logical_and);
  ASSERT_EQ(f->rhs->k, filter::kind::logical_or);
  expect_compare(f->rhs->rhs, {"", "emails", "value"}, compare_op::co, "example.org");
}

TEST(scim_filter, attribute_named_like_a_keyword) {
  expect_compare(parsed("not pr"), {"", "not", ""}, compare_op::pr, nullptr);
  expect_compare(parsed("members[$ref eq \"x\"]")->lhs, {"", "$ref", ""}, compare_op::eq, "x");
}

TEST(scim_filter, long_runs_are_balanced) {
  std::string text = "a0 pr";
  for (int i = 1; i < 400; ++i) text += " and a" + std::to_string(i) + " pr";
  auto f = parsed(text, {.max_length = 100'000, .max_depth = 16});
  ASSERT_TRUE(f);
  EXPECT_LE(depth(f.get()), 10);
  json item = json::object();
  for (int i = 0; i < 400; ++i) item["a" + std::to_string(i)] = "x";
  EXPECT_TRUE(matches(*f, item, {}));
  item.erase("a399");
  EXPECT_FALSE(matches(*f, item, {}));
}

// ---- errors ----

TEST(scim_filter, errors_are_invalid_filter_with_the_offset) {
  auto e = filter_error("userName xx \"bjensen\"");
  EXPECT_EQ(e.status, 400);
  EXPECT_EQ(e.scim_type, "invalidFilter");
  EXPECT_NE(e.detail.find("at byte 9"), std::string::npos) << e.detail;
  EXPECT_NE(e.detail.find("comparison operator"), std::string::npos) << e.detail;
}

TEST(scim_filter, error_details_stay_valid_utf8) {
  auto e = filter_error("userName pr \xff\xfe");
  EXPECT_NE(e.detail.find("byte 0xFF"), std::string::npos) << json(e.detail).dump(-1, ' ', false, json::error_handler_t::replace);
  EXPECT_NO_THROW((void)json(e.detail).dump());
}

TEST(scim_filter, malformed_filters) {
  for (const char* text : {"", "   ", "userName eq", "userName eq \"unterminated", "userName eq \"bad\\q\"",
                           "userName eq \"\\ud800\"", "userName eq \"\xff\"", "userName eq bjensen", "(userName pr",
                           "userName pr)", "userName pr and", "and userName pr", "a[b[c pr]]", "name.givenName[x pr]",
                           "emails[type eq \"work\"", "a.b.c eq \"x\"", "1abc pr", ":a pr", "a pr b pr",
                           "userName eq \"x\"and title pr", "not a pr", "emails[]", "active gt true", "title co 5",
                           "x le null", "userName eq 1.2.3", "userName eq -", "userName eq 1e999"}) {
    auto e = filter_error(text);
    EXPECT_EQ(e.scim_type, "invalidFilter") << text;
    EXPECT_EQ(e.status, 400) << text;
  }
}

TEST(scim_filter, length_limit) {
  std::string text = "userName eq \"" + std::string(5000, 'a') + "\"";
  auto e = filter_error(text);
  EXPECT_EQ(e.scim_type, "invalidFilter");
  EXPECT_NE(e.detail.find("longer than 4096"), std::string::npos) << e.detail;
  EXPECT_TRUE(parse_filter(text, {.max_length = 10'000, .max_depth = 16}));
}

TEST(scim_filter, hundred_thousand_parentheses_are_a_clean_error) {
  std::string text(100'000, '(');
  EXPECT_EQ(filter_error(text).scim_type, "invalidFilter");
  // Even when the length limit lets it through, the depth limit stops it (no stack overflow).
  auto e = filter_error(text, {.max_length = 1'000'000, .max_depth = 16});
  EXPECT_EQ(e.scim_type, "invalidFilter");
  EXPECT_NE(e.detail.find("nesting deeper than 16"), std::string::npos) << e.detail;
  // A limit set absurdly high is still capped.
  EXPECT_EQ(filter_error(text, {.max_length = 1'000'000, .max_depth = 1'000'000}).scim_type, "invalidFilter");
  std::string nots;
  for (int i = 0; i < 50'000; ++i) nots += "not(";
  EXPECT_EQ(filter_error(nots, {.max_length = 1'000'000, .max_depth = 16}).scim_type, "invalidFilter");
}

TEST(scim_filter, depth_limit_is_exact) {
  auto nested = [](int n) { return std::string(n, '(') + "a pr" + std::string(n, ')'); };
  EXPECT_TRUE(parse_filter(nested(16)));
  EXPECT_FALSE(parse_filter(nested(17)));
  EXPECT_TRUE(parse_filter(nested(3), {.max_length = 4096, .max_depth = 3}));
  EXPECT_FALSE(parse_filter(nested(3), {.max_length = 4096, .max_depth = 2}));
  // Brackets count too: 15 parentheses around a value path make 16.
  EXPECT_TRUE(parse_filter(std::string(15, '(') + "emails[type pr]" + std::string(15, ')')));
  EXPECT_FALSE(parse_filter(std::string(16, '(') + "emails[type pr]" + std::string(16, ')')));
}

// ---- evaluation ----

const json work_email = {{"type", "work"}, {"value", "Babs@Example.com"}, {"primary", true}};

TEST(scim_filter, matches_strings_case_insensitively_unless_case_exact) {
  EXPECT_TRUE(match("type eq \"WORK\"", work_email));
  EXPECT_TRUE(match("TYPE eq \"work\"", work_email));  // attribute names too (RFC 7643 §2.1)
  auto exact = [](std::string_view n) { return n == "type"; };
  EXPECT_FALSE(match("type eq \"WORK\"", work_email, exact));
  EXPECT_TRUE(match("type eq \"work\"", work_email, exact));
  EXPECT_TRUE(match("value co \"@example.COM\"", work_email));
  EXPECT_TRUE(match("value sw \"babs@\"", work_email));
  EXPECT_TRUE(match("value ew \".com\"", work_email));
  EXPECT_FALSE(match("value ew \".org\"", work_email));
  EXPECT_TRUE(match("type ne \"home\"", work_email));
}

TEST(scim_filter, matches_booleans_and_numbers_by_type) {
  EXPECT_TRUE(match("primary eq true", work_email));
  EXPECT_TRUE(match("primary eq TRUE", work_email));
  EXPECT_FALSE(match("primary eq \"true\"", work_email));
  EXPECT_TRUE(match("primary ne false", work_email));
  json n = {{"n", 5}};
  EXPECT_TRUE(match("n gt 4", n));
  EXPECT_TRUE(match("n ge 5.0", n));
  EXPECT_TRUE(match("n eq 5.0", n));
  EXPECT_FALSE(match("n lt 5", n));
  EXPECT_TRUE(match("n le 5", n));
  EXPECT_FALSE(match("n gt \"4\"", n));
}

TEST(scim_filter, missing_and_null_attributes_compare_false) {
  EXPECT_FALSE(match("display pr", work_email));
  EXPECT_FALSE(match("display eq \"x\"", work_email));
  EXPECT_FALSE(match("display ne \"x\"", work_email));
  EXPECT_TRUE(match("not (display pr)", work_email));
  EXPECT_FALSE(match("display pr", json{{"display", nullptr}}));
  EXPECT_FALSE(match("display pr", json{{"display", ""}}));
  EXPECT_TRUE(match("display pr", json{{"display", "d"}}));
  EXPECT_FALSE(match("type eq \"work\"", json::array()));
}

TEST(scim_filter, logical_operators) {
  EXPECT_TRUE(match("type eq \"work\" and primary eq true", work_email));
  EXPECT_FALSE(match("type eq \"home\" and primary eq true", work_email));
  EXPECT_TRUE(match("type eq \"home\" or primary eq true", work_email));
  EXPECT_FALSE(match("not (type eq \"work\" or primary eq true)", work_email));
}

TEST(scim_filter, matches_on_a_whole_resource) {
  json user = {{"userName", "bjensen"},
               {"name", {{"familyName", "O'Malley"}}},
               {"emails", json::array({work_email, {{"type", "home"}, {"value", "b@example.org"}}})},
               {"meta", {{"lastModified", "2011-05-13T04:42:35Z"}}},
               {ext, {{"department", "Tour Operations"}, {"manager", {{"value", "m-1"}}}}}};
  EXPECT_TRUE(match("userName eq \"BJensen\"", user));
  EXPECT_TRUE(match("name.familyName co \"o'malley\"", user));
  EXPECT_TRUE(match("meta.lastModified gt \"2011-05-13T04:42:34Z\"", user));
  EXPECT_FALSE(match("meta.lastModified gt \"2011-05-13T04:42:36Z\"", user));
  EXPECT_TRUE(match("emails[type eq \"work\" and value co \"@example.com\"] or ims[type eq \"xmpp\"]", user));
  EXPECT_FALSE(match("emails[type eq \"home\" and value co \"@example.com\"]", user));
  EXPECT_TRUE(match("emails.value eq \"b@example.org\"", user));
  EXPECT_TRUE(match(std::string(ext) + ":department sw \"tour\"", user));
  EXPECT_TRUE(match(std::string(ext) + ":manager.value eq \"m-1\"", user));
  EXPECT_TRUE(match("urn:ietf:params:scim:schemas:core:2.0:User:userName eq \"bjensen\"", user));
}

TEST(scim_filter, case_exact_is_asked_with_the_dotted_name) {
  json user = {{"name", {{"familyName", "Jensen"}}}};
  std::string asked;
  auto f = parsed("name.familyName eq \"jensen\"");
  ASSERT_TRUE(f);
  EXPECT_FALSE(matches(*f, user, [&](std::string_view n) {
    asked = n;
    return true;
  }));
  EXPECT_EQ(asked, "name.familyName");
}

TEST(scim_filter, items_of_a_string_list_are_their_value) {
  EXPECT_TRUE(match("value eq \"Admin\"", json("admin")));
  EXPECT_FALSE(match("value eq \"user\"", json("admin")));
}

// ---- PATCH paths ----

patch_path path_of(std::string_view text) {
  auto p = parse_patch_path(text);
  EXPECT_TRUE(p) << text << ": " << (p ? "" : p.error().detail);
  return p ? *p : patch_path{};
}

TEST(scim_filter, patch_path_attribute_and_sub_attribute) {
  auto p = path_of("name.givenName");
  EXPECT_EQ(p.attr, (attr_path{"", "name", "givenName"}));
  EXPECT_FALSE(p.value_filter);
  EXPECT_EQ(path_of("members").attr, (attr_path{"", "members", ""}));
}

TEST(scim_filter, patch_path_with_value_filter) {
  auto p = path_of("members[value eq \"2819c223-7f76-453a-919d-413861904646\"]");
  EXPECT_EQ(p.attr, (attr_path{"", "members", ""}));
  expect_compare(p.value_filter, {"", "value", ""}, compare_op::eq, "2819c223-7f76-453a-919d-413861904646");

  auto q = path_of("emails[type eq \"work\"].value");
  EXPECT_EQ(q.attr, (attr_path{"", "emails", "value"}));
  expect_compare(q.value_filter, {"", "type", ""}, compare_op::eq, "work");
}

TEST(scim_filter, patch_path_with_urn) {
  EXPECT_EQ(path_of(std::string(ext) + ":manager").attr, (attr_path{ext, "manager", ""}));
  EXPECT_EQ(path_of(std::string(ext) + ":manager.value").attr, (attr_path{ext, "manager", "value"}));
  EXPECT_EQ(path_of("urn:ietf:params:scim:schemas:core:2.0:User:name.familyName").attr,
            (attr_path{"urn:ietf:params:scim:schemas:core:2.0:User", "name", "familyName"}));
  // The ':' inside the filter's value does not move the split.
  auto p = path_of("urn:ietf:params:scim:schemas:core:2.0:User:emails[value eq \"urn:x:y\"].type");
  EXPECT_EQ(p.attr, (attr_path{"urn:ietf:params:scim:schemas:core:2.0:User", "emails", "type"}));
  expect_compare(p.value_filter, {"", "value", ""}, compare_op::eq, "urn:x:y");
}

TEST(scim_filter, patch_path_that_is_a_schema_urn) {
  auto p = path_of(ext);
  EXPECT_EQ(p.attr, (attr_path{ext, "", ""}));
  EXPECT_FALSE(p.value_filter);
}

TEST(scim_filter, patch_path_errors_are_invalid_path) {
  for (const char* text : {"", " name", "name.", "name..x", "name.given.x", "emails[type eq \"work\"",
                           "emails[type eq \"work\"]x", "emails[type eq \"work\"].", "emails[type eq \"work\"].a.b",
                           "name.givenName[x pr]", "emails[type eq]", "emails[x pr]]", "emails[a[b pr]]", "a b",
                           "members[value eq \"x\"] ", "urn:only:"}) {
    auto p = parse_patch_path(text);
    ASSERT_FALSE(p) << text;
    EXPECT_EQ(p.error().status, 400) << text;
    EXPECT_EQ(p.error().scim_type, "invalidPath") << text;
  }
}

TEST(scim_filter, patch_path_limits) {
  auto long_path = parse_patch_path("members[value eq \"" + std::string(5000, 'x') + "\"]");
  ASSERT_FALSE(long_path);
  EXPECT_EQ(long_path.error().scim_type, "invalidPath");
  std::string deep = "members[" + std::string(100'000, '(');
  auto d = parse_patch_path(deep, {.max_length = 1'000'000, .max_depth = 16});
  ASSERT_FALSE(d);
  EXPECT_EQ(d.error().scim_type, "invalidPath");
  EXPECT_NE(d.error().detail.find("nesting"), std::string::npos) << d.error().detail;
}

}  // namespace
}  // namespace atrium::proto::scim

