// identitystore request shapes: malformed requests are error values, never exceptions.
#include "proto/aws/identitystore_shapes.hpp"

#include <gtest/gtest.h>

namespace atrium::proto::aws {

TEST(identitystore_shapes, non_object_requests_are_errors_not_exceptions) {
  for (const char* text : {"7", "\"s\"", "[1,2]", "null", "true"}) {
    auto j = nlohmann::json::parse(text);
    EXPECT_FALSE(user_from_request(j)) << text;
    EXPECT_FALSE(group_from_request(j)) << text;
    EXPECT_FALSE(only_members(j, {"A"})) << text;
    EXPECT_FALSE(attribute_operations(j)) << text;
    EXPECT_FALSE(alternate_identifier(j)) << text;
  }
}

}  // namespace atrium::proto::aws
