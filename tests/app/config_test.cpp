#include "app/config.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <string>

#include <unistd.h>

namespace atrium::app {

TEST(config, defaults_are_the_documented_ones) {
  config c;
  EXPECT_EQ(c.server.port, 8443);
  EXPECT_TRUE(c.server.tls);
  EXPECT_TRUE(c.sqlite_synchronous_full);
  EXPECT_EQ(c.sqlite_reader_connections, 10);  // worker + network threads (point reads)
  EXPECT_TRUE(c.server_inline_reads);
  EXPECT_EQ(c.quotas.max_users, 100000);
  EXPECT_EQ(c.quotas.max_groups, 100000);
  EXPECT_EQ(c.throttle.default_rate, 10000);
}

TEST(config, file_then_environment_then_flags) {
  auto file = std::filesystem::temp_directory_path() / ("atrium-config-test-" + std::to_string(::getpid()) + ".json");
  std::ofstream(file) << R"({"server": {"port": 9000, "tls": false}, "quotas.max_users": 5, "region": "eu-west-1"})";
  config c;
  ASSERT_EQ(apply_file(c, file), "");
  EXPECT_EQ(c.server.port, 9000);
  EXPECT_FALSE(c.server.tls);
  EXPECT_EQ(c.quotas.max_users, 5);
  ::setenv("ATRIUM_SERVER_PORT", "9100", 1);
  ASSERT_EQ(apply_environment(c), "");
  ::unsetenv("ATRIUM_SERVER_PORT");
  EXPECT_EQ(c.server.port, 9100);
  ASSERT_EQ(apply_setting(c, "server.port", "9200"), "");
  EXPECT_EQ(c.server.port, 9200);
  EXPECT_EQ(c.region, "eu-west-1");
  std::filesystem::remove(file);
}

TEST(config, bad_keys_and_values_name_the_key) {
  config c;
  EXPECT_NE(apply_setting(c, "server.prot", "1").find("server.prot"), std::string::npos);
  EXPECT_NE(apply_setting(c, "server.port", "70000").find("server.port"), std::string::npos);
  EXPECT_NE(apply_setting(c, "server.tls", "maybe").find("true or false"), std::string::npos);
  EXPECT_NE(apply_setting(c, "throttle.default_rate", "-1"), "");
  ASSERT_EQ(apply_setting(c, "throttle.rate.identitystore.CreateUser", "20"), "");
  EXPECT_EQ(c.throttle.rate_overrides["identitystore.CreateUser"], 20);
  ASSERT_EQ(apply_setting(c, "throttle.default_rate", "20"), "");
  EXPECT_EQ(c.throttle.default_burst, 40) << "the service's 20 TPS is one setting away";
}

TEST(config, the_first_lockout_is_one_second_unless_set_within_an_hour) {
  config c;
  EXPECT_EQ(c.portal_first_lockout_seconds, 1);
  ASSERT_EQ(apply_setting(c, "portal.first_lockout_seconds", "60"), "");
  EXPECT_EQ(c.portal_first_lockout_seconds, 60);
  EXPECT_NE(apply_setting(c, "portal.first_lockout_seconds", "0").find("portal.first_lockout_seconds"), std::string::npos);
  EXPECT_NE(apply_setting(c, "portal.first_lockout_seconds", "3601"), "");
  EXPECT_EQ(c.portal_first_lockout_seconds, 60);
}

}  // namespace atrium::app
