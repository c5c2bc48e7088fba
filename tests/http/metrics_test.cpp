#include "http/metrics.hpp"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace atrium::http {

TEST(metrics, prometheus_text_with_cumulative_buckets) {
  metrics_registry m;
  m.observe("identitystore.CreateUser", 200, std::chrono::microseconds(700));
  m.observe("identitystore.CreateUser", 200, std::chrono::microseconds(3000));
  m.observe("identitystore.CreateUser", 400, std::chrono::microseconds(20));
  m.set_gauge("atrium_users", "Users in the identity store.", 42);
  auto text = m.render();
  EXPECT_NE(text.find("# TYPE atrium_http_requests_total counter"), std::string::npos);
  EXPECT_NE(text.find(R"(atrium_http_requests_total{operation="identitystore.CreateUser",code="200"} 2)"), std::string::npos);
  EXPECT_NE(text.find(R"(atrium_http_requests_total{operation="identitystore.CreateUser",code="400"} 1)"), std::string::npos);
  // le=0.001 holds the 20 us and 700 us observations; le=0.005 all three.
  EXPECT_NE(text.find(R"(atrium_http_request_duration_seconds_bucket{operation="identitystore.CreateUser",le="0.001"} 2)"), std::string::npos);
  EXPECT_NE(text.find(R"(atrium_http_request_duration_seconds_bucket{operation="identitystore.CreateUser",le="0.005"} 3)"), std::string::npos);
  EXPECT_NE(text.find(R"(atrium_http_request_duration_seconds_count{operation="identitystore.CreateUser"} 3)"), std::string::npos);
  EXPECT_NE(text.find("atrium_users 42"), std::string::npos);
}

TEST(metrics, label_values_are_escaped) {
  metrics_registry m;
  m.observe("a\"b\\c\nd", 200, std::chrono::microseconds(1));
  EXPECT_NE(m.render().find(R"(operation="a\"b\\c\nd")"), std::string::npos);
}

}  // namespace atrium::http

namespace atrium::http {

TEST(metrics, histogram_has_every_bucket_sum_count_and_type_lines) {
  metrics_registry m;
  m.observe("op", 200, std::chrono::microseconds(500));      // exactly on 0.0005
  m.observe("op", 200, std::chrono::milliseconds(20));
  m.observe("op", 503, std::chrono::seconds(30));              // only +Inf
  auto text = m.render();
  EXPECT_NE(text.find("# HELP atrium_http_request_duration_seconds "), std::string::npos);
  EXPECT_NE(text.find("# TYPE atrium_http_request_duration_seconds histogram\n"), std::string::npos);
  for (const char* le : {"0.0005", "0.001", "0.0025", "0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5",
                         "1", "2.5", "5", "10", "+Inf"})
    EXPECT_NE(text.find(std::string(R"(atrium_http_request_duration_seconds_bucket{operation="op",le=")") + le + "\"}"),
              std::string::npos)
        << le;
  EXPECT_NE(text.find(R"(_bucket{operation="op",le="0.0005"} 1)"), std::string::npos);
  EXPECT_NE(text.find(R"(_bucket{operation="op",le="0.01"} 1)"), std::string::npos);
  EXPECT_NE(text.find(R"(_bucket{operation="op",le="0.025"} 2)"), std::string::npos);
  EXPECT_NE(text.find(R"(_bucket{operation="op",le="10"} 2)"), std::string::npos);
  EXPECT_NE(text.find(R"(_bucket{operation="op",le="+Inf"} 3)"), std::string::npos);
  EXPECT_NE(text.find(R"(atrium_http_request_duration_seconds_sum{operation="op"} 30.0205)"), std::string::npos);
  EXPECT_NE(text.find(R"(atrium_http_request_duration_seconds_count{operation="op"} 3)"), std::string::npos);
  EXPECT_NE(text.find(R"(atrium_http_requests_total{operation="op",code="503"} 1)"), std::string::npos);
  EXPECT_EQ(text.back(), '\n');
}

TEST(metrics, empty_registry_still_describes_its_families) {
  metrics_registry m;
  auto text = m.render();
  EXPECT_NE(text.find("# TYPE atrium_http_requests_total counter"), std::string::npos);
  EXPECT_NE(text.find("# TYPE atrium_http_request_duration_seconds histogram"), std::string::npos);
}

TEST(metrics, gauges_have_help_and_type_and_are_replaced) {
  metrics_registry m;
  m.set_gauge("atrium_groups", "Groups.\nSecond line \\ here", 1);
  m.set_gauge("atrium_groups", "Groups.\nSecond line \\ here", 2.5);
  m.set_gauge("bad name-1", "x", 0);
  auto text = m.render();
  EXPECT_NE(text.find("# HELP atrium_groups Groups.\\nSecond line \\\\ here\n# TYPE atrium_groups gauge\natrium_groups 2.5\n"),
            std::string::npos)
      << text;
  EXPECT_EQ(text.find("atrium_groups 1\n"), std::string::npos);
  EXPECT_NE(text.find("\nbad_name_1 0\n"), std::string::npos);
}

TEST(metrics, observations_from_many_threads_are_all_counted) {
  metrics_registry m;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&m] {
      for (int i = 0; i < 1000; ++i) m.observe("op", 200, std::chrono::microseconds(i));
    });
  for (auto& t : threads) t.join();
  EXPECT_NE(m.render().find(R"(atrium_http_requests_total{operation="op",code="200"} 4000)"), std::string::npos);
}

}  // namespace atrium::http
