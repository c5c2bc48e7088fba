// The portal API's use cases: accounts and roles from direct, group and nested group
// assignments, pages with next tokens, and GetRoleCredentials only for what is assigned.
#include "service/oidc/account_access.hpp"

#include "base/try.hpp"
#include "oidc_fixture.hpp"
#include "store/assignment_repository.hpp"
#include "store/organization_repository.hpp"
#include "store/permission_set_repository.hpp"

namespace atrium::service::oidc::testing {

namespace {

std::string ps_arn(int n) { return "arn:aws:sso:::permissionSet/ssoins-0123456789abcdef/ps-000000000000000" + std::to_string(n); }

class account_access_test : public oidc_fixture {
 protected:
  void SetUp() override {
    oidc_fixture::SetUp();
    ASSERT_TRUE(db_->write([&](store::transaction& tx) -> result<void> {
      for (auto [id, name] : {std::pair{"111111111111", "Dev"}, {"222222222222", "Prod"}, {"333333333333", "Audit"}})
        TRY_VOID(tx.organization().insert_account({id, name, std::string(name) + "@example.com", "r-abcd"}));
      for (auto [n, name] : {std::pair{1, "Admin"}, {2, "ReadOnly"}, {3, "Billing"}}) {
        domain::permission_set ps;
        ps.id = "ps-000000000000000" + std::to_string(n);
        ps.arn = ps_arn(n);
        ps.name = name;
        TRY_VOID(tx.permission_sets().insert(ps));
      }
      domain::group outer, inner;
      outer.id = "g-outer";
      outer.display_name = "Engineers";
      inner.id = "g-inner";
      inner.display_name = "Platform";
      TRY_VOID(tx.groups().insert(outer));
      TRY_VOID(tx.groups().insert(inner));
      // alice is in Platform, which is inside Engineers.
      TRY_VOID(tx.memberships().insert({"m-1", "g-inner", "u-alice", domain::member_kind::user, {}}));
      TRY_VOID(tx.memberships().insert({"m-2", "g-outer", "g-inner", domain::member_kind::group, {}}));
      auto assign = [&](const char* account, int ps, const char* principal, domain::principal_type kind) -> result<void> {
        TRY(ok, tx.assignments().insert_assignment({account, ps_arn(ps), kind, principal, clk_.now()}));
        (void)ok;
        return {};
      };
      TRY_VOID(assign("111111111111", 1, "u-alice", domain::principal_type::user));     // direct
      TRY_VOID(assign("111111111111", 2, "g-inner", domain::principal_type::group));    // group
      TRY_VOID(assign("222222222222", 2, "g-outer", domain::principal_type::group));    // nested group
      TRY_VOID(assign("111111111111", 3, "g-outer", domain::principal_type::group));    // nested group
      TRY_VOID(assign("333333333333", 1, "u-bob", domain::principal_type::user));       // bob only
      return {};
    }));
  }
};

TEST_F(account_access_test, accounts_come_from_direct_group_and_nested_group_assignments) {
  auto page = access_->accounts(ctx("ListAccounts"), "u-alice", 100, "");
  ASSERT_TRUE(page) << page.error().message;
  ASSERT_EQ(page->items.size(), 2u);
  EXPECT_EQ(page->items[0].account_name, "Dev");
  EXPECT_EQ(page->items[1].account_name, "Prod");
  EXPECT_EQ(page->items[1].email, "Prod@example.com");
  EXPECT_TRUE(page->next_token.empty());
  auto roles = access_->roles(ctx("ListAccountRoles"), "u-alice", "111111111111", 100, "");
  ASSERT_TRUE(roles);
  std::vector<std::string> names;
  for (const auto& r : roles->items) names.push_back(r.role_name);
  EXPECT_EQ(names, (std::vector<std::string>{"Admin", "Billing", "ReadOnly"}));
}

TEST_F(account_access_test, pages_follow_their_next_tokens) {
  std::vector<std::string> seen;
  std::string next;
  int pages = 0;
  do {
    auto p = access_->roles(ctx("ListAccountRoles"), "u-alice", "111111111111", 1, next);
    ASSERT_TRUE(p) << p.error().message;
    for (const auto& r : p->items) seen.push_back(r.role_name);
    next = p->next_token;
    ++pages;
  } while (!next.empty() && pages < 10);
  EXPECT_EQ(seen, (std::vector<std::string>{"Admin", "Billing", "ReadOnly"}));
  EXPECT_EQ(pages, 3);
  auto a = access_->accounts(ctx("ListAccounts"), "u-alice", 1, "");
  ASSERT_TRUE(a);
  ASSERT_FALSE(a->next_token.empty());
  auto b = access_->accounts(ctx("ListAccounts"), "u-alice", 1, a->next_token);
  ASSERT_TRUE(b);
  ASSERT_EQ(b->items.size(), 1u);
  EXPECT_EQ(b->items[0].account_id, "222222222222");
  EXPECT_TRUE(b->next_token.empty());
}

TEST_F(account_access_test, foreign_or_broken_next_tokens_and_page_sizes_are_refused) {
  auto a = access_->accounts(ctx("ListAccounts"), "u-alice", 1, "");
  ASSERT_TRUE(a);
  // An accounts token is not a roles token.
  EXPECT_EQ(access_->roles(ctx("ListAccountRoles"), "u-alice", "111111111111", 1, a->next_token).error().code,
            errc::validation);
  EXPECT_EQ(access_->accounts(ctx("ListAccounts"), "u-alice", 1, "%%%").error().code, errc::validation);
  EXPECT_EQ(access_->accounts(ctx("ListAccounts"), "u-alice", 0, "").error().code, errc::validation);
  EXPECT_EQ(access_->accounts(ctx("ListAccounts"), "u-alice", 101, "").error().code, errc::validation);
}

TEST_F(account_access_test, an_account_without_assignments_has_no_roles) {
  auto roles = access_->roles(ctx("ListAccountRoles"), "u-alice", "333333333333", 100, "");
  ASSERT_TRUE(roles);
  EXPECT_TRUE(roles->items.empty());
}

TEST_F(account_access_test, credentials_only_for_an_assigned_role) {
  auto ok = access_->credentials(ctx("GetRoleCredentials"), "u-alice", "222222222222", "ReadOnly");
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_EQ(ok->access_key_id, "ASIAFAKE");
  ASSERT_EQ(creds_.calls.size(), 1u);
  EXPECT_EQ(creds_.calls[0], "u-alice|222222222222|ReadOnly|GetRoleCredentials");
  // Admin is assigned in Dev, not in Prod; Audit is bob's account.
  EXPECT_EQ(access_->credentials(ctx("GetRoleCredentials"), "u-alice", "222222222222", "Admin").error().code,
            errc::access_denied);
  EXPECT_EQ(access_->credentials(ctx("GetRoleCredentials"), "u-alice", "333333333333", "Admin").error().code,
            errc::access_denied);
  EXPECT_EQ(creds_.calls.size(), 1u) << "refused before the source is asked";
  EXPECT_TRUE(access_->credentials(ctx("GetRoleCredentials"), "u-bob", "333333333333", "Admin"));
}

TEST_F(account_access_test, a_deployment_without_federation_says_why) {
  no_role_credentials none("permission sets are records only");
  account_access access(*audited_, *assigned_, none);
  auto r = access.credentials(ctx("GetRoleCredentials"), "u-alice", "111111111111", "Admin");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, errc::validation);
  EXPECT_EQ(r.error().message, "permission sets are records only");
}

}  // namespace

}  // namespace atrium::service::oidc::testing
