// Request bodies as JSON objects: the size limit, the media type, the depth check before the
// parser, empty bodies, and non-objects, in that order.
#include "proto/kit/json_body.hpp"

#include <gtest/gtest.h>

namespace atrium::proto {

namespace {
request with(std::string body, std::string content_type = "application/json") {
  request r;
  r.method = "POST";
  r.target = "/";
  r.body = std::move(body);
  if (!content_type.empty()) r.headers.emplace_back("Content-Type", std::move(content_type));
  return r;
}
}  // namespace

TEST(json_body, checks_in_order) {
  body_rules strict{16, {"application/scim+json", "application/json"}, false};
  EXPECT_EQ(read_json_body(with(std::string(17, ' '), "text/plain"), strict).error(), body_problem::too_large)
      << "size before media type";
  EXPECT_EQ(read_json_body(with("{}", "text/plain"), strict).error(), body_problem::wrong_media_type);
  EXPECT_EQ(read_json_body(with("{}", "Application/SCIM+JSON; charset=utf-8"), strict)->size(), 0u);
  EXPECT_EQ(read_json_body(with(""), strict).error(), body_problem::not_a_json_object);
  EXPECT_EQ(read_json_body(with("[1]"), strict).error(), body_problem::not_a_json_object);
  body_rules deep{0, {}, false};
  EXPECT_EQ(read_json_body(with(std::string(100, '[') + std::string(100, ']')), deep).error(), body_problem::too_deep);
}

TEST(json_body, empty_bodies_read_as_an_object_when_asked) {
  body_rules aws{0, {}, true};
  auto empty = read_json_body(with("", ""), aws);
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->is_object());
  EXPECT_EQ((*read_json_body(with(R"({"a":1})", ""), aws))["a"], 1);
  EXPECT_FALSE(media_type_is(nullptr, {"application/json"}));
}

}  // namespace atrium::proto
