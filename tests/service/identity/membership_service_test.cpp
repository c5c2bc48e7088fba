// Memberships of the identity store: one per (group, user), the member quota, lookups, the
// membership checks and the effective membership through nested groups.
#include "service/identity/membership_service.hpp"

#include "identity_fixture.hpp"

namespace atrium::service {

using membership_service_test = testing::identity_fixture;

TEST_F(membership_service_test, one_membership_per_pair_and_the_member_quota) {
  auto& m = ids_->memberships;
  auto a = ids_->users.create_user(ctx_, user("alice"));
  auto b = ids_->users.create_user(ctx_, user("bob"));
  auto c = ids_->users.create_user(ctx_, user("carol"));
  auto g = ids_->groups.create_group(ctx_, group("ops"));
  ASSERT_TRUE(a && b && c && g);
  auto first = m.create_membership(ctx_, g->id, a->id);
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(m.create_membership(ctx_, g->id, a->id).error().code, errc::conflict);
  ASSERT_TRUE(m.create_membership(ctx_, g->id, b->id));
  EXPECT_EQ(m.create_membership(ctx_, g->id, c->id).error().code, errc::quota_exceeded);
  EXPECT_EQ(*m.get_membership_id(ctx_, g->id, a->id), first->id);
  EXPECT_EQ(m.describe_membership(ctx_, first->id)->member_id, a->id);
  ASSERT_TRUE(m.delete_membership(ctx_, first->id));
  EXPECT_EQ(m.describe_membership(ctx_, first->id).error().code, errc::not_found);
}

TEST_F(membership_service_test, checks_and_effective_groups_through_nesting) {
  auto& m = ids_->memberships;
  auto a = ids_->users.create_user(ctx_, user("alice"));
  auto inner = ids_->groups.create_group(ctx_, group("inner"));
  ASSERT_TRUE(a && inner);
  auto outer = ids_->groups.create_group_with_members(ctx_, group("outer"), {inner->id});
  ASSERT_TRUE(outer) << outer.error().message;
  ASSERT_TRUE(m.create_membership(ctx_, inner->id, a->id));
  auto checks = m.is_member_in_groups(ctx_, a->id, {inner->id, outer->group.id});
  ASSERT_TRUE(checks);
  ASSERT_EQ(checks->size(), 2u);
  EXPECT_TRUE((*checks)[0].exists);
  EXPECT_FALSE((*checks)[1].exists) << "the check is about direct memberships";
  auto effective = m.effective_groups_of(ctx_, a->id);
  ASSERT_TRUE(effective);
  EXPECT_EQ(effective->size(), 2u);
  auto members = m.effective_members_of(ctx_, outer->group.id);
  ASSERT_TRUE(members);
  EXPECT_EQ(*members, std::vector<std::string>{a->id});
}

TEST_F(membership_service_test, delete_membership_then_answers_through_the_post_like_delete_membership) {
  auto& ms = ids_->memberships;
  testing::posted_work work;
  auto a = ids_->users.create_user(ctx_, user("alice"));
  auto g = ids_->groups.create_group(ctx_, group("ops"));
  ASSERT_TRUE(a && g);
  auto m = ms.create_membership(ctx_, g->id, a->id);
  ASSERT_TRUE(m) << m.error().message;
  auto remove = [&](const std::string& id) {
    return work.answer<std::monostate>([&](auto post, auto done) { ms.delete_membership_then(ctx_, id, post, done); });
  };
  auto records = audit_count();
  ASSERT_TRUE(remove(m->id));
  EXPECT_EQ(audit_count(), records + 1) << "its CloudTrail record committed with it";
  EXPECT_EQ(ms.describe_membership(ctx_, m->id).error().code, errc::not_found);
  EXPECT_EQ(remove(m->id).error().code, errc::not_found) << "the body's own check, answered through the post";
}

}  // namespace atrium::service
