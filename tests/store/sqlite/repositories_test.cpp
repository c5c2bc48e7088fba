// The SQLite repositories: round trips, uniqueness, optimistic versions, keyset pages,
// filters, memberships, audit queries, access keys and settings.
#include "store/sqlite/repositories.hpp"

#include <algorithm>
#include <cstdio>
#include <set>

#include "base/conflict.hpp"
#include "sqlite_fixture.hpp"

// Filters and queries below name only the fields a test sets (designated initializers); g++ 12
// would otherwise warn about every field left at its default.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace atrium::store::sqlite::test {

namespace {

std::string numbered(const char* prefix, int i) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%s%04d", prefix, i);
  return buf;
}

void expect_conflict(const result<void>& r, const std::string& message) {
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, errc::conflict) << r.error().message;
  EXPECT_EQ(r.error().message, message);
  // A uniqueness violation, as the identitystore API's Reason says (base/conflict.hpp).
  EXPECT_TRUE(is_uniqueness_violation(r.error())) << message;
}

using repositories = sqlite_test;

}  // namespace

// ---- users and groups ----------------------------------------------------------------------

TEST_F(repositories, user_round_trip_keeps_every_attribute) {
  auto u = make_user("u1", "Alice", "alice@example.com");
  u.external_ids = {{"okta", "00u1"}, {"azure", "a-1"}};
  u.user_name_parts = domain::name{"Alice Liddell", "Liddell", "Alice", std::nullopt, "Ms", std::nullopt};
  u.nick_name = "al";
  u.title = "Dr";
  u.locale = "en-GB";
  u.enterprise_ext = domain::enterprise{};
  u.enterprise_ext->department = "R&D";
  u.enterprise_ext->manager = "u0";
  u.addresses = {domain::address{"1 Main", "Town", "R", "123", "US", "1 Main, Town", "work", true}};
  u.phone_numbers = {domain::phone_number{"+1 555", "work", std::nullopt}};
  u.active = false;
  u.version = 4;
  u.stamp = {from_epoch_millis(1000), "arn:a", from_epoch_millis(2000), "arn:b", domain::door::scim,
             domain::door::console};
  ASSERT_TRUE(insert(u));
  auto back = get_user("u1");
  ASSERT_TRUE(back);
  EXPECT_EQ(back->user_name, "Alice");
  EXPECT_EQ(back->user_name_parts, u.user_name_parts);
  EXPECT_EQ(back->nick_name, u.nick_name);
  EXPECT_EQ(back->title, u.title);
  EXPECT_EQ(back->locale, u.locale);
  EXPECT_EQ(back->emails, u.emails);
  EXPECT_EQ(back->addresses, u.addresses);
  EXPECT_EQ(back->phone_numbers, u.phone_numbers);
  EXPECT_EQ(back->external_ids, u.external_ids);
  EXPECT_EQ(back->enterprise_ext, u.enterprise_ext);
  EXPECT_FALSE(back->active);
  EXPECT_EQ(back->version, 4);
  EXPECT_EQ(back->stamp.updated_at, from_epoch_millis(2000));
  EXPECT_EQ(back->stamp.created_via, domain::door::scim);
  EXPECT_EQ(back->stamp.updated_via, domain::door::console);
  EXPECT_FALSE(get_user("nobody"));
}

TEST_F(repositories, group_round_trip) {
  auto g = make_group("g1", "Ops");
  g.description = "on call";
  g.external_ids = {{"okta", "g-1"}};
  ASSERT_TRUE(insert(g));
  auto back = read_value(*db_, [](transaction& tx) { return tx.groups().get("g1"); });
  ASSERT_TRUE(back && *back);
  EXPECT_EQ((*back)->display_name, "Ops");
  EXPECT_EQ((*back)->description, "on call");
  EXPECT_EQ((*back)->external_ids, g.external_ids);
  auto none = read_value(*db_, [](transaction& tx) { return tx.groups().get("nope"); });
  ASSERT_TRUE(none);
  EXPECT_FALSE(*none);
}

TEST_F(repositories, user_uniqueness_conflicts_name_the_attribute) {
  ASSERT_TRUE(insert(make_user("u1", "alice", "a@x.io")));
  expect_conflict(insert(make_user("u2", "ALICE")), "Duplicate UserName");
  expect_conflict(insert(make_user("u3", "bob", "A@X.IO")), "Duplicate primary email");
  // Users without a primary email do not collide with each other (several NULLs).
  ASSERT_TRUE(insert(make_user("u4", "carol")));
  ASSERT_TRUE(insert(make_user("u5", "dave")));
  auto a = make_user("u6", "erin");
  a.external_ids = {{"okta", "same"}};
  auto b = make_user("u7", "frank");
  b.external_ids = {{"okta", "same"}};
  ASSERT_TRUE(insert(a));
  expect_conflict(insert(b), "Duplicate ExternalId");
  EXPECT_FALSE(get_user("u7")) << "a failed write leaves nothing behind";
  b.external_ids = {{"azure", "same"}};  // same id from another issuer is another identity
  EXPECT_TRUE(insert(b));
  auto dup_id = insert(make_user("u1", "someone-else"));
  ASSERT_FALSE(dup_id);
  EXPECT_EQ(dup_id.error().code, errc::conflict);
  EXPECT_TRUE(is_uniqueness_violation(dup_id.error())) << "a duplicate primary key too";
}

TEST_F(repositories, group_uniqueness_conflicts_name_the_attribute) {
  auto g = make_group("g1", "Ops");
  g.external_ids = {{"okta", "x"}};
  ASSERT_TRUE(insert(g));
  expect_conflict(insert(make_group("g2", "OPS")), "Duplicate DisplayName");
  auto h = make_group("g3", "Dev");
  h.external_ids = {{"okta", "x"}};
  expect_conflict(insert(h), "Duplicate ExternalId");
  // External ids are unique per kind: a user may carry the same one as a group.
  auto u = make_user("u1", "alice");
  u.external_ids = {{"okta", "x"}};
  EXPECT_TRUE(insert(u));
}

TEST_F(repositories, updates_check_uniqueness_and_replace_external_ids) {
  auto alice = make_user("u1", "alice", "a@x.io");
  alice.external_ids = {{"okta", "1"}};
  ASSERT_TRUE(insert(alice));
  ASSERT_TRUE(insert(make_user("u2", "bob", "b@x.io")));
  auto bob = *get_user("u2");
  bob.user_name = "Alice";
  expect_conflict(db_->write([&](transaction& tx) { return tx.users().update(bob, 1); }), "Duplicate UserName");
  bob.user_name = "bob";
  bob.external_ids = {{"okta", "1"}};
  expect_conflict(db_->write([&](transaction& tx) { return tx.users().update(bob, 1); }), "Duplicate ExternalId");
  // Alice moves to a new external id: the old one is free for Bob.
  alice.external_ids = {{"okta", "2"}};
  alice.version = 2;
  ASSERT_TRUE(db_->write([&](transaction& tx) { return tx.users().update(alice, 1); }));
  bob.version = 2;
  ASSERT_TRUE(db_->write([&](transaction& tx) { return tx.users().update(bob, 1); }));
  auto by_ext = read_value(*db_, [](transaction& tx) {
    return tx.users().list({.external_id = domain::external_id{"okta", "1"}}, {});
  });
  ASSERT_TRUE(by_ext);
  ASSERT_EQ(by_ext->items.size(), 1u);
  EXPECT_EQ(by_ext->items[0].id, "u2");
}

TEST_F(repositories, remove_frees_every_unique_key) {
  auto u = make_user("u1", "alice", "a@x.io");
  u.external_ids = {{"okta", "1"}};
  ASSERT_TRUE(insert(u));
  auto removed = write_value(*db_, [](transaction& tx) { return tx.users().remove("u1"); });
  ASSERT_TRUE(removed);
  EXPECT_TRUE(*removed);
  auto again = write_value(*db_, [](transaction& tx) { return tx.users().remove("u1"); });
  ASSERT_TRUE(again);
  EXPECT_FALSE(*again);
  u.id = "u2";
  EXPECT_TRUE(insert(u)) << "name, email and external id are free again";

  auto g = make_group("g1", "Ops");
  g.external_ids = {{"okta", "g"}};
  ASSERT_TRUE(insert(g));
  ASSERT_TRUE(write_value(*db_, [](transaction& tx) { return tx.groups().remove("g1"); }));
  g.id = "g2";
  EXPECT_TRUE(insert(g));
}

TEST_F(repositories, optimistic_versions) {
  auto u = make_user("u1", "alice");
  ASSERT_TRUE(insert(u));
  u.version = 2;
  ASSERT_TRUE(db_->write([&](transaction& tx) { return tx.users().update(u, 1); }));
  EXPECT_EQ(get_user("u1")->version, 2);
  u.version = 3;
  auto stale = db_->write([&](transaction& tx) { return tx.users().update(u, 1); });
  ASSERT_FALSE(stale);
  EXPECT_EQ(stale.error().code, errc::concurrent_modification);
  auto missing = db_->write([&](transaction& tx) { return tx.users().update(make_user("nope", "x"), 1); });
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, errc::not_found);

  auto g = make_group("g1", "Ops");
  ASSERT_TRUE(insert(g));
  g.version = 2;
  g.display_name = "Ops2";
  ASSERT_TRUE(db_->write([&](transaction& tx) { return tx.groups().update(g, 1); }));
  auto stale_group = db_->write([&](transaction& tx) { return tx.groups().update(g, 1); });
  ASSERT_FALSE(stale_group);
  EXPECT_EQ(stale_group.error().code, errc::concurrent_modification);
  auto gone = db_->write([&](transaction& tx) { return tx.groups().update(make_group("g9", "x"), 1); });
  ASSERT_FALSE(gone);
  EXPECT_EQ(gone.error().code, errc::not_found);
}

TEST_F(repositories, keyset_pages_are_stable_under_inserts_and_deletes) {
  ASSERT_TRUE(db_->write([](transaction& tx) -> result<void> {
    for (int i = 0; i < 260; ++i)
      if (auto r = tx.users().insert(make_user(numbered("id", i * 2), numbered("user", i * 2))); !r) return r;
    return {};
  }));
  std::vector<std::string> seen;
  std::string after;
  for (int pageno = 0;; ++pageno) {
    auto p = read_value(*db_, [&](transaction& tx) { return tx.users().list({}, {after, 50}); });
    ASSERT_TRUE(p);
    ASSERT_LE(p->items.size(), 50u);
    for (auto& u : p->items) seen.push_back(u.id);
    if (pageno == 1) {  // between pages: delete ahead and behind, insert behind and ahead
      ASSERT_TRUE(write_value(*db_, [](transaction& tx) { return tx.users().remove("id0400"); }));
      ASSERT_TRUE(write_value(*db_, [](transaction& tx) { return tx.users().remove("id0002"); }));
      ASSERT_TRUE(insert(make_user("id0001", "behind")));
      ASSERT_TRUE(insert(make_user("id0401", "ahead")));
    }
    if (!p->more) break;
    after = p->items.back().id;
  }
  std::set<std::string> unique(seen.begin(), seen.end());
  EXPECT_EQ(unique.size(), seen.size()) << "nothing repeated";
  EXPECT_TRUE(std::is_sorted(seen.begin(), seen.end()));
  EXPECT_FALSE(unique.contains("id0400"));
  EXPECT_FALSE(unique.contains("id0001")) << "inserted behind the cursor";
  EXPECT_TRUE(unique.contains("id0002")) << "deleted after it was listed";
  EXPECT_TRUE(unique.contains("id0401"));
  for (int i = 0; i < 260; ++i) {
    if (i == 200) continue;  // id0400, deleted
    EXPECT_TRUE(unique.contains(numbered("id", i * 2))) << "nothing skipped";
  }
  EXPECT_EQ(seen.size(), 260u) << "259 originals left + the one inserted ahead";
}

TEST_F(repositories, exact_page_boundaries) {
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(insert(make_user(numbered("u", i), numbered("n", i))));
  auto full = read_value(*db_, [](transaction& tx) { return tx.users().list({}, {"", 4}); });
  ASSERT_TRUE(full);
  EXPECT_EQ(full->items.size(), 4u);
  EXPECT_FALSE(full->more) << "exactly limit rows: no further page";
  auto two = read_value(*db_, [](transaction& tx) { return tx.users().list({}, {"u0001", 2}); });
  ASSERT_TRUE(two);
  ASSERT_EQ(two->items.size(), 2u);
  EXPECT_EQ(two->items[0].id, "u0002");
  EXPECT_FALSE(two->more);
  auto zero = read_value(*db_, [](transaction& tx) { return tx.users().list({}, {"", 0}); });
  ASSERT_TRUE(zero);
  EXPECT_EQ(zero->items.size(), 1u) << "a limit below 1 reads one row rather than looping forever";
}

TEST_F(repositories, user_filters_are_anded) {
  auto a = make_user("u1", "Alice", "alice@x.io");
  a.external_ids = {{"okta", "1"}};
  a.enterprise_ext = domain::enterprise{};
  a.enterprise_ext->manager = "u9";
  ASSERT_TRUE(insert(a));
  auto b = make_user("u2", "bob", "bob@x.io");
  b.enterprise_ext = domain::enterprise{};
  b.enterprise_ext->manager = "u9";
  ASSERT_TRUE(insert(b));
  auto ids = [&](const user_filter& f) {
    std::vector<std::string> out;
    auto p = read_value(*db_, [&](transaction& tx) { return tx.users().list(f, {}); });
    EXPECT_TRUE(p);
    if (p)
      for (auto& u : p->items) out.push_back(u.id);
    return out;
  };
  using v = std::vector<std::string>;
  EXPECT_EQ(ids({}), (v{"u1", "u2"}));
  EXPECT_EQ(ids({.id = "u2"}), v{"u2"});
  EXPECT_EQ(ids({.user_name_key = "alice"}), v{"u1"});
  EXPECT_EQ(ids({.email_key = "bob@x.io"}), v{"u2"});
  EXPECT_EQ(ids({.external_id = domain::external_id{"okta", "1"}}), v{"u1"});
  EXPECT_EQ(ids({.external_id = domain::external_id{"azure", "1"}}), v{});
  EXPECT_EQ(ids({.manager_id = "u9"}), (v{"u1", "u2"}));
  EXPECT_EQ(ids({.user_name_key = "alice", .manager_id = "u9"}), v{"u1"});
  EXPECT_EQ(ids({.user_name_key = "bob", .external_id = domain::external_id{"okta", "1"}}), v{});
  EXPECT_EQ(ids({.id = "u1", .email_key = "bob@x.io"}), v{});
}

TEST_F(repositories, group_filters_are_anded) {
  auto g = make_group("g1", "Ops");
  g.external_ids = {{"okta", "1"}};
  ASSERT_TRUE(insert(g));
  ASSERT_TRUE(insert(make_group("g2", "Dev")));
  auto ids = [&](const group_filter& f) {
    std::vector<std::string> out;
    auto p = read_value(*db_, [&](transaction& tx) { return tx.groups().list(f, {}); });
    EXPECT_TRUE(p);
    if (p)
      for (auto& x : p->items) out.push_back(x.id);
    return out;
  };
  using v = std::vector<std::string>;
  EXPECT_EQ(ids({}), (v{"g1", "g2"}));
  EXPECT_EQ(ids({.display_name_key = "dev"}), v{"g2"});
  EXPECT_EQ(ids({.external_id = domain::external_id{"okta", "1"}}), v{"g1"});
  EXPECT_EQ(ids({.id = "g2", .external_id = domain::external_id{"okta", "1"}}), v{});
  auto n = read_value(*db_, [](transaction& tx) { return tx.groups().count(); });
  ASSERT_TRUE(n);
  EXPECT_EQ(*n, 2);
}

// ---- memberships -----------------------------------------------------------------------------

TEST_F(repositories, memberships_find_list_count_and_conflict) {
  ASSERT_TRUE(insert(make_group("g1", "Ops")));
  ASSERT_TRUE(db_->write([](transaction& tx) -> result<void> {
    for (int i = 0; i < 120; ++i)
      if (auto r = tx.memberships().insert(make_membership(numbered("m", i), "g1", numbered("u", i))); !r) return r;
    return tx.memberships().insert({"x1", "g1", "g2", domain::member_kind::group, {}});
  }));
  expect_conflict(db_->write([](transaction& tx) { return tx.memberships().insert(make_membership("m999", "g1", "u0007")); }),
                  "Membership already exists");
  auto found = read_value(*db_, [](transaction& tx) { return tx.memberships().find("g1", "u0007"); });
  ASSERT_TRUE(found && *found);
  EXPECT_EQ((*found)->id, "m0007");
  auto nested = read_value(*db_, [](transaction& tx) { return tx.memberships().get("x1"); });
  ASSERT_TRUE(nested && *nested);
  EXPECT_EQ((*nested)->kind, domain::member_kind::group);
  auto count = read_value(*db_, [](transaction& tx) { return tx.memberships().count_for_group("g1"); });
  ASSERT_TRUE(count);
  EXPECT_EQ(*count, 121);

  std::set<std::string> seen;
  page_request pr{"", 50};
  for (;;) {
    auto p = read_value(*db_, [&](transaction& tx) { return tx.memberships().list_by_group("g1", pr); });
    ASSERT_TRUE(p);
    for (auto& m : p->items) EXPECT_TRUE(seen.insert(m.id).second);
    if (!p->more) break;
    pr.after_id = p->items.back().id;
  }
  EXPECT_EQ(seen.size(), 120u) << "list_by_group names user members only (the nested group x1 is not one)";
  EXPECT_FALSE(seen.contains("x1"));
  auto by_member = read_value(*db_, [](transaction& tx) { return tx.memberships().list_by_member("u0042", {}); });
  ASSERT_TRUE(by_member);
  ASSERT_EQ(by_member->items.size(), 1u);
  EXPECT_EQ(by_member->items[0].group_id, "g1");

  auto removed = write_value(*db_, [](transaction& tx) { return tx.memberships().remove("m0042"); });
  ASSERT_TRUE(removed);
  EXPECT_TRUE(*removed);
  auto again = write_value(*db_, [](transaction& tx) { return tx.memberships().remove("m0042"); });
  ASSERT_TRUE(again);
  EXPECT_FALSE(*again);
}

TEST_F(repositories, memberships_cascade_and_remove_all_for) {
  ASSERT_TRUE(db_->write([](transaction& tx) -> result<void> {
    for (auto* g : {"g1", "g2", "g3"})
      if (auto r = tx.groups().insert(make_group(g, g)); !r) return r;
    if (auto r = tx.memberships().insert(make_membership("m1", "g1", "u1")); !r) return r;
    if (auto r = tx.memberships().insert(make_membership("m2", "g2", "u1")); !r) return r;
    if (auto r = tx.memberships().insert(make_membership("m3", "g2", "u2")); !r) return r;
    if (auto r = tx.memberships().insert({"m4", "g3", "g2", domain::member_kind::group, {}}); !r) return r;
    return tx.memberships().insert(make_membership("m5", "g3", "u3"));
  }));
  auto n = write_value(*db_, [](transaction& tx) { return tx.memberships().remove_all_for("u1"); });
  ASSERT_TRUE(n);
  EXPECT_EQ(*n, 2);
  // g2 is a group (m3) and a member (m4): both sides go.
  auto m = write_value(*db_, [](transaction& tx) { return tx.memberships().remove_all_for("g2"); });
  ASSERT_TRUE(m);
  EXPECT_EQ(*m, 2);
  // Deleting a group deletes its memberships (ON DELETE CASCADE).
  ASSERT_TRUE(write_value(*db_, [](transaction& tx) { return tx.groups().remove("g3"); }));
  auto left = read_value(*db_, [](transaction& tx) { return tx.memberships().get("m5"); });
  ASSERT_TRUE(left);
  EXPECT_FALSE(*left);
  auto count = read_value(*db_, [](transaction& tx) { return tx.memberships().count_for_group("g3"); });
  ASSERT_TRUE(count);
  EXPECT_EQ(*count, 0);
}

TEST_F(repositories, membership_of_a_missing_group_is_refused_but_not_as_a_duplicate) {
  auto r = db_->write([](transaction& tx) { return tx.memberships().insert(make_membership("m1", "nope", "u1")); });
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, errc::internal) << "a foreign key failure is a caller bug, not a conflict";
}

// ---- audit -----------------------------------------------------------------------------------

TEST_F(repositories, audit_query_filters_are_anded_newest_first) {
  ASSERT_TRUE(db_->write([](transaction& tx) -> result<void> {
    for (int i = 1; i <= 30; ++i) {
      audit_record r{numbered("e", i), from_epoch_millis(i * 1000), i % 2 ? "CreateUser" : "ListUsers",
                     "identitystore.amazonaws.com", i % 3 ? "arn:alice" : "arn:bob", i % 2 == 0,
                     i == 7 ? "ConflictException" : "", "{\"n\":" + std::to_string(i) + "}"};
      if (auto a = tx.audit().append(r); !a) return a;
    }
    return {};
  }));
  auto q = [&](audit_query query) {
    std::vector<std::string> ids;
    auto r = read_value(*db_, [&](transaction& tx) { return tx.audit().query(query); });
    EXPECT_TRUE(r);
    if (r)
      for (auto& x : *r) ids.push_back(x.event_id);
    return ids;
  };
  using v = std::vector<std::string>;
  auto all = q({});
  ASSERT_EQ(all.size(), 30u);
  EXPECT_EQ(all.front(), "e0030");
  EXPECT_EQ(all.back(), "e0001");
  EXPECT_EQ(q({.limit = 3}), (v{"e0030", "e0029", "e0028"}));
  EXPECT_EQ(q({.limit = 0}), v{});
  EXPECT_EQ(q({.principal = "arn:bob", .limit = 2}), (v{"e0030", "e0027"}));
  EXPECT_EQ(q({.since = from_epoch_millis(5000), .until = from_epoch_millis(7000)}), (v{"e0007", "e0006", "e0005"}))
      << "bounds are inclusive";
  EXPECT_EQ(q({.event_name = "CreateUser", .principal = "arn:bob", .until = from_epoch_millis(20000)}),
            (v{"e0015", "e0009", "e0003"}));
  auto seventh = read_value(*db_, [](transaction& tx) { return tx.audit().query({.since = from_epoch_millis(7000), .until = from_epoch_millis(7000)}); });
  ASSERT_TRUE(seventh);
  ASSERT_EQ(seventh->size(), 1u);
  const auto& r = (*seventh)[0];
  EXPECT_EQ(r.event_name, "CreateUser");
  EXPECT_EQ(r.event_source, "identitystore.amazonaws.com");
  EXPECT_EQ(r.principal, "arn:alice");
  EXPECT_FALSE(r.read_only);
  EXPECT_EQ(r.error_code, "ConflictException");
  EXPECT_EQ(r.json, "{\"n\":7}");
  EXPECT_EQ(r.event_time, from_epoch_millis(7000));
}

// ---- access keys and settings ----------------------------------------------------------------

TEST_F(repositories, access_keys) {
  access_key_record k{"AKIA1", "sealed", "admin", "Active", true, from_epoch_millis(5)};
  ASSERT_TRUE(db_->write([&](transaction& tx) { return tx.access_keys().insert(k); }));
  expect_conflict(db_->write([&](transaction& tx) { return tx.access_keys().insert(k); }),
                  "The resource already exists.");
  auto got = read_value(*db_, [](transaction& tx) { return tx.access_keys().get("AKIA1"); });
  ASSERT_TRUE(got && *got);
  EXPECT_EQ((*got)->secret_ciphertext, "sealed");
  EXPECT_TRUE((*got)->read_only);
  EXPECT_EQ((*got)->created_at, from_epoch_millis(5));
  auto set = write_value(*db_, [](transaction& tx) { return tx.access_keys().set_status("AKIA1", "Inactive"); });
  ASSERT_TRUE(set);
  EXPECT_TRUE(*set);
  auto unknown = write_value(*db_, [](transaction& tx) { return tx.access_keys().set_status("AKIA9", "Inactive"); });
  ASSERT_TRUE(unknown);
  EXPECT_FALSE(*unknown);
  auto bad = write_value(*db_, [](transaction& tx) { return tx.access_keys().set_status("AKIA1", "Sideways"); });
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, errc::internal) << "a CHECK failure is not a uniqueness conflict";
  auto all = read_value(*db_, [](transaction& tx) { return tx.access_keys().list(); });
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 1u);
  EXPECT_EQ((*all)[0].status, "Inactive");
}

TEST_F(repositories, settings) {
  auto none = read_value(*db_, [](transaction& tx) { return tx.settings().get("k"); });
  ASSERT_TRUE(none);
  EXPECT_FALSE(*none);
  ASSERT_TRUE(db_->write([](transaction& tx) { return tx.settings().put("k", "1"); }));
  ASSERT_TRUE(db_->write([](transaction& tx) { return tx.settings().put("k", "2"); }));
  auto v = read_value(*db_, [](transaction& tx) { return tx.settings().get("k"); });
  ASSERT_TRUE(v && *v);
  EXPECT_EQ(**v, "2");
}

}  // namespace atrium::store::sqlite::test
