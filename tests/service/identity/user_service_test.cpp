// Users of the identity store: creation under the quota, edits inside the transaction, the
// SCIM read-modify-write with If-Match, lookups by alternate identifier, and deletion.
#include "service/identity/user_service.hpp"

#include "identity_fixture.hpp"

namespace atrium::service {

using user_service_test = testing::identity_fixture;

TEST_F(user_service_test, create_describe_and_the_user_quota) {
  auto& users = ids_->users;
  auto a = users.create_user(ctx_, user("alice"));
  ASSERT_TRUE(a) << a.error().message;
  EXPECT_EQ(users.describe_user(ctx_, a->id)->user_name, "alice");
  EXPECT_EQ(users.describe_user(ctx_, a->id)->stamp.created_by, "arn:aws:iam::123456789012:user/admin");
  EXPECT_EQ(users.create_user(ctx_, user("ALICE")).error().code, errc::conflict);
  ASSERT_TRUE(users.create_user(ctx_, user("bob")));
  ASSERT_TRUE(users.create_user(ctx_, user("carol")));
  EXPECT_EQ(users.create_user(ctx_, user("dave")).error().code, errc::quota_exceeded);
}

TEST_F(user_service_test, an_edit_runs_on_the_stored_user_and_the_rules_run_after_it) {
  auto& users = ids_->users;
  auto a = users.create_user(ctx_, user("alice"));
  ASSERT_TRUE(a);
  auto renamed = users.update_user(ctx_, a->id, [](domain::user& u) -> result<void> {
    u.display_name = "Alice L.";
    return {};
  });
  ASSERT_TRUE(renamed);
  EXPECT_EQ(*users.describe_user(ctx_, a->id)->display_name, "Alice L.");
  auto refused = users.update_user(ctx_, a->id, [](domain::user& u) -> result<void> {
    u.user_name.clear();
    return {};
  });
  EXPECT_EQ(refused.error().code, errc::validation) << "an empty user name breaks the domain rules";
  EXPECT_EQ(users.update_user(ctx_, "9067e2d4a1-00000000-0000-0000-0000-000000000000",
                              [](domain::user&) -> result<void> { return {}; })
                .error()
                .code,
            errc::not_found);
}

TEST_F(user_service_test, modify_with_a_stale_version_is_a_concurrent_modification) {
  auto& users = ids_->users;
  auto v = users.create_user_view(ctx_, user("alice"));
  ASSERT_TRUE(v);
  auto same = [](const domain::user& u) -> result<domain::user> { return u; };
  ASSERT_TRUE(users.modify_user(ctx_, v->user.id, same, std::vector<int64_t>{1}, {}));
  auto stale = users.modify_user(ctx_, v->user.id, same, std::vector<int64_t>{1}, {});
  EXPECT_EQ(stale.error().code, errc::concurrent_modification);
}

TEST_F(user_service_test, alternate_identifiers_and_deletion) {
  auto& users = ids_->users;
  auto u = user("alice");
  u.emails.push_back({});
  u.emails.back().value = "alice@example.com";
  auto a = users.create_user(ctx_, u);
  ASSERT_TRUE(a) << a.error().message;
  alternate_identifier by_name{std::nullopt, "userName", "ALICE"};
  EXPECT_EQ(*users.get_user_id(ctx_, by_name), a->id);
  alternate_identifier by_mail{std::nullopt, "emails.value", "alice@example.com"};
  EXPECT_EQ(*users.get_user_id(ctx_, by_mail), a->id);
  alternate_identifier not_a_string{std::nullopt, "userName", std::nullopt};
  EXPECT_EQ(users.get_user_id(ctx_, not_a_string).error().code, errc::validation);
  ASSERT_TRUE(users.delete_user(ctx_, a->id));
  EXPECT_EQ(users.describe_user(ctx_, a->id).error().code, errc::not_found);
  EXPECT_EQ(users.get_user_id(ctx_, by_name).error().code, errc::not_found);
}


TEST_F(user_service_test, create_user_then_answers_through_the_post_like_create_user) {
  auto& users = ids_->users;
  testing::posted_work work;
  auto create = [&](const std::string& name) {
    return work.answer<domain::user>([&](auto post, auto done) { users.create_user_then(ctx_, user(name), post, done); });
  };
  auto records = audit_count();
  auto a = create("alice");
  ASSERT_TRUE(a) << a.error().message;
  EXPECT_EQ(audit_count(), records + 1) << "its CloudTrail record committed with it";
  EXPECT_EQ(users.describe_user(ctx_, a->id)->user_name, "alice");
  EXPECT_EQ(create("ALICE").error().code, errc::conflict);
  EXPECT_EQ(create("").error().code, errc::validation) << "refused on the worker, answered at once";
  ASSERT_TRUE(create("bob"));
  ASSERT_TRUE(create("carol"));
  EXPECT_EQ(create("dave").error().code, errc::quota_exceeded);
}

TEST_F(user_service_test, delete_user_then_answers_through_the_post_like_delete_user) {
  auto& users = ids_->users;
  testing::posted_work work;
  auto a = users.create_user(ctx_, user("alice"));
  ASSERT_TRUE(a) << a.error().message;
  auto remove = [&](const std::string& id) {
    return work.answer<std::monostate>([&](auto post, auto done) { users.delete_user_then(ctx_, id, post, done); });
  };
  auto records = audit_count();
  ASSERT_TRUE(remove(a->id));
  EXPECT_EQ(audit_count(), records + 1) << "its CloudTrail record committed with it";
  EXPECT_EQ(users.describe_user(ctx_, a->id).error().code, errc::not_found);
  EXPECT_EQ(remove(a->id).error().code, errc::not_found) << "the body's own check, answered through the post";
}

// UpdateUser's asynchronous form (issue 18 item 3): the same body as update_user, one record.
TEST_F(user_service_test, update_user_then_answers_through_the_post_like_update_user) {
  auto& users = ids_->users;
  testing::posted_work work;
  auto a = users.create_user(ctx_, user("alice"));
  ASSERT_TRUE(a) << a.error().message;
  auto b = users.create_user(ctx_, user("bob"));
  ASSERT_TRUE(b) << b.error().message;
  auto rename = [&](const std::string& id, const std::string& name) {
    return work.answer<domain::user>([&](auto post, auto done) {
      users.update_user_then(ctx_, id, [name](domain::user& u) -> result<void> {
        u.user_name = name;
        return {};
      }, post, done);
    });
  };
  auto records = audit_count();
  auto renamed = rename(a->id, "alicia");
  ASSERT_TRUE(renamed) << renamed.error().message;
  EXPECT_EQ(renamed->version, a->version + 1);
  EXPECT_EQ(audit_count(), records + 1) << "its CloudTrail record committed with it";
  EXPECT_EQ(users.describe_user(ctx_, a->id)->user_name, "alicia");
  EXPECT_EQ(rename(a->id, "BOB").error().code, errc::conflict) << "the unique key, answered through the post";
  EXPECT_EQ(rename(a->id, "").error().code, errc::validation);
  EXPECT_EQ(rename("00000000-0000-0000-0000-000000000000", "x").error().code, errc::not_found);
  EXPECT_EQ(users.describe_user(ctx_, a->id)->user_name, "alicia") << "failed updates changed nothing";
}

}  // namespace atrium::service
