// Store pieces SCIM needs: bearer-token rows, lean member lookups, filtered counts and
// offsets, membership filters.
#include <gtest/gtest.h>

#include "backend_fixture.hpp"

namespace atrium::store::test {

using scim_repositories = store_test;

namespace {
domain::membership member(const std::string& id, const std::string& g, const std::string& m, domain::member_kind k) {
  return {id, g, m, k, {}};
}
}  // namespace

TEST_P(scim_repositories, tokens_round_trip_touch_and_remove) {
  scim_token_record t{"scimtok-1", "ab12", from_epoch_millis(1000), from_epoch_millis(9000), std::nullopt, "arn:x"};
  ASSERT_TRUE(db_->write([&](transaction& tx) { return tx.scim_tokens().insert(t); }));
  auto got = read_value(*db_, [](transaction& tx) { return tx.scim_tokens().get("scimtok-1"); });
  ASSERT_TRUE(got && *got);
  EXPECT_EQ((*got)->secret_hash, "ab12");
  EXPECT_FALSE((*got)->last_used_at);
  ASSERT_TRUE(db_->write([](transaction& tx) { return tx.scim_tokens().touch("scimtok-1", from_epoch_millis(5000)); }));
  auto listed = read_value(*db_, [](transaction& tx) { return tx.scim_tokens().list(); });
  ASSERT_TRUE(listed);
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ(listed->front().last_used_at, from_epoch_millis(5000));
  auto removed = write_value(*db_, [](transaction& tx) { return tx.scim_tokens().remove("scimtok-1"); });
  ASSERT_TRUE(removed);
  EXPECT_TRUE(*removed);
  auto again = write_value(*db_, [](transaction& tx) { return tx.scim_tokens().remove("scimtok-1"); });
  ASSERT_TRUE(again);
  EXPECT_FALSE(*again);
}

TEST_P(scim_repositories, member_lookups_filters_counts_and_offsets) {
  for (auto id : {"u1", "u2", "u3"}) ASSERT_TRUE(insert(make_user(id, std::string("name-") + id)));
  ASSERT_TRUE(insert(make_group("g1", "one")));
  ASSERT_TRUE(insert(make_group("g2", "two")));
  ASSERT_TRUE(db_->write([](transaction& tx) -> result<void> {
    for (auto m : {member("m1", "g1", "u1", domain::member_kind::user), member("m2", "g1", "g2", domain::member_kind::group),
                   member("m3", "g2", "u2", domain::member_kind::user), member("m4", "g2", "u3", domain::member_kind::user)})
      if (auto r = tx.memberships().insert(m); !r) return r;
    return {};
  }));
  auto members = read_value(*db_, [](transaction& tx) { return tx.memberships().members_of("g1"); });
  ASSERT_TRUE(members);
  EXPECT_EQ(*members, (std::vector<member_ref>{{"u1", domain::member_kind::user}, {"g2", domain::member_kind::group}}));
  auto groups = read_value(*db_, [](transaction& tx) { return tx.memberships().groups_of("g2"); });
  ASSERT_TRUE(groups);
  EXPECT_EQ(*groups, std::vector<std::string>{"g1"});

  user_filter in_g2;
  in_g2.member_of_any = std::vector<std::string>{"g2"};
  auto n = read_value(*db_, [&](transaction& tx) { return tx.users().count_matching(in_g2); });
  ASSERT_TRUE(n);
  EXPECT_EQ(*n, 2);
  auto second = read_value(*db_, [&](transaction& tx) { return tx.users().list(in_g2, {"", 10, 1}); });
  ASSERT_TRUE(second);
  ASSERT_EQ(second->items.size(), 1u);
  EXPECT_EQ(second->items[0].id, "u3") << "offset 1 skips the first match";
  user_filter none;
  none.member_of_any = std::vector<std::string>{};
  auto zero = read_value(*db_, [&](transaction& tx) { return tx.users().count_matching(none); });
  ASSERT_TRUE(zero);
  EXPECT_EQ(*zero, 0) << "an empty group list matches nothing";

  group_filter with_u2;
  with_u2.member_id = "u2";
  auto gs = read_value(*db_, [&](transaction& tx) { return tx.groups().list(with_u2, {}); });
  ASSERT_TRUE(gs);
  ASSERT_EQ(gs->items.size(), 1u);
  EXPECT_EQ(gs->items[0].id, "g2");

  auto removed = write_value(*db_, [](transaction& tx) { return tx.memberships().remove_pair("g2", "u2"); });
  ASSERT_TRUE(removed && *removed);
  auto cleared = write_value(*db_, [](transaction& tx) { return tx.memberships().remove_all_members("g1"); });
  ASSERT_TRUE(cleared);
  EXPECT_EQ(*cleared, 2);
}

TEST_P(scim_repositories, counts_follow_inserts_and_deletes) {
  for (auto id : {"a", "b", "c"}) ASSERT_TRUE(insert(make_user(id, id)));
  ASSERT_TRUE(insert(make_group("g", "g")));
  EXPECT_EQ(user_count(), 3);
  ASSERT_TRUE(write_value(*db_, [](transaction& tx) { return tx.users().remove("b"); }));
  EXPECT_EQ(user_count(), 2);
  EXPECT_FALSE(insert(make_user("d", "A"))) << "a refused insert is not counted";
  EXPECT_EQ(user_count(), 2);
  auto groups = read_value(*db_, [](transaction& tx) { return tx.groups().count(); });
  ASSERT_TRUE(groups);
  EXPECT_EQ(*groups, 1);
}

ATRIUM_ON_BOTH_BACKENDS(scim_repositories);

}  // namespace atrium::store::test
