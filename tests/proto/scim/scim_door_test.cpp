// The SCIM door end to end without sockets: real SQLite store in a temp dir, real tokens,
// injected clock. The wire-level suites with real IdP request sequences are in
// tests/integration/test_scim_*.py.
#include "proto/scim/scim_door.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <set>

#include "crypto/primitives.hpp"
#include "proto/kit/responder.hpp"
#include "service/identity/identity_fixture.hpp"
#include "service/identity/identity_services.hpp"
#include "store/sqlite/sqlite_database.hpp"

namespace atrium::proto::scim {

using nlohmann::json;

class scim_door_test : public ::testing::Test {
 protected:
  void SetUp() override {
    crypto::init();
    dir_ = std::filesystem::temp_directory_path() /
           ("atrium-scim-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    auto db = store::sqlite::sqlite_database::open({dir_ / "t.db", false});
    ASSERT_TRUE(db) << db.error().message;
    db_ = std::move(*db);
    audit_ = std::make_unique<service::auditor>(clk_, rnd_, std::nullopt);
    audited_ = std::make_unique<service::audited_store>(*db_, *audit_);
    throttle_ = std::make_unique<service::throttler>(clk_, service::throttle_settings{1000, 1000, {}});
    identity_ = std::make_unique<service::identity_services>(*audited_, clk_, rnd_, "d-0123456789",
                                                            service::quotas{1000, 1000, 1000});
    tokens_ = std::make_unique<service::scim_provisioning>(*audited_, clk_, rnd_);
    scim_settings s;
    s.account_id = "123456789012";
    door_ = std::make_unique<scim_door>(*tokens_, identity_->users, identity_->groups, *throttle_, *audited_, s);
    service::call_context admin;
    admin.who.arn = "arn:aws:iam::123456789012:root";
    auto t = tokens_->enable(admin);
    ASSERT_TRUE(t) << t.error().message;
    token_ = t->token;
  }
  void TearDown() override {
    door_.reset();
    db_.reset();
    std::filesystem::remove_all(dir_);
  }

  response call(const std::string& method, const std::string& path, const json& body = nullptr,
                     std::vector<std::pair<std::string, std::string>> extra = {}) {
    return door_->handle(make_request(method, path, body, std::move(extra)));
  }
  request make_request(const std::string& method, const std::string& path, const json& body = nullptr,
                       std::vector<std::pair<std::string, std::string>> extra = {}) {
    request r;
    r.method = method;
    r.target = "/scim/v2" + path;
    r.headers = {{"Host", "idp.test:8443"}, {"Authorization", "Bearer " + token_}};
    if (!body.is_null()) {
      r.body = body.dump();
      r.headers.emplace_back("Content-Type", "application/scim+json");
    }
    for (auto& h : extra) r.headers.push_back(h);
    r.remote_ip = "127.0.0.1";
    r.request_id = "rid";
    return r;
  }
  static json parse(const response& r) { return json::parse(r.body); }

  json user(const std::string& name) {
    return {{"schemas", {std::string(user_schema_urn)}},
            {"userName", name},
            {"displayName", name + " D"},
            {"name", {{"givenName", "G"}, {"familyName", "F"}}},
            {"emails", {{{"value", name + "@example.com"}, {"primary", true}}}}};
  }
  std::string create_user(const std::string& name) {
    auto r = call("POST", "/Users", user(name));
    EXPECT_EQ(r.status, 201) << r.body;
    return parse(r)["id"];
  }
  std::string create_group(const std::string& name, const std::vector<std::string>& members = {}) {
    json m = json::array();
    for (auto& id : members) m.push_back({{"value", id}});
    auto r = call("POST", "/Groups", {{"displayName", name}, {"members", m}});
    EXPECT_EQ(r.status, 201) << r.body;
    return parse(r)["id"];
  }
  std::vector<json> audit_records(const std::string& event) {
    // Failure records are written detached; a write queued after them commits after them.
    EXPECT_TRUE(db_->write([](store::transaction&) -> result<void> { return {}; }));
    std::vector<json> out;
    (void)db_->read([&](store::transaction& tx) -> result<void> {
      store::audit_query q;
      q.event_name = event;
      auto recs = tx.audit().query(q);
      if (!recs) return std::unexpected(recs.error());
      for (auto& rec : *recs) out.push_back(json::parse(rec.json));
      return {};
    });
    return out;
  }

  seeded_random rnd_{7};
  manual_clock clk_{from_epoch_millis(1'763'900'000'000)};
  std::filesystem::path dir_;
  std::unique_ptr<store::database> db_;
  std::unique_ptr<service::auditor> audit_;
  std::unique_ptr<service::audited_store> audited_;
  std::unique_ptr<service::throttler> throttle_;
  std::unique_ptr<service::identity_services> identity_;
  std::unique_ptr<service::scim_provisioning> tokens_;
  std::unique_ptr<scim_door> door_;
  std::string token_;
};

TEST_F(scim_door_test, handles_the_base_path_with_or_without_trailing_slash) {
  EXPECT_TRUE(door_->handles("/scim/v2"));
  EXPECT_TRUE(door_->handles("/scim/v2/"));
  EXPECT_TRUE(door_->handles("/scim/v2//Users?x=1"));
  EXPECT_FALSE(door_->handles("/scim/v20/Users"));
  EXPECT_FALSE(door_->handles("/"));
  auto id = create_user("slash");
  EXPECT_EQ(call("GET", "//Users/" + id).status, 200);
  EXPECT_EQ(call("GET", "/Users/" + id + "/").status, 200);
}

TEST_F(scim_door_test, bearer_tokens_missing_wrong_expired_or_deleted_are_401) {
  auto ok = call("GET", "/Users");
  EXPECT_EQ(ok.status, 200);
  std::string good = token_;
  for (std::string bad : {std::string(), std::string("nope"), good.substr(0, good.size() - 1) + "x",
                          "scimtok-0000000000000000." + good.substr(good.find('.') + 1)}) {
    token_ = bad;
    auto r = call("GET", "/Users");
    EXPECT_EQ(r.status, 401) << bad;
    EXPECT_EQ(parse(r)["schemas"][0], error_urn);
    EXPECT_EQ(r.error_code, "UnauthorizedException");
  }
  token_ = good;
  clk_.advance(std::chrono::days(366));
  EXPECT_EQ(call("GET", "/Users").status, 401) << "tokens expire after one year";
}

TEST_F(scim_door_test, create_get_filter_and_the_identity_store_share_one_record) {
  auto id = create_user("bjensen");
  auto got = call("GET", "/Users/" + id);
  ASSERT_EQ(got.status, 200);
  auto j = parse(got);
  EXPECT_EQ(j["userName"], "bjensen");
  EXPECT_EQ(j["meta"]["version"], "W/\"1\"");
  EXPECT_EQ(j["meta"]["location"], "https://idp.test:8443/scim/v2/Users/" + id);
  auto list = parse(call("GET", "/Users?filter=userName%20eq%20%22BJENSEN%22"));
  EXPECT_EQ(list["totalResults"], 1);
  EXPECT_EQ(list["Resources"][0]["id"], id);
  // The identitystore API's view of the same user records the SCIM door as its creator.
  service::call_context ctx;
  auto u = identity_->users.describe_user(ctx, id);
  ASSERT_TRUE(u);
  EXPECT_EQ(u->stamp.created_via, domain::door::scim);
  EXPECT_EQ(u->stamp.created_by.substr(0, 8), "scimtok-");
}

TEST_F(scim_door_test, required_attributes_and_single_valued_lists) {
  auto body = user("noname");
  body["name"].erase("givenName");
  auto r = call("POST", "/Users", body);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(parse(r)["scimType"], "invalidValue");
  EXPECT_NE(parse(r)["detail"].get<std::string>().find("name.givenName"), std::string::npos);
  body = user("twomails");
  body["emails"].push_back({{"value", "b@example.com"}});
  r = call("POST", "/Users", body);
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(parse(r)["detail"].get<std::string>().find("only allow single item"), std::string::npos);
  auto fails = audit_records("CreateUser");
  ASSERT_EQ(fails.size(), 2u);
  EXPECT_EQ(fails[0]["errorCode"], "ValidationException");
  EXPECT_EQ(fails[0]["eventSource"], "identitystore-scim.amazonaws.com");
  EXPECT_EQ(fails[0]["requestParameters"]["httpBody"]["userName"], "HIDDEN_DUE_TO_SECURITY_REASONS");
}

TEST_F(scim_door_test, duplicate_user_name_is_409_uniqueness) {
  create_user("dup");
  auto r = call("POST", "/Users", user("DUP"));
  EXPECT_EQ(r.status, 409);
  EXPECT_EQ(parse(r)["scimType"], "uniqueness");
}

TEST_F(scim_door_test, unsupported_filters_are_invalid_filter_never_unfiltered) {
  create_user("a1");
  for (std::string f : {"title%20eq%20%22x%22", "userName%20co%20%22a%22", "userName%20eq%20%22a1%22%20or%20id%20eq%20%22x%22",
                        "userName%20eq"}) {
    auto r = call("GET", "/Users?filter=" + f);
    EXPECT_EQ(r.status, 400) << f;
    EXPECT_EQ(parse(r)["scimType"], "invalidFilter") << f;
  }
}

TEST_F(scim_door_test, a_group_with_an_unknown_member_leaves_nothing_behind) {
  auto u = create_user("member");
  auto r = call("POST", "/Groups", {{"displayName", "ghost"}, {"members", {{{"value", u}}, {{"value", "not-an-id"}}}}});
  EXPECT_EQ(r.status, 400);
  auto list = parse(call("GET", "/Groups?filter=displayName%20eq%20%22ghost%22"));
  EXPECT_EQ(list["totalResults"], 0);
}

TEST_F(scim_door_test, nested_groups_are_kept_and_flattened) {
  auto u = create_user("nested");
  auto inner = create_group("inner", {u});
  auto outer = create_group("outer", {inner});
  auto j = parse(call("GET", "/Users/" + u));
  ASSERT_EQ(j["groups"].size(), 2u);
  EXPECT_EQ(j["groups"][0]["value"], inner);
  EXPECT_EQ(j["groups"][0]["type"], "direct");
  EXPECT_EQ(j["groups"][1]["value"], outer);
  EXPECT_EQ(j["groups"][1]["type"], "indirect");
  auto members = parse(call("GET", "/Users?filter=groups.value%20eq%20%22" + outer + "%22"));
  EXPECT_EQ(members["totalResults"], 1);
  auto g = parse(call("GET", "/Groups/" + outer));
  EXPECT_EQ(g["members"][0]["value"], inner);
  EXPECT_EQ(g["members"][0]["type"], "Group");
  service::call_context ctx;
  auto eff = identity_->memberships.effective_members_of(ctx, outer);
  ASSERT_TRUE(eff);
  EXPECT_EQ(*eff, std::vector<std::string>{u});
}

TEST_F(scim_door_test, patch_members_without_a_change_limit_and_remove_all) {
  std::vector<std::string> ids;
  for (int i = 0; i < 150; ++i) ids.push_back(create_user("m" + std::to_string(i)));
  auto g = create_group("big");
  json value = json::array();
  for (auto& id : ids) value.push_back({{"value", id}});
  json patch = {{"schemas", {std::string(patch_op_urn)}},
                {"Operations", {{{"op", "add"}, {"path", "members"}, {"value", value}}}}};
  auto r = call("PATCH", "/Groups/" + g, patch);
  EXPECT_EQ(r.status, 204) << r.body;
  EXPECT_EQ(parse(call("GET", "/Groups/" + g))["members"].size(), 150u);
  patch["Operations"] = {{{"op", "remove"}, {"path", "members"}}};
  EXPECT_EQ(call("PATCH", "/Groups/" + g, patch).status, 204);
  EXPECT_EQ(parse(call("GET", "/Groups/" + g))["members"].size(), 0u);
}

TEST_F(scim_door_test, if_match_mismatch_is_412_and_if_none_match_is_304) {
  auto id = create_user("etag");
  json patch = {{"schemas", {std::string(patch_op_urn)}},
                {"Operations", {{{"op", "replace"}, {"path", "title"}, {"value", "Boss"}}}}};
  auto r = call("PATCH", "/Users/" + id, patch, {{"If-Match", "W/\"7\""}});
  EXPECT_EQ(r.status, 412);
  r = call("PATCH", "/Users/" + id, patch, {{"If-Match", "W/\"1\""}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(parse(r)["title"], "Boss");
  EXPECT_EQ(parse(r)["meta"]["version"], "W/\"2\"");
  EXPECT_EQ(call("GET", "/Users/" + id, nullptr, {{"If-None-Match", "W/\"2\""}}).status, 304);
  EXPECT_EQ(call("DELETE", "/Users/" + id, nullptr, {{"If-Match", "W/\"1\""}}).status, 412);
  EXPECT_EQ(call("DELETE", "/Users/" + id, nullptr, {{"If-Match", "W/\"2\""}}).status, 204);
}

TEST_F(scim_door_test, active_false_string_disables_the_user) {
  auto id = create_user("entra");
  json patch = {{"schemas", {std::string(patch_op_urn)}},
                {"Operations", {{{"op", "Replace"}, {"path", "active"}, {"value", "False"}}}}};
  auto r = call("PATCH", "/Users/" + id, patch);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(parse(r)["active"], false);
  service::call_context ctx;
  EXPECT_FALSE(identity_->users.describe_user(ctx, id)->active);
}

TEST_F(scim_door_test, cursor_paging_walks_every_user_once) {
  std::set<std::string> created;
  for (int i = 0; i < 7; ++i) created.insert(create_user("c" + std::to_string(i)));
  std::set<std::string> seen;
  std::string cursor;
  for (int pages = 0; pages < 10; ++pages) {
    auto j = parse(call("GET", "/Users?count=3&cursor=" + cursor));
    EXPECT_FALSE(j.contains("totalResults"));
    for (auto& u : j["Resources"]) EXPECT_TRUE(seen.insert(u["id"]).second);
    if (!j.contains("nextCursor")) break;
    cursor = j["nextCursor"];
  }
  EXPECT_EQ(seen, created);
  auto bad = call("GET", "/Users?count=3&filter=userName%20eq%20%22c1%22&cursor=" + cursor);
  EXPECT_EQ(bad.status, cursor.empty() ? 200 : 400) << "a cursor is bound to its filter";
}

TEST_F(scim_door_test, content_type_and_json_errors_are_invalid_syntax) {
  request r;
  r.method = "POST";
  r.target = "/scim/v2/Users";
  r.headers = {{"Authorization", "Bearer " + token_}, {"Content-Type", "text/plain"}};
  r.body = user("ct").dump();
  auto res = door_->handle(r);
  EXPECT_EQ(res.status, 400);
  EXPECT_EQ(parse(res)["scimType"], "invalidSyntax");
  r.headers[1].second = "application/scim+json; charset=utf-8";
  r.body = "{not json";
  res = door_->handle(r);
  EXPECT_EQ(res.status, 400);
  EXPECT_EQ(parse(res)["scimType"], "invalidSyntax");
  auto body = user("urn");
  body["schemas"].push_back("urn:example:unknown");
  EXPECT_EQ(parse(call("POST", "/Users", body))["scimType"], "invalidSyntax");
}

TEST_F(scim_door_test, deeply_nested_bodies_are_refused_before_parsing) {
  request r;
  r.method = "POST";
  r.target = "/scim/v2/Users";
  r.headers = {{"Authorization", "Bearer " + token_}, {"Content-Type", "application/scim+json"}};
  r.body = R"({"userName":"deep","x":)" + std::string(200000, '[') + std::string(200000, ']') + "}";
  auto res = door_->handle(r);
  EXPECT_EQ(res.status, 400);
  EXPECT_EQ(parse(res)["scimType"], "invalidSyntax");
  auto fails = audit_records("CreateUser");
  ASSERT_EQ(fails.size(), 1u) << "the refusal is audited, and the audit survives the body";
}

// The writes served asynchronously (issue 18 item 3): each answers exactly once, from its
// commit's completion posted to a worker (never at once, never on the writer), with the bytes
// handle() gives; the request is gone before the completion runs (the mutation and the answer
// use the call's own copies); each call is audited once.
TEST_F(scim_door_test, asynchronous_writes_answer_once_from_their_commit_like_handle) {
  service::testing::posted_work work;
  int posted = 0;
  auto call_async = [&](const std::string& method, const std::string& path, const json& body = nullptr,
                        std::vector<std::pair<std::string, std::string>> extra = {}) {
    std::optional<response> got;
    int answers = 0;
    {
      request r = make_request(method, path, body, std::move(extra));
      door_->handle_async(r, responder(
                                 [&](std::optional<response> x) {
                                   ++answers;
                                   got = std::move(x);
                                 },
                                 work.poster()));
    }
    if (!answers) {
      EXPECT_TRUE(work.run_one()) << method << " " << path << ": the commit's completion posts the answer";
      ++posted;
    }
    EXPECT_EQ(answers, 1) << method << " " << path;
    return got.value_or(response{});
  };
  auto header = [](const response& r, const std::string& name) {
    for (const auto& [k, v] : r.headers)
      if (k == name) return v;
    return std::string();
  };
  auto same = [&](const response& a, const response& b) {
    EXPECT_EQ(a.status, b.status);
    EXPECT_EQ(a.body, b.body);
    EXPECT_EQ(a.error_code, b.error_code);
  };

  // POST /Users: 201 with Location and ETag; a duplicate is handle()'s 409 uniqueness.
  auto created = call_async("POST", "/Users", user("alice"));
  ASSERT_EQ(created.status, 201) << created.body;
  std::string id = parse(created)["id"];
  EXPECT_EQ(header(created, "Location"), "https://idp.test:8443/scim/v2/Users/" + id);
  EXPECT_EQ(header(created, "ETag"), "W/\"1\"");
  EXPECT_EQ(parse(created)["userName"], "alice");
  same(call_async("POST", "/Users", user("ALICE")), call("POST", "/Users", user("ALICE")));

  // PATCH and PUT /Users: the mutation's own scimType kept; If-Match checked in the transaction.
  json patch = {{"schemas", {std::string(patch_op_urn)}},
                {"Operations", {{{"op", "replace"}, {"path", "displayName"}, {"value", "Alice A"}}}}};
  same(call_async("PATCH", "/Users/" + id, patch, {{"If-Match", "W/\"7\""}}),
       call("PATCH", "/Users/" + id, patch, {{"If-Match", "W/\"7\""}}));
  json bad_patch = {{"schemas", {std::string(patch_op_urn)}},
                    {"Operations", {{{"op", "replace"}, {"path", "userName"}, {"value", 7}}}}};
  auto bad = call_async("PATCH", "/Users/" + id, bad_patch);
  EXPECT_EQ(bad.status, 400) << bad.body;
  same(bad, call("PATCH", "/Users/" + id, bad_patch));
  auto patched = call_async("PATCH", "/Users/" + id, patch, {{"If-Match", "W/\"1\""}});
  ASSERT_EQ(patched.status, 200) << patched.body;
  EXPECT_EQ(header(patched, "ETag"), "W/\"2\"");
  same(patched, call("GET", "/Users/" + id));
  auto missing_name = user("alice");
  missing_name.erase("userName");
  same(call_async("PUT", "/Users/" + id, missing_name), call("PUT", "/Users/" + id, missing_name));
  auto put = call_async("PUT", "/Users/" + id, user("alicia"));
  ASSERT_EQ(put.status, 200) << put.body;
  same(put, call("GET", "/Users/" + id));

  // /Groups: POST with members, the IdP's PATCH member adds (204 with the ETag), PUT, DELETE.
  auto bob = create_user("bob"), carol = create_user("carol");
  auto g = call_async("POST", "/Groups", {{"displayName", "ops"}, {"members", {{{"value", id}}}}});
  ASSERT_EQ(g.status, 201) << g.body;
  std::string gid = parse(g)["id"];
  EXPECT_EQ(g.body, call("GET", "/Groups/" + gid).body);
  json add = {{"schemas", {std::string(patch_op_urn)}},
              {"Operations", {{{"op", "add"}, {"path", "members"}, {"value", {{{"value", bob}}, {{"value", carol}}}}}}}};
  auto added = call_async("PATCH", "/Groups/" + gid, add);
  EXPECT_EQ(added.status, 204) << added.body;
  EXPECT_EQ(header(added, "ETag"), "W/\"2\"");
  EXPECT_EQ(parse(call("GET", "/Groups/" + gid))["members"].size(), 3u);
  json unknown = {{"schemas", {std::string(patch_op_urn)}},
                  {"Operations", {{{"op", "add"}, {"path", "members"}, {"value", {{{"value", "9" + bob.substr(1)}}}}}}}};
  same(call_async("PATCH", "/Groups/" + gid, unknown), call("PATCH", "/Groups/" + gid, unknown));
  auto replaced = call_async("PUT", "/Groups/" + gid, {{"displayName", "ops"}, {"members", {{{"value", carol}}}}});
  ASSERT_EQ(replaced.status, 200) << replaced.body;
  same(replaced, call("GET", "/Groups/" + gid));
  EXPECT_EQ(parse(replaced)["members"].size(), 1u);
  same(call_async("DELETE", "/Groups/" + gid, nullptr, {{"If-Match", "W/\"1\""}}),
       call("DELETE", "/Groups/" + gid, nullptr, {{"If-Match", "W/\"1\""}}));
  EXPECT_EQ(call_async("DELETE", "/Groups/" + gid).status, 204);
  same(call_async("DELETE", "/Groups/" + gid), call("DELETE", "/Groups/" + gid));
  EXPECT_EQ(call_async("DELETE", "/Users/" + id).status, 204);
  EXPECT_EQ(call("GET", "/Users/" + id).status, 404);

  // Refused before any write: answered at once, as handle() does.
  same(call_async("POST", "/Users", json{{"userName", 5}}), call("POST", "/Users", json{{"userName", 5}}));
  EXPECT_EQ(call_async("GET", "/Users/" + bob).status, 200) << "a read answers at once";
  EXPECT_EQ(posted, 15) << "every call that reached the store answered from its commit";

  auto codes = [&](const std::string& event) {
    std::multiset<std::string> out;
    for (const auto& rec : audit_records(event)) out.insert(rec.value("errorCode", "ok"));
    return out;
  };
  using set = std::multiset<std::string>;
  EXPECT_EQ(codes("CreateGroup"), set{"ok"});
  EXPECT_EQ(codes("PatchGroup"), (set{"ok", "ValidationException", "ValidationException"}));
  EXPECT_EQ(codes("PutGroup"), set{"ok"});
  EXPECT_EQ(codes("DeleteGroup"), (set{"ok", "PreconditionFailedException", "PreconditionFailedException",
                                        "ResourceNotFoundException", "ResourceNotFoundException"}));
  EXPECT_EQ(codes("PatchUser"), (set{"ok", "PreconditionFailedException", "PreconditionFailedException",
                                     "ValidationException", "ValidationException"}));
}

}  // namespace atrium::proto::scim
