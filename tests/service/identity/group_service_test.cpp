// Groups of the identity store: members given at creation (all or nothing), PATCH-style member
// changes with the version bump, listings and deletion.
#include "service/identity/group_service.hpp"

#include "identity_fixture.hpp"

namespace atrium::service {

using group_service_test = testing::identity_fixture;

TEST_F(group_service_test, a_group_with_an_unknown_member_is_not_created) {
  auto& groups = ids_->groups;
  auto a = ids_->users.create_user(ctx_, user("alice"));
  ASSERT_TRUE(a);
  auto made = groups.create_group_with_members(ctx_, group("ops"), {a->id});
  ASSERT_TRUE(made) << made.error().message;
  ASSERT_EQ(made->members.size(), 1u);
  auto refused = groups.create_group_with_members(ctx_, group("dev"), {"9067e2d4a1-00000000-0000-0000-0000-000000000000"});
  EXPECT_FALSE(refused);
  auto listed = groups.list_groups(ctx_, {}, std::nullopt, 10);
  ASSERT_TRUE(listed);
  EXPECT_EQ(listed->items.size(), 1u) << "the refused group left nothing behind";
}

TEST_F(group_service_test, member_changes_bump_the_version) {
  auto& groups = ids_->groups;
  auto a = ids_->users.create_user(ctx_, user("alice"));
  auto g = groups.create_group(ctx_, group("ops"));
  ASSERT_TRUE(a && g);
  auto add = [&](const domain::group& current) -> result<group_edit> {
    return group_edit{current, {member_change{member_change::kind::add, {a->id}}}};
  };
  auto v = groups.modify_group(ctx_, g->id, add, std::nullopt, {});
  ASSERT_TRUE(v) << v.error().message;
  EXPECT_EQ(v->members.size(), 1u);
  EXPECT_GT(v->group.version, g->version);
}

TEST_F(group_service_test, update_get_id_and_delete) {
  auto& groups = ids_->groups;
  auto g = groups.create_group(ctx_, group("ops"));
  ASSERT_TRUE(g);
  ASSERT_TRUE(groups.update_group(ctx_, g->id, [](domain::group& x) -> result<void> {
    x.description = "runs things";
    return {};
  }));
  EXPECT_EQ(*groups.describe_group(ctx_, g->id)->description, "runs things");
  alternate_identifier by_name{std::nullopt, "displayName", "OPS"};
  EXPECT_EQ(*groups.get_group_id(ctx_, by_name), g->id);
  ASSERT_TRUE(groups.delete_group(ctx_, g->id));
  EXPECT_EQ(groups.describe_group(ctx_, g->id).error().code, errc::not_found);
}

TEST_F(group_service_test, create_and_delete_group_then_answer_through_the_post_like_the_calls) {
  auto& groups = ids_->groups;
  testing::posted_work work;
  auto create = [&](const std::string& name) {
    return work.answer<domain::group>([&](auto post, auto done) { groups.create_group_then(ctx_, group(name), post, done); });
  };
  auto remove = [&](const std::string& id) {
    return work.answer<std::monostate>([&](auto post, auto done) { groups.delete_group_then(ctx_, id, post, done); });
  };
  auto records = audit_count();
  auto g = create("ops");
  ASSERT_TRUE(g) << g.error().message;
  EXPECT_EQ(audit_count(), records + 1) << "its CloudTrail record committed with it";
  EXPECT_EQ(create("").error().code, errc::validation) << "refused on the worker, answered at once";
  ASSERT_TRUE(remove(g->id));
  EXPECT_EQ(audit_count(), records + 2) << "(no read in between: a read's record would ride on the next commit)";
  EXPECT_EQ(groups.describe_group(ctx_, g->id).error().code, errc::not_found);
  EXPECT_EQ(remove(g->id).error().code, errc::not_found) << "the body's own check, answered through the post";
}

// UpdateGroup's and SCIM's asynchronous group writes (issue 18 item 3): the bodies of
// update_group, modify_group and create_group_with_members, one record each.
TEST_F(group_service_test, update_modify_and_create_with_members_then_answer_like_the_calls) {
  auto& groups = ids_->groups;
  testing::posted_work work;
  auto g = groups.create_group(ctx_, group("ops"));
  ASSERT_TRUE(g);
  auto records = audit_count();
  auto described = work.answer<domain::group>([&](auto post, auto done) {
    groups.update_group_then(ctx_, g->id, [](domain::group& x) -> result<void> {
      x.description = "runs things";
      return {};
    }, post, done);
  });
  ASSERT_TRUE(described) << described.error().message;
  EXPECT_EQ(audit_count(), records + 1) << "its CloudTrail record committed with it";
  EXPECT_EQ(*groups.describe_group(ctx_, g->id)->description, "runs things");
  auto missing = work.answer<domain::group>([&](auto post, auto done) {
    groups.update_group_then(ctx_, "00000000-0000-0000-0000-000000000000",
                             [](domain::group&) -> result<void> { return {}; }, post, done);
  });
  EXPECT_EQ(missing.error().code, errc::not_found);

  auto with_members = work.answer<group_view>([&](auto post, auto done) {
    groups.create_group_with_members_then(ctx_, group("devs"), {g->id}, post, done);
  });
  ASSERT_TRUE(with_members) << with_members.error().message;
  auto unknown_member = work.answer<group_view>([&](auto post, auto done) {
    groups.create_group_with_members_then(ctx_, group("none"), {"00000000-0000-0000-0000-000000000000"}, post, done);
  });
  EXPECT_EQ(unknown_member.error().code, errc::validation) << "rolled back: no group left behind";
  alternate_identifier none{std::nullopt, "displayName", "none"};
  EXPECT_EQ(groups.get_group_id(ctx_, none).error().code, errc::not_found);

  auto stale = work.answer<group_view>([&](auto post, auto done) {
    groups.modify_group_then(ctx_, g->id, [](const domain::group& c) -> result<group_edit> { return group_edit{c, {}}; },
                             version_condition{std::vector<int64_t>{1}}, {false, false}, post, done);
  });
  EXPECT_EQ(stale.error().code, errc::concurrent_modification) << "If-Match checked in the body";
  auto renamed = work.answer<group_view>([&](auto post, auto done) {
    groups.modify_group_then(ctx_, g->id, [](const domain::group& c) -> result<group_edit> {
      group_edit e{c, {}};
      e.group.display_name = "operators";
      return e;
    }, version_condition{std::vector<int64_t>{2}}, {false, false}, post, done);
  });
  ASSERT_TRUE(renamed) << renamed.error().message;
  EXPECT_EQ(renamed->group.version, 3);
  auto gone = work.answer<std::monostate>([&](auto post, auto done) {
    groups.delete_group_then(ctx_, g->id, post, done, version_condition{std::vector<int64_t>{2}});
  });
  EXPECT_EQ(gone.error().code, errc::concurrent_modification) << "a stale version deletes nothing";
  EXPECT_TRUE(groups.describe_group(ctx_, g->id));
}

}  // namespace atrium::service
