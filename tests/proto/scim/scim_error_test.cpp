#include "proto/scim/scim_error.hpp"

#include <gtest/gtest.h>

namespace atrium::proto::scim {
namespace {

scim_error map(errc code, std::string message) { return from_error(error{code, std::move(message), {}, {}}); }

TEST(scim_error, validation_is_400_invalid_value_with_the_message) {
  auto e = map(errc::validation, "userName must not be empty.");
  EXPECT_EQ(e.status, 400);
  EXPECT_EQ(e.scim_type, "invalidValue");
  EXPECT_EQ(e.detail, "userName must not be empty.");
}

TEST(scim_error, not_found_is_404_without_scim_type) {
  auto e = from_error(not_found("User", "u-1").error());
  EXPECT_EQ(e.status, 404);
  EXPECT_EQ(e.scim_type, "");
  EXPECT_EQ(e.detail, "User not found.");
}

TEST(scim_error, conflict_is_409_uniqueness) {
  auto e = map(errc::conflict, "userName is taken.");
  EXPECT_EQ(e.status, 409);
  EXPECT_EQ(e.scim_type, "uniqueness");
  EXPECT_EQ(e.detail, "userName is taken.");
}

TEST(scim_error, statuses_without_scim_type) {
  struct row {
    errc code;
    int status;
  };
  for (auto [code, status] : {row{errc::concurrent_modification, 412}, row{errc::access_denied, 403},
                              row{errc::unauthenticated, 401}, row{errc::throttled, 429}}) {
    auto e = map(code, "m");
    EXPECT_EQ(e.status, status) << to_string(code);
    EXPECT_EQ(e.scim_type, "") << to_string(code);
    EXPECT_EQ(e.detail, "m") << to_string(code);
  }
}

TEST(scim_error, quota_is_400_and_says_so) {
  auto e = map(errc::quota_exceeded, "At most 100 groups.");
  EXPECT_EQ(e.status, 400);
  EXPECT_EQ(e.scim_type, "");
  EXPECT_EQ(e.detail, "Service quota exceeded: At most 100 groups.");
}

TEST(scim_error, internal_never_leaks_its_message) {
  auto e = map(errc::internal, "sqlite: disk I/O error at /var/lib/atrium/atrium.db");
  EXPECT_EQ(e.status, 500);
  EXPECT_EQ(e.scim_type, "");
  EXPECT_EQ(e.detail, "Internal server error");
}

TEST(scim_error, helpers_build_the_error) {
  auto e = bad_request(scim_type::invalid_path, "bad");
  EXPECT_EQ(e.error().status, 400);
  EXPECT_EQ(e.error().scim_type, "invalidPath");
  EXPECT_EQ(e.error().detail, "bad");
}

}  // namespace
}  // namespace atrium::proto::scim
