#include "store/codec.hpp"

#include <gtest/gtest.h>

namespace atrium::store {

TEST(codec, group_and_membership_round_trip) {
  domain::group g;
  g.id = "g";
  g.display_name = "Ops";
  g.description = "on call";
  g.external_ids = {{"azure", "x"}};
  g.version = 7;
  auto back = decode_group(encode_group(g));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->description, "on call");
  EXPECT_EQ(back->external_ids, g.external_ids);
  EXPECT_EQ(back->version, 7);
  domain::membership m{"m", "g", "u", domain::member_kind::group, {}};
  auto mb = decode_membership(encode_membership(m));
  ASSERT_TRUE(mb);
  EXPECT_EQ(mb->kind, domain::member_kind::group);
}

TEST(codec, corrupt_documents_are_errors_not_crashes) {
  EXPECT_FALSE(decode_user("not json"));
  EXPECT_FALSE(decode_user("{\"id\": 5}"));
  EXPECT_FALSE(decode_group("[]"));
}

}  // namespace atrium::store
