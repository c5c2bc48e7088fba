// Which door serves a path: prefixes with their sub-paths (not look-alikes), exact paths with
// methods, the fallback, and each door's shape for the HTTP layer's own errors.
#include "proto/kit/router.hpp"

#include <gtest/gtest.h>

namespace atrium::proto {

namespace {

class named_door final : public door {
 public:
  explicit named_door(std::string name) : name_(std::move(name)) {}
  response handle(const request&) override {
    response r;
    r.body = name_;
    return r;
  }
  response transport_error(const request&, response generic) const override {
    generic.body = name_ + " error";
    return generic;
  }
  bool is_point_read(const request& req) const override { return name_ == "scim" && req.method == "GET"; }

 private:
  std::string name_;
};

request get(std::string target, std::string method = "GET") {
  request r;
  r.method = std::move(method);
  r.target = std::move(target);
  return r;
}

}  // namespace

TEST(router, prefixes_exact_paths_and_the_fallback) {
  named_door scim("scim"), portal("portal"), aws("aws");
  router rt;
  rt.add("/scim/v2", scim);
  rt.add("/portal", portal);
  rt.add_exact("/", portal, {"GET", "HEAD"});
  EXPECT_EQ(rt.handle(get("/scim/v2/Users?filter=x")).body, "scim");
  EXPECT_EQ(rt.handle(get("/scim/v2")).body, "scim");
  EXPECT_EQ(rt.handle(get("/portal/")).body, "portal");
  EXPECT_EQ(rt.handle(get("/")).body, "portal");
  EXPECT_EQ(rt.handle(get("/scim/v20/Users")).status, 404) << "no fallback yet";
  rt.set_fallback(aws);
  EXPECT_EQ(rt.handle(get("/scim/v20/Users")).body, "aws");
  EXPECT_EQ(rt.handle(get("/", "POST")).body, "aws") << "POST / is the AWS JSON APIs'";
  EXPECT_EQ(rt.transport_error(get("/scim/v2/Users", "POST"), response{}).body, "scim error");
  EXPECT_EQ(rt.transport_error(get("/", "POST"), response{}).body, "aws error");
}

// The HTTP layer asks the serving door whether a request may skip the worker pool.
TEST(router, point_reads_are_what_the_serving_door_says) {
  named_door scim("scim"), aws("aws");
  router rt;
  rt.add("/scim/v2", scim);
  EXPECT_TRUE(rt.is_point_read(get("/scim/v2/Users/1")));
  EXPECT_FALSE(rt.is_point_read(get("/scim/v2/Users", "POST")));
  EXPECT_FALSE(rt.is_point_read(get("/other"))) << "no door, no fallback";
  rt.set_fallback(aws);
  EXPECT_FALSE(rt.is_point_read(get("/other"))) << "the fallback says no";
}

}  // namespace atrium::proto
