// JSON crossing a layer as text: compact, invalid UTF-8 replaced instead of thrown, member order
// kept when asked, and empty or broken text reading as null.
#include "base/json_text.hpp"

#include <gtest/gtest.h>

namespace atrium {

TEST(json_text, round_trips_and_refusals) {
  EXPECT_EQ(to_json_text({{"b", 1}, {"a", "x"}}), R"({"a":"x","b":1})");
  EXPECT_EQ(ordered_to_json_text(nlohmann::ordered_json{{"b", 1}, {"a", "x"}}), R"({"b":1,"a":"x"})");
  EXPECT_EQ(to_json_text(nlohmann::json(std::string("\xff"))), "\"\xEF\xBF\xBD\"");
  EXPECT_TRUE(from_json_text("").is_null());
  EXPECT_TRUE(from_json_text("{not json").is_null());
  EXPECT_EQ(from_json_text(R"({"a":[1,2]})")["a"][1], 2);
  EXPECT_EQ(ordered_from_json_text(R"({"z":1,"a":2})").begin().key(), "z");
  auto render = json_text_of([](int n) { return nlohmann::json{{"n", n}}; });
  EXPECT_EQ(render(3), R"({"n":3})");
}

}  // namespace atrium
