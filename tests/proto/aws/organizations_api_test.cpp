// The organizations API as pure functions of a JSON request over the real service and store:
// NextToken paging, request validation and Organizations' error names.
#include "proto/aws/organizations_api.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "crypto/primitives.hpp"
#include "proto/aws/identitystore_shapes.hpp"
#include "store/sqlite/sqlite_database.hpp"

namespace atrium::proto::aws {

using nlohmann::json;

class organizations_api_test : public ::testing::Test {
 protected:
  void SetUp() override {
    crypto::init();
    dir_ = std::filesystem::temp_directory_path() /
           ("atrium-orgapi-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    auto db = store::sqlite::sqlite_database::open({dir_ / "t.db", false});
    ASSERT_TRUE(db) << db.error().message;
    db_ = std::move(*db);
    audit_ = std::make_unique<service::auditor>(clk_, rnd_, std::nullopt);
    audited_ = std::make_unique<service::audited_store>(*db_, *audit_);
    svc_ = std::make_unique<service::organization_service>(*audited_, clk_, rnd_, "111122223333");
    api_ = std::make_unique<organizations_api>(*svc_);
    ctx_.who.arn = "arn:aws:iam::111122223333:user/admin";
  }
  void TearDown() override {
    api_.reset();
    svc_.reset();
    db_.reset();
    std::filesystem::remove_all(dir_);
  }
  result<json> call(std::string_view op, const json& req) {
    auto c = ctx_;
    c.event_name = std::string(op);
    c.read_only = api_->is_read_only(op);
    return api_->call(op, req, c);
  }
  std::string wire_type(const result<json>& r) { return r ? "" : api_->map_error(r.error()).type; }

  seeded_random rnd_{9};
  manual_clock clk_{from_epoch_millis(1'763'900'000'000)};
  std::filesystem::path dir_;
  std::unique_ptr<store::database> db_;
  std::unique_ptr<service::auditor> audit_;
  std::unique_ptr<service::audited_store> audited_;
  std::unique_ptr<service::organization_service> svc_;
  std::unique_ptr<organizations_api> api_;
  service::call_context ctx_;
};

TEST_F(organizations_api_test, next_token_pages_cover_every_account_once) {
  for (int i = 0; i < 5; ++i)
    ASSERT_TRUE(svc_->register_account(ctx_, {"20000000000" + std::to_string(i), "a", "a@example.com", ""}));
  std::vector<std::string> ids;
  json req{{"MaxResults", 2}};
  for (int guard = 0; guard < 10; ++guard) {
    auto r = call("ListAccounts", req);
    ASSERT_TRUE(r) << r.error().message;
    for (const auto& a : (*r)["Accounts"]) ids.push_back(a["Id"]);
    if (!r->contains("NextToken")) break;
    req["NextToken"] = (*r)["NextToken"];
  }
  EXPECT_EQ(ids.size(), 6u) << "five accounts and the management account";
  EXPECT_TRUE(std::is_sorted(ids.begin(), ids.end()));
}

TEST_F(organizations_api_test, requests_are_validated_in_organizations_terms) {
  auto big = call("ListAccounts", {{"MaxResults", 21}});
  ASSERT_EQ(wire_type(big), "InvalidInputException");
  EXPECT_EQ(api_->map_error(big.error()).extra["Reason"], "MAX_VALUE_EXCEEDED");
  auto token = call("ListAccounts", {{"NextToken", "garbage!"}});
  EXPECT_EQ(api_->map_error(token.error()).extra["Reason"], "INVALID_NEXT_TOKEN");
  auto missing = call("ListAccountsForParent", json::object());
  EXPECT_EQ(api_->map_error(missing.error()).extra["Reason"], "INPUT_REQUIRED");
  auto type = call("ListChildren", {{"ParentId", "r-abcd"}, {"ChildType", "POLICY"}});
  EXPECT_EQ(wire_type(type), "InvalidInputException");
  auto unknown = call("DescribeOrganization", {{"Foo", 1}});
  EXPECT_EQ(wire_type(unknown), "InvalidInputException");
  EXPECT_EQ(wire_type(call("DescribeAccount", {{"AccountId", "999999999999"}})), "AccountNotFoundException");
  EXPECT_EQ(wire_type(call("ListAccountsForParent", {{"ParentId", "ou-abcd-abcdefgh"}})), "ParentNotFoundException");
}

// CloudTrail keeps Organizations' identifiers as sent and masks names (audit_parameters).
TEST_F(organizations_api_test, audit_keeps_its_identifiers_and_masks_names) {
  auto p = audit_parameters({{"OrganizationalUnitId", "ou-abcd-abcdefgh"}, {"Name", "Prod"}, {"AccountId", "111122223333"}},
                            api_->audited_members());
  EXPECT_EQ(p["OrganizationalUnitId"], "ou-abcd-abcdefgh");
  EXPECT_EQ(p["AccountId"], "111122223333");
  EXPECT_EQ(p["Name"], "HIDDEN_DUE_TO_SECURITY_REASONS");
}

TEST(organizations_error, names_follow_the_resource_kind) {
  EXPECT_EQ(organizations_error(error{errc::not_found, "m", "SOURCE_PARENT", ""}).type, "SourceParentNotFoundException");
  EXPECT_EQ(organizations_error(error{errc::not_found, "m", "DESTINATION_PARENT", ""}).type,
            "DestinationParentNotFoundException");
  EXPECT_EQ(organizations_error(error{errc::not_found, "m", "CHILD", ""}).type, "ChildNotFoundException");
  EXPECT_EQ(organizations_error(error{errc::conflict, "m", "OU_NOT_EMPTY", ""}).type, "OrganizationalUnitNotEmptyException");
  EXPECT_EQ(organizations_error(error{errc::conflict, "m", "DUPLICATE_OU", ""}).type, "DuplicateOrganizationalUnitException");
  auto internal = organizations_error(error{errc::internal, "disk on fire", "", ""});
  EXPECT_EQ(internal.status, 500);
  EXPECT_EQ(internal.message.find("disk"), std::string::npos) << "internal details stay in our logs";
}

}  // namespace atrium::proto::aws
