// One AWS JSON API: its names in each place the door uses them, its operation table and its
// own error shapes.
#include "proto/aws/json_api.hpp"

#include <gtest/gtest.h>

#include "base/conflict.hpp"

namespace atrium::proto::aws {

using nlohmann::json;

TEST(json_api, names_table_and_error_shapes) {
  json_api plain({"AWSThing", "thing", "thing", "thing.amazonaws.com", {"ThingId"}});
  EXPECT_EQ(plain.target_prefix(), "AWSThing");
  EXPECT_EQ(plain.audited_members().size(), 1u);
  plain.add({"DescribeThing", true, [](const json&, const service::call_context&) -> result<json> {
               return not_found("THING", "t-1");
             }});
  service::call_context ctx;
  auto r = plain.call("DescribeThing", json::object(), ctx);
  ASSERT_FALSE(r);
  EXPECT_EQ(plain.map_error(r.error()).extra["ResourceType"], "THING") << "identitystore's shape by default";
  json_api terse({"AWSOther", "other", "other", "other.amazonaws.com", {}}, [](const error& e) {
    auto out = to_aws_error(e);
    out.extra = json::object();
    return out;
  });
  EXPECT_TRUE(terse.map_error(r.error()).extra.empty());
  EXPECT_FALSE(terse.has("DescribeThing"));
}

// The identitystore model's ConflictException Reason: UNIQUENESS_CONSTRAINT_VIOLATION only for a
// uniqueness violation (the store marks it), CONCURRENT_MODIFICATION for a stale version, and
// none for a conflict of state (e.g. EnableAutomaticProvisioning when it is enabled already).
TEST(to_aws_error, the_conflict_reason_follows_the_cause) {
  auto unique = to_aws_error(uniqueness_violation("Duplicate UserName"));
  EXPECT_EQ(unique.type, "ConflictException");
  EXPECT_EQ(unique.extra, (json{{"Reason", "UNIQUENESS_CONSTRAINT_VIOLATION"}}));
  auto stale = to_aws_error(error{errc::concurrent_modification, "The user changed meanwhile.", {}, {}});
  EXPECT_EQ(stale.type, "ConflictException");
  EXPECT_EQ(stale.extra, (json{{"Reason", "CONCURRENT_MODIFICATION"}}));
  auto state = to_aws_error(error{errc::conflict, "Automatic provisioning is already enabled.", {}, {}});
  EXPECT_EQ(state.type, "ConflictException");
  EXPECT_EQ(state.message, "Automatic provisioning is already enabled.");
  EXPECT_TRUE(state.extra.empty()) << state.extra.dump();
}

}  // namespace atrium::proto::aws
