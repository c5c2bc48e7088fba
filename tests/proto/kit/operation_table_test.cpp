// The operation table of the JSON APIs: rows added once, with a handler, dispatched by name.
#include "proto/kit/operation_table.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

namespace atrium::proto {

using nlohmann::json;

TEST(operation_table, rows_are_added_once_and_dispatched) {
  operation_table t("test-api");
  t.add({"Echo", true, [](const json& req, const service::call_context&) -> result<json> { return req; }});
  EXPECT_THROW(t.add({"Echo", false, [](const json&, const service::call_context&) -> result<json> { return {}; }}),
               std::logic_error);
  EXPECT_THROW(t.add({"NoHandler", false, nullptr}), std::logic_error);
  EXPECT_TRUE(t.has("Echo"));
  EXPECT_TRUE(t.is_read_only("Echo"));
  EXPECT_FALSE(t.is_read_only("Missing"));
  service::call_context ctx;
  EXPECT_EQ(t.call("Echo", json{{"a", 1}}, ctx).value()["a"], 1);
  EXPECT_EQ(t.call("Missing", json::object(), ctx).error().code, errc::validation);
}

}  // namespace atrium::proto
