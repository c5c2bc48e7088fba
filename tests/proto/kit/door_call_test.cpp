// Around every call: the call context of a request, the token bucket's Retry-After, and the
// failure record of a failed call (exactly one, with the response's error code and message).
#include "proto/kit/door_call.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "store/sqlite/sqlite_database.hpp"

namespace atrium::proto {

TEST(door_call, context_and_throttling) {
  request r{"POST", "/", {{"User-Agent", std::string(600, 'u')}}, "", "192.0.2.1", "rid-1"};
  auto ctx = context_of(r, "eu-west-1");
  EXPECT_EQ(ctx.source_ip, "192.0.2.1");
  EXPECT_EQ(ctx.user_agent.size(), 512u);
  EXPECT_EQ(ctx.request_id, "rid-1");
  EXPECT_EQ(ctx.region, "eu-west-1");
  manual_clock clk(from_epoch_millis(1'767'225'600'000));
  service::throttler t(clk, service::throttle_settings{1, 2, {}});
  EXPECT_FALSE(throttled_for(t, "x.Op"));
  EXPECT_FALSE(throttled_for(t, "x.Op"));
  auto wait = throttled_for(t, "x.Op");
  ASSERT_TRUE(wait);
  EXPECT_GE(*wait, 1);
  response res;
  add_retry_after(res, *wait);
  EXPECT_EQ(res.headers.back().first, "Retry-After");
}

TEST(door_call, a_failed_call_is_recorded_once_with_its_error) {
  auto dir = std::filesystem::temp_directory_path() / ("atrium-door-call-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  {
    manual_clock clk(from_epoch_millis(1'767'225'600'000));
    seeded_random rnd(3);
    auto db = store::sqlite::sqlite_database::open({dir / "t.db", false});
    ASSERT_TRUE(db);
    service::auditor a(clk, rnd, std::nullopt);
    service::audited_store audit(**db, a);
    service::call_context ctx;
    ctx.event_name = "CreateUser";
    response ok;
    EXPECT_EQ(finish_call(audit, ctx, ok, "identitystore").operation, "identitystore.CreateUser");
    response bad;
    bad.status = 400;
    bad.error_code = "ValidationException";
    bad.error_message = "UserName is required.";
    finish_call(audit, ctx, bad, "identitystore");
    // A write after the detached one: the writer thread runs jobs in order.
    ASSERT_TRUE((*db)->write([](store::transaction&) -> result<void> { return {}; }));
    std::vector<store::audit_record> recs;
    ASSERT_TRUE((*db)->read([&](store::transaction& tx) -> result<void> {
      auto q = tx.audit().query({});
      if (!q) return std::unexpected(q.error());
      recs = std::move(*q);
      return {};
    }));
    ASSERT_EQ(recs.size(), 1u) << "a successful call is audited by its use case, not here";
    EXPECT_EQ(recs[0].error_code, "ValidationException");
    EXPECT_EQ(nlohmann::json::parse(recs[0].json)["errorMessage"], "UserName is required.");
  }
  std::filesystem::remove_all(dir);
}

}  // namespace atrium::proto
