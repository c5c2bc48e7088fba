// The request value every door takes: headers by name (case-insensitive, first match) and the
// path without its query.
#include "proto/kit/exchange.hpp"

#include <gtest/gtest.h>

namespace atrium::proto {

TEST(exchange, headers_and_path) {
  request r{"GET", "/scim/v2/Users?filter=userName%20eq%20%22a%22", {{"Content-Type", "a"}, {"content-type", "b"}}, "", "", ""};
  ASSERT_TRUE(r.header("CONTENT-TYPE"));
  EXPECT_EQ(*r.header("CONTENT-TYPE"), "a");
  EXPECT_EQ(r.header("Accept"), nullptr);
  EXPECT_EQ(r.path(), "/scim/v2/Users");
  response s;
  EXPECT_EQ(s.status, 200);
  EXPECT_EQ(s.content_type, "application/json");
}

}  // namespace atrium::proto
