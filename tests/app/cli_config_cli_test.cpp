// `atrium admin cli-config`'s endpoint rule set: botocore's rule-set format, the caller's own
// endpoint URL first, then Atrium's.
#include "app/cli_config_cli.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace atrium::app {

namespace {

TEST(cli_config, rule_set_answers_the_endpoint_unless_the_caller_set_one) {
  auto rules = nlohmann::json::parse(endpoint_rule_set("https://atrium.example.com:8443"));
  EXPECT_EQ(rules["version"], "1.0");
  for (const char* p : {"Region", "UseDualStack", "UseFIPS", "Endpoint"}) EXPECT_TRUE(rules["parameters"].contains(p)) << p;
  EXPECT_EQ(rules["parameters"]["Endpoint"]["builtIn"], "SDK::Endpoint");
  ASSERT_EQ(rules["rules"].size(), 2u);
  EXPECT_EQ(rules["rules"][0]["conditions"][0]["fn"], "isSet");
  EXPECT_EQ(rules["rules"][0]["endpoint"]["url"], nlohmann::json({{"ref", "Endpoint"}}));
  EXPECT_TRUE(rules["rules"][1]["conditions"].empty());
  EXPECT_EQ(rules["rules"][1]["endpoint"]["url"], "https://atrium.example.com:8443");
  EXPECT_EQ(rules["rules"][1]["type"], "endpoint");
}

}  // namespace

}  // namespace atrium::app
