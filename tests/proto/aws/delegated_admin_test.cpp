// Delegated administration through the AWS door (issue 4 item 7): keys with policies on a real
// SQLite store, real SigV4 signatures; a fake sso-admin API (action prefix "sso") and a fake tag
// source stand in for the permission-set engine so tag conditions are tested on their own.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "crypto/primitives.hpp"
#include "proto/aws/aws_door.hpp"
#include "proto/aws/identitystore_api.hpp"
#include "proto/aws/policy_request.hpp"
#include "service/admin/key_policies.hpp"
#include "service/identity/identity_services.hpp"
#include "store/sqlite/sqlite_database.hpp"

namespace atrium::proto::aws {

using nlohmann::json;

namespace {

// Answers {} to a few sso-admin operations; records how many calls got through.
class fake_sso final : public json_api {
 public:
  fake_sso() : json_api({"SWBExternalService", "sso-admin", "sso", "sso.amazonaws.com", {}}) {
    for (const char* op : {"CreateAccountAssignment", "CreatePermissionSet", "ListPermissionSets"})
      add({op, std::string_view(op).starts_with("List") || std::string_view(op).starts_with("Describe"),
           [this](const json&, const service::call_context&) -> result<json> {
             ++calls;
             return json::object();
           }});
  }
  int calls = 0;
};

class fake_tags final : public service::resource_tag_source {
 public:
  result<std::map<std::string, std::string>> tags_of(const std::string& arn) override {
    ++lookups;
    auto it = tags.find(arn);
    return it == tags.end() ? std::map<std::string, std::string>{} : it->second;
  }
  std::map<std::string, std::map<std::string, std::string>> tags;
  int lookups = 0;
};

const std::string instance = "arn:aws:sso:::instance/ssoins-1111111111111111";
const std::string dev_ps = "arn:aws:sso:::permissionSet/ssoins-1111111111111111/ps-aaaaaaaaaaaaaaaa";
const std::string prod_ps = "arn:aws:sso:::permissionSet/ssoins-1111111111111111/ps-bbbbbbbbbbbbbbbb";

}  // namespace

class delegated_admin_test : public ::testing::Test {
 protected:
  void SetUp() override {
    crypto::init();
    dir_ = std::filesystem::temp_directory_path() /
           ("atrium-deleg-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    auto db = store::sqlite::sqlite_database::open({dir_ / "t.db", false});
    ASSERT_TRUE(db) << db.error().message;
    db_ = std::move(*db);
    box_.emplace(std::string(32, 'k'));
    audit_ = std::make_unique<service::auditor>(clk_, rnd_, std::nullopt);
    audited_ = std::make_unique<service::audited_store>(*db_, *audit_);
    auth_ = std::make_unique<service::admin_auth>(*db_, *box_, rnd_, clk_, "123456789012");
    throttle_ = std::make_unique<service::throttler>(clk_, service::throttle_settings{1000, 1000, {}});
    identity_ = std::make_unique<service::identity_services>(*audited_, clk_, rnd_, store_id_, service::quotas{100, 100, 100});
    api_ = std::make_unique<identitystore_api>(*identity_);
    door_ = std::make_unique<aws_door>(*auth_, *throttle_, *audited_, std::vector<json_api*>{api_.get(), &sso_}, door_settings{});
    door_->set_tag_source(&tags_);
    tags_.tags[dev_ps] = {{"Environment", "Development"}, {"OU", "Test"}};
    tags_.tags[prod_ps] = {{"Environment", "Production"}, {"OU", "Test"}};
  }
  void TearDown() override {
    door_.reset();
    db_.reset();
    std::filesystem::remove_all(dir_);
  }

  service::new_access_key key_with(std::vector<service::key_policy_spec> specs, bool read_only = false) {
    auto k = auth_->create_access_key("delegate", read_only, specs);
    EXPECT_TRUE(k) << (k ? "" : k.error().message);
    return k ? *k : service::new_access_key{};
  }

  response call(const service::new_access_key& key, const std::string& target, const json& body) {
    request req;
    req.method = "POST";
    req.target = "/";
    req.body = body.dump();
    req.headers = {{"Host", "127.0.0.1:8443"}, {"Content-Type", "application/x-amz-json-1.1"}, {"X-Amz-Target", target}};
    crypto::sigv4_request s{req.method, req.target, {}, req.body};
    for (auto& [k, v] : req.headers) s.headers.push_back({k, v});
    for (auto& h : crypto::sigv4_sign(s, key.access_key_id, key.secret_access_key, "us-east-1", "identitystore", clk_.now()))
      req.headers.emplace_back(h.name, h.value);
    req.remote_ip = "127.0.0.1";
    req.request_id = "rid";
    return door_->handle(req);
  }
  std::string error_type(const response& r) { return r.status == 200 ? "" : json::parse(r.body)["__type"].get<std::string>(); }

  json assignment(const std::string& ps, const std::string& account) {
    return {{"InstanceArn", instance}, {"PermissionSetArn", ps}, {"TargetType", "AWS_ACCOUNT"},
            {"TargetId", account}, {"PrincipalType", "USER"}, {"PrincipalId", "u-1"}};
  }

  seeded_random rnd_{7};
  manual_clock clk_{from_epoch_millis(1'763'900'000'000)};
  std::filesystem::path dir_;
  std::string store_id_ = "d-0123456789";
  std::unique_ptr<store::database> db_;
  std::optional<crypto::secret_box> box_;
  std::unique_ptr<service::auditor> audit_;
  std::unique_ptr<service::audited_store> audited_;
  std::unique_ptr<service::admin_auth> auth_;
  std::unique_ptr<service::throttler> throttle_;
  std::unique_ptr<service::identity_services> identity_;
  std::unique_ptr<identitystore_api> api_;
  fake_sso sso_;
  fake_tags tags_;
  std::unique_ptr<aws_door> door_;
};

TEST_F(delegated_admin_test, keys_without_policies_get_administrator_access) {
  auto k = key_with({});
  EXPECT_EQ(call(k, "AWSIdentityStore.ListUsers", {{"IdentityStoreId", store_id_}}).status, 200);
  EXPECT_EQ(call(k, "SWBExternalService.CreateAccountAssignment", assignment(prod_ps, "111111111111")).status, 200);
}

TEST_F(delegated_admin_test, read_only_keys_are_the_read_only_builtins) {
  auto k = key_with({}, true);
  EXPECT_EQ(call(k, "AWSIdentityStore.ListUsers", {{"IdentityStoreId", store_id_}}).status, 200);
  auto r = call(k, "AWSIdentityStore.CreateUser", {{"IdentityStoreId", store_id_}, {"UserName", "x"}, {"DisplayName", "x"}});
  EXPECT_EQ(error_type(r), "AccessDeniedException");
  EXPECT_NE(r.body.find("identitystore:CreateUser"), std::string::npos) << r.body;
  EXPECT_EQ(call(k, "SWBExternalService.ListPermissionSets", {{"InstanceArn", instance}}).status, 200);
  EXPECT_EQ(error_type(call(k, "SWBExternalService.CreatePermissionSet", {{"InstanceArn", instance}})), "AccessDeniedException");
}

TEST_F(delegated_admin_test, denied_message_names_action_user_and_resource_and_is_audited) {
  auto k = key_with({{"AWSSSODirectoryReadOnly", std::nullopt}});
  int before = sso_.calls;
  auto r = call(k, "SWBExternalService.CreateAccountAssignment", assignment(prod_ps, "111111111111"));
  EXPECT_EQ(sso_.calls, before) << "denied calls never reach the API";
  ASSERT_EQ(error_type(r), "AccessDeniedException");
  auto msg = json::parse(r.body)["Message"].get<std::string>();
  EXPECT_EQ(msg, "User: arn:aws:iam::123456789012:user/delegate is not authorized to perform: "
                 "sso:CreateAccountAssignment on resource: " + instance);
  // The failure record is written detached; a committed write flushes it.
  auto admin = key_with({});
  call(admin, "AWSIdentityStore.CreateUser", {{"IdentityStoreId", store_id_}, {"UserName", "flush"}, {"DisplayName", "f"},
                                              {"Name", {{"GivenName", "G"}, {"FamilyName", "F"}}}});
  std::vector<store::audit_record> recs;
  ASSERT_TRUE(db_->read([&](store::transaction& tx) -> result<void> {
    auto q = tx.audit().query({std::string("CreateAccountAssignment"), std::nullopt, std::nullopt, std::nullopt, 10});
    if (!q) return std::unexpected(q.error());
    recs = *q;
    return {};
  }));
  ASSERT_EQ(recs.size(), 1u);
  EXPECT_EQ(recs[0].error_code, "AccessDeniedException");
}

TEST_F(delegated_admin_test, explicit_deny_wins_over_administrator_access) {
  auto k = key_with({{"AdministratorAccess", std::nullopt},
                     {"NoUserDeletes", R"({"Version":"2012-10-17","Statement":{"Effect":"Deny","Action":"identitystore:Delete*","Resource":"*"}})"}});
  auto r = call(k, "AWSIdentityStore.DeleteUser", {{"IdentityStoreId", store_id_}, {"UserId", "u"}});
  ASSERT_EQ(error_type(r), "AccessDeniedException");
  EXPECT_NE(r.body.find("with an explicit deny"), std::string::npos);
  EXPECT_EQ(call(k, "AWSIdentityStore.ListGroups", {{"IdentityStoreId", store_id_}}).status, 200);
}

TEST_F(delegated_admin_test, identity_store_resource_is_scoped_by_arn) {
  auto k = key_with({{"OneStore", R"({"Statement":{"Effect":"Allow","Action":"identitystore:*",
      "Resource":"arn:aws:identitystore::123456789012:identitystore/d-0123456789"}})"}});
  EXPECT_EQ(call(k, "AWSIdentityStore.ListUsers", {{"IdentityStoreId", store_id_}}).status, 200);
  EXPECT_EQ(error_type(call(k, "AWSIdentityStore.ListUsers", {{"IdentityStoreId", "d-9999999999"}})), "AccessDeniedException");
}

// The guide's OU-based delegation: permission sets by tags, accounts by ARN.
TEST_F(delegated_admin_test, tag_and_account_based_delegation) {
  auto k = key_with({{"OuDelegation", R"({"Version":"2012-10-17","Statement":[
      {"Sid":"DelegateOUsAdminAccess","Effect":"Allow","Action":["sso:CreateAccountAssignment","sso:ProvisionPermissionSet"],
       "Resource":"arn:aws:sso:::permissionSet/*/*",
       "Condition":{"StringEquals":{"aws:ResourceTag/Environment":"Development","aws:ResourceTag/OU":"Test"}}},
      {"Sid":"Instance","Effect":"Allow","Action":["sso:CreateAccountAssignment","sso:ProvisionPermissionSet"],
       "Resource":["arn:aws:sso:::instance/ssoins-1111111111111111","arn:aws:sso:::account/112233445566"]}]})"}});
  EXPECT_EQ(call(k, "SWBExternalService.CreateAccountAssignment", assignment(dev_ps, "112233445566")).status, 200);
  auto r = call(k, "SWBExternalService.CreateAccountAssignment", assignment(prod_ps, "112233445566"));
  EXPECT_EQ(error_type(r), "AccessDeniedException");
  EXPECT_NE(r.body.find(prod_ps), std::string::npos) << r.body;
  r = call(k, "SWBExternalService.CreateAccountAssignment", assignment(dev_ps, "999999999999"));
  EXPECT_NE(r.body.find("arn:aws:sso:::account/999999999999"), std::string::npos) << r.body;
  EXPECT_GT(tags_.lookups, 0);
}

TEST_F(delegated_admin_test, no_tag_lookups_for_policies_without_tag_conditions) {
  auto k = key_with({{"AWSSSOMemberAccountAdministrator", std::nullopt}});
  EXPECT_EQ(call(k, "SWBExternalService.CreateAccountAssignment", assignment(dev_ps, "112233445566")).status, 200);
  EXPECT_EQ(tags_.lookups, 0);
}

TEST_F(delegated_admin_test, detaching_every_policy_denies_everything) {
  auto k = key_with({{"AWSSSODirectoryAdministrator", std::nullopt}});
  service::key_policies kp(*audited_, clk_);
  service::call_context ctx;
  ctx.event_name = "DetachKeyPolicy";
  ASSERT_TRUE(kp.detach(k.access_key_id, "AWSSSODirectoryAdministrator", ctx));
  EXPECT_EQ(error_type(call(k, "AWSIdentityStore.ListUsers", {{"IdentityStoreId", store_id_}})), "AccessDeniedException");
  ASSERT_TRUE(kp.attach(k.access_key_id, {"AWSSSODirectoryReadOnly", std::nullopt}, ctx));
  EXPECT_EQ(call(k, "AWSIdentityStore.ListUsers", {{"IdentityStoreId", store_id_}}).status, 200);
  auto list = kp.list(k.access_key_id);
  ASSERT_TRUE(list);
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0].name, "AWSSSODirectoryReadOnly");
  EXPECT_EQ(kp.attach(k.access_key_id, {"AWSSSODirectoryReadOnly", std::nullopt}, ctx).error().code, errc::conflict);
  EXPECT_EQ(kp.detach(k.access_key_id, "Nope", ctx).error().code, errc::not_found);
  EXPECT_EQ(kp.attach("AKIANOSUCHKEY", {"AWSSSOReadOnly", std::nullopt}, ctx).error().code, errc::not_found);
}

// The parsed policies are shared by the keys whose rows are the same text (issue 18 item 3), and
// a changed row is a new text: what a key may do is read from its rows on every request.
TEST_F(delegated_admin_test, parsed_policies_are_shared_per_rows_text_and_follow_the_rows) {
  auto loaded = [&](const std::string& id) {
    std::shared_ptr<const std::vector<domain::admin_policy>> out;
    EXPECT_TRUE(db_->read([&](store::transaction& tx) -> result<void> {
      auto p = service::load_key_policies(tx, id);
      if (!p) return std::unexpected(p.error());
      out = std::move(*p);
      return {};
    }));
    return out;
  };
  auto a = key_with({{"AWSSSODirectoryReadOnly", std::nullopt}});
  auto b = key_with({{"AWSSSODirectoryReadOnly", std::nullopt}});
  auto first = loaded(a.access_key_id);
  ASSERT_TRUE(first);
  ASSERT_EQ(first->size(), 1u);
  EXPECT_EQ(first, loaded(a.access_key_id)) << "parsed once";
  EXPECT_EQ(first, loaded(b.access_key_id)) << "the same rows' text, the same parsed set";
  service::key_policies kp(*audited_, clk_);
  service::call_context ctx;
  ctx.event_name = "AttachKeyPolicy";
  ASSERT_TRUE(kp.attach(b.access_key_id, {"DenyUsers", R"({"Statement":{"Effect":"Deny","Action":"identitystore:ListUsers","Resource":"*"}})"}, ctx));
  auto changed = loaded(b.access_key_id);
  ASSERT_TRUE(changed);
  EXPECT_EQ(changed->size(), 2u);
  EXPECT_EQ(error_type(call(b, "AWSIdentityStore.ListUsers", {{"IdentityStoreId", store_id_}})), "AccessDeniedException");
  EXPECT_EQ(call(a, "AWSIdentityStore.ListUsers", {{"IdentityStoreId", store_id_}}).status, 200);
}

TEST_F(delegated_admin_test, policies_are_validated_when_attached) {
  EXPECT_FALSE(auth_->create_access_key("x", false, {{"NoSuchBuiltin", std::nullopt}}));
  EXPECT_FALSE(auth_->create_access_key("x", false, {{"Bad", R"({"Statement":{"Effect":"Allow"}})"}}));
  EXPECT_FALSE(auth_->create_access_key("x", false, {{"AWSSSOReadOnly", R"({"Statement":{"Effect":"Allow","Action":"*","Resource":"*"}})"}}))
      << "an inline policy may not take a built-in's name";
  EXPECT_FALSE(auth_->create_access_key("x", false, {{"bad name!", R"({"Statement":{"Effect":"Allow","Action":"*","Resource":"*"}})"}}));
  std::vector<service::key_policy_spec> eleven(11, {"AWSSSOReadOnly", std::nullopt});
  EXPECT_FALSE(auth_->create_access_key("x", false, eleven));
}

TEST(policy_request, resources_from_request_fields) {
  json body = {{"InstanceArn", instance}, {"PermissionSetArn", dev_ps}, {"TargetType", "AWS_ACCOUNT"},
               {"TargetId", "111111111111"}, {"Tags", {{{"Key", "Owner"}, {"Value", "team-a"}}}}};
  auto r = policy_request_for("sso", "CreateAccountAssignment", body, {"123456789012"}, nullptr, false);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->action, "sso:CreateAccountAssignment");
  ASSERT_EQ(r->resources.size(), 3u);
  EXPECT_EQ(r->resources[0].arn, instance);
  EXPECT_EQ(r->resources[1].arn, dev_ps);
  EXPECT_EQ(r->resources[2].arn, "arn:aws:sso:::account/111111111111");
  EXPECT_EQ(r->request_tags.at("Owner"), "team-a");
  auto all = policy_request_for("sso", "ProvisionPermissionSet",
                                {{"InstanceArn", instance}, {"PermissionSetArn", dev_ps}, {"TargetType", "ALL_PROVISIONED_ACCOUNTS"}},
                                {"123456789012"}, nullptr, false);
  ASSERT_TRUE(all);
  EXPECT_EQ(all->resources.size(), 2u);
  auto acct = policy_request_for("sso", "ListPermissionSetsProvisionedToAccount", {{"InstanceArn", instance}, {"AccountId", "222222222222"}},
                                 {"123456789012"}, nullptr, false);
  ASSERT_TRUE(acct);
  EXPECT_EQ(acct->resources.back().arn, "arn:aws:sso:::account/222222222222");
  auto ids = policy_request_for("identitystore", "ListUsers", {{"IdentityStoreId", "d-1234567890"}}, {"123456789012"}, nullptr, false);
  ASSERT_TRUE(ids);
  EXPECT_EQ(ids->resources.at(0).arn, "arn:aws:identitystore::123456789012:identitystore/d-1234567890");
  auto orgs = policy_request_for("organizations", "DescribeAccount", {{"AccountId", "222222222222"}}, {"123456789012"}, nullptr, false);
  ASSERT_TRUE(orgs);
  EXPECT_TRUE(orgs->resources.empty()) << "organizations calls are evaluated against *";
  auto odd = policy_request_for("sso", "ListInstances", {{"InstanceArn", 5}}, {"123456789012"}, nullptr, false);
  ASSERT_TRUE(odd);
  EXPECT_TRUE(odd->resources.empty()) << "non-string members name no resource";
}

// A fake organization: o-exampleorg1 of 123456789012 with root r-ab12.
class fake_org_resources final : public service::org_resource_source {
 public:
  result<std::optional<std::string>> arn_of(const std::string& id) override {
    const std::string base = "arn:aws:organizations::123456789012:";
    if (id == "r-ab12") return std::optional<std::string>(base + "root/o-exampleorg1/r-ab12");
    if (id.starts_with("ou-")) return std::optional<std::string>(base + "ou/o-exampleorg1/" + id);
    if (id.size() == 12) return std::optional<std::string>(base + "account/o-exampleorg1/" + id);
    return std::optional<std::string>();
  }
};

TEST(policy_request, organizations_calls_name_their_roots_ous_and_accounts) {
  fake_org_resources orgs;
  policy_scope scope{"123456789012", &orgs};
  auto acct = policy_request_for("organizations", "DescribeAccount", {{"AccountId", "222222222222"}}, scope, nullptr, false);
  ASSERT_TRUE(acct);
  ASSERT_EQ(acct->resources.size(), 1u);
  EXPECT_EQ(acct->resources[0].arn, "arn:aws:organizations::123456789012:account/o-exampleorg1/222222222222");
  auto list = policy_request_for("organizations", "ListAccountsForParent", {{"ParentId", "ou-ab12-11111111"}}, scope, nullptr, false);
  ASSERT_TRUE(list);
  ASSERT_EQ(list->resources.size(), 1u);
  EXPECT_EQ(list->resources[0].arn, "arn:aws:organizations::123456789012:ou/o-exampleorg1/ou-ab12-11111111");
  auto move = policy_request_for("organizations", "MoveAccount", {{"AccountId", "222222222222"}, {"SourceParentId", "r-ab12"},
                                 {"DestinationParentId", "ou-ab12-11111111"}}, scope, nullptr, false);
  ASSERT_TRUE(move);
  EXPECT_EQ(move->resources.size(), 3u);
  auto roots = policy_request_for("organizations", "ListRoots", json::object(), scope, nullptr, false);
  ASSERT_TRUE(roots);
  EXPECT_TRUE(roots->resources.empty()) << "ListRoots names no resource: evaluated against *";
  auto sso = policy_request_for("sso", "ListPermissionSetsProvisionedToAccount", {{"AccountId", "222222222222"}}, scope, nullptr, false);
  ASSERT_TRUE(sso);
  EXPECT_EQ(sso->resources.back().arn, "arn:aws:sso:::account/222222222222") << "sso-admin keeps its own account ARN";
}

}  // namespace atrium::proto::aws
