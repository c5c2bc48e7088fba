// The composition root: a deployment's ids survive a restart, and the router sends each path to
// its door with that door's error shape (SCIM errors under /scim/v2, AWS JSON elsewhere).
#include "app/runtime.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <nlohmann/json.hpp>

namespace atrium::app {

using nlohmann::json;

class runtime_test : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("atrium-runtime-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
    cfg_.data_dir = dir_;
    cfg_.audit_file = false;
    cfg_.sqlite_reader_connections = 1;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::unique_ptr<runtime> open() { return runtime::open(cfg_, {&clk_, &rnd_}); }

  std::filesystem::path dir_;
  config cfg_;
  manual_clock clk_{from_epoch_millis(1'767'225'600'000)};
  seeded_random rnd_{7};
};

TEST_F(runtime_test, ids_survive_a_restart) {
  deployment_ids first;
  {
    auto rt = open();
    first = rt->ids();
    EXPECT_TRUE(first.identity_store_id.starts_with("d-"));
    EXPECT_EQ(first.account_id.size(), 12u);
    EXPECT_TRUE(first.instance_arn.ends_with(first.instance_id));
  }
  auto again = open();
  EXPECT_EQ(again->ids().identity_store_id, first.identity_store_id);
  EXPECT_EQ(again->ids().instance_id, first.instance_id);
}

TEST_F(runtime_test, the_router_gives_each_door_its_paths_and_error_shape) {
  auto rt = open();
  auto& routes = rt->routes();
  proto::request scim{"GET", "/scim/v2/Users", {}, "", "127.0.0.1", "r1"};
  auto s = routes.handle(scim);
  EXPECT_EQ(s.status, 401);
  EXPECT_EQ(json::parse(s.body)["schemas"][0], "urn:ietf:params:scim:api:messages:2.0:Error");
  proto::request aws{"POST", "/", {{"X-Amz-Target", "AWSIdentityStore.ListUsers"}}, "{}", "127.0.0.1", "r2"};
  auto a = routes.handle(aws);
  EXPECT_EQ(json::parse(a.body)["__type"], "MissingAuthenticationTokenException");
  proto::response too_large;
  too_large.status = 413;
  auto shaped = routes.transport_error(scim, too_large);
  EXPECT_EQ(json::parse(shaped.body)["status"], "413");
  EXPECT_EQ(routes.transport_error(aws, too_large).body, too_large.body) << "the AWS door keeps the server's answer";
}

}  // namespace atrium::app
