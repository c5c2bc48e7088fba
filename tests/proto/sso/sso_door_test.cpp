// The portal API's door over the real services and store: the bearer token header, listings with
// max_result/next_token, GetRoleCredentials in epoch milliseconds, ForbiddenException for what is
// not assigned (user A's token never reaches user B's account), and Logout ending the token.
#include "proto/sso/sso_door.hpp"

#include <nlohmann/json.hpp>

#include "../../service/oidc/oidc_fixture.hpp"
#include "base/strings.hpp"
#include "base/try.hpp"
#include "service/admin/throttle.hpp"
#include "store/assignment_repository.hpp"
#include "store/organization_repository.hpp"
#include "store/permission_set_repository.hpp"

namespace atrium::proto::sso {

namespace {

using nlohmann::json;
using service::oidc::testing::oidc_fixture;

std::string header(const response& r, std::string_view name) {
  for (const auto& [k, v] : r.headers)
    if (iequals_ascii(k, name)) return v;
  return "";
}

std::string ps_arn(int n) { return "arn:aws:sso:::permissionSet/ssoins-0123456789abcdef/ps-000000000000000" + std::to_string(n); }

class sso_door_test : public oidc_fixture {
 protected:
  void SetUp() override {
    oidc_fixture::SetUp();
    throttle_ = std::make_unique<service::throttler>(clk_, service::throttle_settings{});
    door_ = std::make_unique<sso_door>(sso_services{*tokens_, *access_, *throttle_, *audited_},
                                       sso_settings{"us-east-1", "123456789012"});
    ASSERT_TRUE(db_->write([&](store::transaction& tx) -> result<void> {
      TRY_VOID(tx.organization().insert_account({"111111111111", "Dev", "dev@example.com", "r-abcd"}));
      TRY_VOID(tx.organization().insert_account({"222222222222", "Prod", "prod@example.com", "r-abcd"}));
      for (auto [n, name] : {std::pair{1, "Admin"}, {2, "ReadOnly"}}) {
        domain::permission_set ps;
        ps.id = "ps-000000000000000" + std::to_string(n);
        ps.arn = ps_arn(n);
        ps.name = name;
        TRY_VOID(tx.permission_sets().insert(ps));
      }
      for (auto [acct, ps, user] : {std::tuple{"111111111111", 1, "u-alice"}, {"111111111111", 2, "u-alice"},
                                    {"222222222222", 1, "u-bob"}}) {
        TRY(ok, tx.assignments().insert_assignment({acct, ps_arn(ps), domain::principal_type::user, user, clk_.now()}));
        (void)ok;
      }
      return {};
    }));
    alice_ = login(sign_in("u-alice")).access_token;
  }
  response call(const std::string& method, const std::string& target, const std::string& token) {
    request r;
    r.method = method;
    r.target = target;
    r.remote_ip = "203.0.113.9";
    if (!token.empty()) r.headers.emplace_back("x-amz-sso_bearer_token", token);
    return door_->handle(r);
  }
  std::unique_ptr<service::throttler> throttle_;
  std::unique_ptr<sso_door> door_;
  std::string alice_;
};

TEST_F(sso_door_test, lists_the_accounts_and_roles_of_the_token_user) {
  auto a = call("GET", "/assignment/accounts", alice_);
  ASSERT_EQ(a.status, 200) << a.body;
  EXPECT_EQ(json::parse(a.body), json({{"accountList", {{{"accountId", "111111111111"}, {"accountName", "Dev"},
                                                         {"emailAddress", "dev@example.com"}}}}}));
  auto r1 = call("GET", "/assignment/roles?account_id=111111111111&max_result=1", alice_);
  ASSERT_EQ(r1.status, 200) << r1.body;
  auto p1 = json::parse(r1.body);
  EXPECT_EQ(p1["roleList"], json({{{"roleName", "Admin"}, {"accountId", "111111111111"}}}));
  ASSERT_TRUE(p1.contains("nextToken"));
  auto r2 = call("GET", "/assignment/roles?account_id=111111111111&max_result=1&next_token=" +
                            url_encode(p1["nextToken"].get<std::string>()), alice_);
  auto p2 = json::parse(r2.body);
  EXPECT_EQ(p2["roleList"], json({{{"roleName", "ReadOnly"}, {"accountId", "111111111111"}}}));
  EXPECT_FALSE(p2.contains("nextToken"));
}

TEST_F(sso_door_test, role_credentials_expire_in_epoch_milliseconds) {
  auto r = call("GET", "/federation/credentials?role_name=ReadOnly&account_id=111111111111", alice_);
  ASSERT_EQ(r.status, 200) << r.body;
  auto c = json::parse(r.body)["roleCredentials"];
  EXPECT_EQ(c["accessKeyId"], "ASIAFAKE");
  EXPECT_EQ(c["expiration"], 1'767'229'200'000);
  EXPECT_EQ(header(r, "Cache-Control"), "no-store");
}

TEST_F(sso_door_test, anything_not_assigned_is_forbidden) {
  // bob's account with alice's token.
  auto r = call("GET", "/federation/credentials?role_name=Admin&account_id=222222222222", alice_);
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(header(r, "x-amzn-ErrorType"), "ForbiddenException");
  EXPECT_EQ(json::parse(r.body), json({{"message", "No access"}}));
  auto unknown_role = call("GET", "/federation/credentials?role_name=Nope&account_id=111111111111", alice_);
  EXPECT_EQ(unknown_role.status, 403);
  auto odd_role = call("GET", "/federation/credentials?role_name=%2F..%2F&account_id=111111111111", alice_);
  EXPECT_EQ(odd_role.status, 403);
  EXPECT_TRUE(creds_.calls.empty());
}

TEST_F(sso_door_test, a_deployment_without_roles_in_aws_says_why_and_sts_failures_are_internal) {
  creds_.refusal = fail(errc::conflict, "Role credentials need provisioner.kind=aws-iam").error();
  auto r = call("GET", "/federation/credentials?role_name=ReadOnly&account_id=111111111111", alice_);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(header(r, "x-amzn-ErrorType"), "InvalidRequestException");
  EXPECT_EQ(json::parse(r.body), json({{"message", "Role credentials need provisioner.kind=aws-iam"}}));
  // STS's own words stay in the audit record, not in the answer.
  creds_.refusal = fail(errc::internal, "STS: InvalidIdentityToken").error();
  auto sts = call("GET", "/federation/credentials?role_name=ReadOnly&account_id=111111111111", alice_);
  EXPECT_EQ(sts.status, 500);
  EXPECT_EQ(sts.body.find("InvalidIdentityToken"), std::string::npos) << sts.body;
  EXPECT_EQ(creds_.calls.size(), 2u);
}

TEST_F(sso_door_test, bad_parameters_are_invalid_requests) {
  for (const char* t : {"/assignment/accounts?max_result=0", "/assignment/accounts?max_result=101",
                        "/assignment/accounts?max_result=ten", "/assignment/roles",
                        "/assignment/roles?account_id=12", "/federation/credentials?role_name=Admin",
                        "/assignment/accounts?next_token=not-ours"}) {
    auto r = call("GET", t, alice_);
    EXPECT_EQ(r.status, 400) << t << " " << r.body;
    EXPECT_EQ(header(r, "x-amzn-ErrorType"), "InvalidRequestException") << t;
  }
}

TEST_F(sso_door_test, tokens_end_with_logout_and_with_a_disabled_user) {
  auto out = call("POST", "/logout", alice_);
  EXPECT_EQ(out.status, 200);
  auto after = call("GET", "/assignment/accounts", alice_);
  EXPECT_EQ(after.status, 401);
  EXPECT_EQ(header(after, "x-amzn-ErrorType"), "UnauthorizedException");
  auto again = login(sign_in("u-alice")).access_token;
  EXPECT_EQ(call("GET", "/assignment/accounts", again).status, 200);
  set_active("u-alice", false);
  EXPECT_EQ(call("GET", "/assignment/accounts", again).status, 401);
}

TEST_F(sso_door_test, calls_are_audited_with_the_user) {
  ASSERT_EQ(call("GET", "/federation/credentials?role_name=Admin&account_id=222222222222", alice_).status, 403);
  ASSERT_EQ(call("POST", "/logout", alice_).status, 200);
  ASSERT_TRUE(db_->write([](store::transaction&) -> result<void> { return {}; }));  // detached records are in
  EXPECT_EQ(audit_count("Logout"), 1);
  bool refused = false;
  for (const auto& r : last_records_)
    if (r.event_name == "GetRoleCredentials" && r.error_code == "ForbiddenException") {
      refused = true;
      EXPECT_NE(r.json.find("\"userName\":\"alice\""), std::string::npos) << r.json;
    }
  EXPECT_TRUE(refused);
}

}  // namespace

}  // namespace atrium::proto::sso
