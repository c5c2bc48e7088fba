#include "http/metrics.hpp"

#include <gtest/gtest.h>

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
