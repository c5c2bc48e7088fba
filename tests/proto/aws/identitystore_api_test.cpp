// The identitystore operations as rows of the table, called without the door: every row checks
// the identity store first, and each answers in the service model's shapes. (Through the door,
// signed: aws_door_test.cpp and tests/golden/identitystore.)
#include "proto/aws/identitystore_api.hpp"

#include <gtest/gtest.h>

#include "service/identity/identity_fixture.hpp"

namespace atrium::proto::aws {

using nlohmann::json;

class identitystore_api_test : public service::testing::identity_fixture {
 protected:
  json call(const std::string& op, json req) {
    identitystore_api api(*ids_);
    auto r = api.call(op, req, ctx_);
    if (!r) return json{{"error", api.map_error(r.error()).type}};
    return *r;
  }
};

TEST_F(identitystore_api_test, nineteen_operations_each_checking_the_store_first) {
  identitystore_api api(*ids_);
  for (const char* op : {"CreateUser", "DescribeUser", "UpdateUser", "DeleteUser", "ListUsers", "GetUserId",
                         "CreateGroup", "DescribeGroup", "UpdateGroup", "DeleteGroup", "ListGroups", "GetGroupId",
                         "CreateGroupMembership", "DeleteGroupMembership", "DescribeGroupMembership",
                         "GetGroupMembershipId", "ListGroupMemberships", "ListGroupMembershipsForMember",
                         "IsMemberInGroups"}) {
    EXPECT_TRUE(api.has(op)) << op;
    EXPECT_EQ(call(op, json{{"IdentityStoreId", "d-9999999999"}})["error"], "ResourceNotFoundException") << op;
  }
  EXPECT_TRUE(api.is_read_only("ListUsers"));
  EXPECT_FALSE(api.is_read_only("CreateUser"));
}

TEST_F(identitystore_api_test, users_groups_and_memberships_in_the_models_shapes) {
  const std::string sid = "d-0123456789";
  auto u = call("CreateUser", {{"IdentityStoreId", sid}, {"UserName", "alice"}, {"DisplayName", "A"},
                               {"Name", {{"GivenName", "A"}, {"FamilyName", "L"}}}});
  ASSERT_TRUE(u.contains("UserId")) << u;
  auto g = call("CreateGroup", {{"IdentityStoreId", sid}, {"DisplayName", "ops"}});
  auto m = call("CreateGroupMembership",
                {{"IdentityStoreId", sid}, {"GroupId", g["GroupId"]}, {"MemberId", {{"UserId", u["UserId"]}}}});
  ASSERT_TRUE(m.contains("MembershipId")) << m;
  auto listed = call("ListGroupMembershipsForMember", {{"IdentityStoreId", sid}, {"MemberId", {{"UserId", u["UserId"]}}}});
  ASSERT_EQ(listed["GroupMemberships"].size(), 1u);
  EXPECT_EQ(listed["GroupMemberships"][0]["GroupId"], g["GroupId"]);
  EXPECT_EQ(call("UpdateUser", {{"IdentityStoreId", sid}, {"UserId", u["UserId"]},
                                {"Operations", {{{"AttributePath", "displayName"}, {"AttributeValue", "Alice"}}}}}),
            json::object());
  EXPECT_EQ(call("DescribeUser", {{"IdentityStoreId", sid}, {"UserId", u["UserId"]}})["DisplayName"], "Alice");
}

}  // namespace atrium::proto::aws
