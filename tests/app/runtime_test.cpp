// The composition root: a deployment's ids survive a restart, and the router sends each path to
// its door with that door's error shape (SCIM errors under /scim/v2, AWS JSON elsewhere);
// /readyz on either store kind (issue 13 item 4).
#include "app/runtime.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include <sqlite3.h>

#include "../store/pg_cluster.hpp"
#include "store/sqlite/migrations.hpp"

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

// Issue 18 item 3: which requests the wired doors let the HTTP layer serve on the network
// thread. Reads that an index answers do, and a tile's launch (one read, then CPU without
// waits: issue 15 item 9); writes, password sign-in, other APIs' reads, SCIM scans and pages by
// offset, and static files (disk) do not.
TEST_F(runtime_test, the_wired_doors_name_their_point_reads) {
  auto rt = open();
  rt->open_portal(8443);  // serve() does this once it knows its port
  auto& routes = rt->routes();
  auto req = [](std::string method, std::string target, std::string amz_target = "") {
    proto::request r{std::move(method), std::move(target), {}, "", "127.0.0.1", "r1"};
    if (!amz_target.empty()) r.headers.emplace_back("X-Amz-Target", std::move(amz_target));
    return r;
  };
  EXPECT_TRUE(routes.is_point_read(req("POST", "/", "AWSIdentityStore.DescribeUser")));
  EXPECT_TRUE(routes.is_point_read(req("POST", "/", "AWSIdentityStore.ListUsers")));
  EXPECT_TRUE(routes.is_point_read(req("POST", "/", "AWSIdentityStore.GetUserId")));
  EXPECT_FALSE(routes.is_point_read(req("POST", "/", "AWSIdentityStore.CreateUser")));
  EXPECT_FALSE(routes.is_point_read(req("POST", "/", "AWSIdentityStore.NoSuchOperation")));
  EXPECT_FALSE(routes.is_point_read(req("POST", "/", "AWSOrganizationsV20161128.ListAccounts"))) << "other APIs' reads";
  EXPECT_FALSE(routes.is_point_read(req("POST", "/"))) << "no X-Amz-Target";
  EXPECT_TRUE(routes.is_point_read(req("POST", "/portal/api/console", "AWSIdentityStore.DescribeUser")));
  EXPECT_FALSE(routes.is_point_read(req("POST", "/portal/api/console", "AWSIdentityStore.DeleteUser")));
  EXPECT_TRUE(routes.is_point_read(req("GET", "/scim/v2/Users/abc")));
  EXPECT_TRUE(routes.is_point_read(req("GET", "/scim/v2/Users?filter=userName%20eq%20%22a%22")));
  EXPECT_FALSE(routes.is_point_read(req("GET", "/scim/v2/Users?filter=userName%20sw%20%22a%22"))) << "may scan";
  EXPECT_FALSE(routes.is_point_read(req("GET", "/scim/v2/Users?filter=userName%20eq%20%22a%22&startIndex=5")));
  EXPECT_FALSE(routes.is_point_read(req("GET", "/scim/v2/Users"))) << "a page by offset";
  EXPECT_FALSE(routes.is_point_read(req("GET", "/scim/v2/Users?filter=groups.value%20eq%20%22g%22")))
      << "users in a group: nested groups are expanded first";
  EXPECT_FALSE(routes.is_point_read(req("PATCH", "/scim/v2/Users/abc")));
  EXPECT_TRUE(routes.is_point_read(req("GET", "/portal/api/session")));
  EXPECT_TRUE(routes.is_point_read(req("GET", "/portal/api/portal/accounts")));
  EXPECT_FALSE(routes.is_point_read(req("POST", "/portal/api/signin/password")));
  EXPECT_TRUE(routes.is_point_read(req("POST", "/portal/api/applications/apl-1234567890abcdef/launch")));
  EXPECT_FALSE(routes.is_point_read(req("GET", "/portal/api/applications/apl-1234567890abcdef/launch")));
  EXPECT_FALSE(routes.is_point_read(req("POST", "/portal/api/applications/x/y/launch"))) << "not a tile's launch";
  EXPECT_FALSE(routes.is_point_read(req("POST", "/portal/api/applications//launch")));
  EXPECT_FALSE(routes.is_point_read(req("POST", "/portal/api/saml/continue"))) << "marks the request answered: a write";
  EXPECT_FALSE(routes.is_point_read(req("GET", "/portal/index.html"))) << "static files read the disk";
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

namespace {
proto::response get_readyz(runtime& rt) { return rt.routes().handle({"GET", "/readyz", {}, "", "127.0.0.1", "r"}); }
std::string newer_schema_sql() {
  return "INSERT INTO schema_migrations VALUES (" + std::to_string(store::sqlite::migrations().size() + 1) +
         ", '9999_future', 0)";
}
}  // namespace

TEST_F(runtime_test, readyz_on_sqlite_says_whether_the_schema_is_this_binarys) {
  auto rt = open();
  auto ok = get_readyz(*rt);
  EXPECT_EQ(ok.status, 200);
  EXPECT_EQ(json::parse(ok.body)["status"], "ready");
  // A newer binary migrated the file further (another process): this node is alive, not ready.
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(cfg_.db_file().c_str(), &raw), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(raw, newer_schema_sql().c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(raw);
  auto down = get_readyz(*rt);
  EXPECT_EQ(down.status, 503);
  EXPECT_EQ(json::parse(down.body)["status"], "unavailable");
}

TEST_F(runtime_test, on_postgresql_ids_survive_a_restart_and_readyz_follows_the_schema) {
  std::string why;
  auto& cluster = atrium::test::pg_cluster::instance();
  if (!cluster.available(why)) GTEST_SKIP() << why;
  auto name = cluster.create_database();
  ASSERT_FALSE(name.empty());
  cfg_.store_kind = "postgresql";
  cfg_.pg_conninfo = cluster.conninfo(name);
  cfg_.pg_pool_size = 2;
  deployment_ids first;
  {
    auto rt = open();
    first = rt->ids();
    EXPECT_EQ(get_readyz(*rt).status, 200);
  }
  EXPECT_FALSE(std::filesystem::exists(cfg_.db_file())) << "no SQLite file beside a PostgreSQL store";
  auto rt = open();
  EXPECT_EQ(rt->ids().identity_store_id, first.identity_store_id);
  (void)cluster.query(name, newer_schema_sql());
  EXPECT_EQ(get_readyz(*rt).status, 503);
  rt.reset();
  cluster.drop_database(name);
}

}  // namespace atrium::app
