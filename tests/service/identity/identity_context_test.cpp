// Page tokens (the use cases themselves run against the real SQLite store
// in tests/proto/aws/aws_door_test.cpp and the integration suite).
#include <gtest/gtest.h>

#include "service/identity/identity_types.hpp"

namespace atrium::service {

TEST(page_token, round_trip_and_scope_binding) {
  auto t = encode_page_token("users|", "abc-123");
  auto back = decode_page_token("users|", t);
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, "abc-123");
  EXPECT_FALSE(decode_page_token("groups|", t)) << "a token of another listing is refused";
  EXPECT_FALSE(decode_page_token("users|alice", t)) << "a token of another filter is refused";
  EXPECT_FALSE(decode_page_token("users|", "!!!"));
  EXPECT_FALSE(decode_page_token("users|", std::string(5000, 'A')));
  auto r = decode_page_token("users|", "Zm9v");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, errc::validation);
}

}  // namespace atrium::service
