// Console access (issue 14 item 1): admin policies attached to identity-store users and groups,
// the console principal they make, and what grant/revoke refuse; real SQLite store.
#include "service/admin/console_access.hpp"

#include <gtest/gtest.h>

#include "service/identity/identity_fixture.hpp"

namespace atrium::service {

namespace {

class console_access_test : public testing::identity_fixture {
 protected:
  void SetUp() override {
    identity_fixture::SetUp();
    access_ = std::make_unique<console_access>(*audited_, clk_, "123456789012");
  }
  void TearDown() override {
    access_.reset();
    identity_fixture::TearDown();
  }
  bool allows(const principal& p, const std::string& action) {
    return domain::evaluate(*p.policies, {action, {}, {}}).decision == domain::policy_decision::allow;
  }
  std::vector<store::audit_record> events(const std::string& name) {
    std::vector<store::audit_record> out;
    EXPECT_TRUE(db_->read([&](store::transaction& tx) -> result<void> {
      auto r = tx.audit().query({name, std::nullopt, std::nullopt, std::nullopt, 100});
      if (!r) return std::unexpected(r.error());
      out = std::move(*r);
      return {};
    }));
    return out;
  }
  std::unique_ptr<console_access> access_;
};

}  // namespace

TEST_F(console_access_test, a_user_without_a_policy_gets_no_console) {
  auto u = ids_->users.create_user(ctx_, user("alice"));
  ASSERT_TRUE(u);
  auto p = access_->principal_for(*u);
  ASSERT_TRUE(p);
  EXPECT_FALSE(p->has_value());
}

TEST_F(console_access_test, a_granted_user_is_an_identity_center_principal_with_the_policy) {
  auto u = ids_->users.create_user(ctx_, user("alice"));
  ASSERT_TRUE(u);
  ctx_.event_name = "GrantConsoleAccess";  // what the door or the CLI names the call
  ASSERT_TRUE(access_->grant(ctx_, {"USER", u->id}, {"AWSSSODirectoryReadOnly", std::nullopt}));
  auto p = access_->principal_for(*u);
  ASSERT_TRUE(p && p->has_value());
  const principal& who = **p;
  EXPECT_EQ(who.type, "IdentityCenterUser");
  EXPECT_EQ(who.principal_id, u->id);
  EXPECT_EQ(who.user_name, "alice");
  EXPECT_EQ(who.arn, "arn:aws:identitystore::123456789012:user/" + u->id);
  EXPECT_TRUE(allows(who, "identitystore:ListUsers"));
  EXPECT_FALSE(allows(who, "identitystore:CreateUser"));
  auto recs = events("GrantConsoleAccess");
  ASSERT_EQ(recs.size(), 1u);
  EXPECT_NE(recs[0].json.find("\"PolicyName\":\"AWSSSODirectoryReadOnly\""), std::string::npos) << recs[0].json;
}

TEST_F(console_access_test, group_policies_reach_members_and_revoke_takes_them_away) {
  auto u = ids_->users.create_user(ctx_, user("bob"));
  auto g = ids_->groups.create_group(ctx_, group("Admins"));
  ASSERT_TRUE(u && g);
  ASSERT_TRUE(ids_->memberships.create_membership(ctx_, g->id, u->id));
  ASSERT_TRUE(access_->grant(ctx_, {"GROUP", g->id}, {"AdministratorAccess", std::nullopt}));
  const std::string doc = R"({"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"identitystore:DeleteUser","Resource":"*"}]})";
  ASSERT_TRUE(access_->grant(ctx_, {"USER", u->id}, {"NoDeletes", doc}));
  auto p = access_->principal_for(*u);
  ASSERT_TRUE(p && p->has_value());
  EXPECT_TRUE(allows(**p, "identitystore:CreateUser"));
  EXPECT_FALSE(allows(**p, "identitystore:DeleteUser")) << "an explicit deny of the user's own policy wins";

  ASSERT_TRUE(access_->revoke(ctx_, {"GROUP", g->id}, "AdministratorAccess"));
  p = access_->principal_for(*u);
  ASSERT_TRUE(p && p->has_value());
  EXPECT_FALSE(allows(**p, "identitystore:CreateUser"));
  ASSERT_TRUE(access_->revoke(ctx_, {"USER", u->id}, "NoDeletes"));
  p = access_->principal_for(*u);
  ASSERT_TRUE(p);
  EXPECT_FALSE(p->has_value());
}

TEST_F(console_access_test, refusals) {
  auto u = ids_->users.create_user(ctx_, user("carol"));
  ASSERT_TRUE(u);
  auto missing = access_->grant(ctx_, {"USER", "no-such-user"}, {"AdministratorAccess", std::nullopt});
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, errc::not_found);
  auto bad_type = access_->grant(ctx_, {"ROLE", u->id}, {"AdministratorAccess", std::nullopt});
  ASSERT_FALSE(bad_type);
  EXPECT_EQ(bad_type.error().code, errc::validation);
  auto unknown = access_->grant(ctx_, {"USER", u->id}, {"NoSuchManagedPolicy", std::nullopt});
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, errc::validation);
  auto bad_doc = access_->grant(ctx_, {"USER", u->id}, {"Broken", std::string("{\"Statement\": 1}")});
  ASSERT_FALSE(bad_doc);
  EXPECT_EQ(bad_doc.error().code, errc::validation);
  ASSERT_TRUE(access_->grant(ctx_, {"USER", u->id}, {"AdministratorAccess", std::nullopt}));
  auto twice = access_->grant(ctx_, {"USER", u->id}, {"AdministratorAccess", std::nullopt});
  ASSERT_FALSE(twice);
  EXPECT_EQ(twice.error().code, errc::conflict);
  auto not_attached = access_->revoke(ctx_, {"USER", u->id}, "AWSSSOReadOnly");
  ASSERT_FALSE(not_attached);
  EXPECT_EQ(not_attached.error().code, errc::not_found);
}

TEST_F(console_access_test, deleting_the_user_removes_its_console_access) {
  auto u = ids_->users.create_user(ctx_, user("dave"));
  ASSERT_TRUE(u);
  ASSERT_TRUE(access_->grant(ctx_, {"USER", u->id}, {"AdministratorAccess", std::nullopt}));
  auto before = access_->list(ctx_, std::nullopt);
  ASSERT_TRUE(before);
  EXPECT_EQ(before->size(), 1u);
  ASSERT_TRUE(ids_->users.delete_user(ctx_, u->id));
  auto after = access_->list(ctx_, std::nullopt);
  ASSERT_TRUE(after);
  EXPECT_TRUE(after->empty());
}

}  // namespace atrium::service
