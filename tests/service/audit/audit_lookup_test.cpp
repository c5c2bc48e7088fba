// The audit trail read back a page at a time (CloudTrail's LookupEvents behind the console's
// audit view): newest first, by event name and time, pages that neither repeat nor skip records
// of different milliseconds, limits refused.
#include "service/audit/audit_lookup.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "service/identity/identity_fixture.hpp"

namespace atrium::service {

namespace {

class audit_lookup_test : public testing::identity_fixture {
 protected:
  // Three users (the fixture's quota) created one second apart: CreateUser records at 0, 1, 2 s.
  void make_users() {
    for (int i = 0; i < 3; ++i) {
      ASSERT_TRUE(ids_->users.create_user(ctx_, user("u" + std::to_string(i))));
      clk_.advance(std::chrono::seconds(1));
    }
  }
};

}  // namespace

TEST_F(audit_lookup_test, pages_newest_first_by_event_name) {
  ctx_.event_name = "CreateUser";
  make_users();
  audit_lookup lookup(*audited_);
  call_context reader;
  reader.event_name = "LookupEvents";
  auto first = lookup.lookup(reader, {std::string("CreateUser"), std::nullopt, std::nullopt, std::nullopt, 2, 0});
  ASSERT_TRUE(first) << first.error().message;
  ASSERT_EQ(first->events.size(), 2u);
  EXPECT_GT(first->events[0].event_time, first->events[1].event_time);
  ASSERT_TRUE(first->next_until);
  auto last = lookup.lookup(reader, {std::string("CreateUser"), std::nullopt, std::nullopt, first->next_until, 2,
                                     first->next_skip});
  ASSERT_TRUE(last);
  ASSERT_EQ(last->events.size(), 1u);
  EXPECT_LT(last->events[0].event_time, first->events[1].event_time);
  EXPECT_FALSE(last->next_until) << "no token after the last page";
}

TEST_F(audit_lookup_test, records_of_one_millisecond_are_paged_without_repeats_or_gaps) {
  ctx_.event_name = "CreateUser";
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(ids_->users.create_user(ctx_, user("same" + std::to_string(i))));
  audit_lookup lookup(*audited_);
  call_context reader;
  std::vector<std::string> seen;
  audit_lookup_query q{std::string("CreateUser"), std::nullopt, std::nullopt, std::nullopt, 1, 0};
  for (int page = 0; page < 5; ++page) {
    auto r = lookup.lookup(reader, q);
    ASSERT_TRUE(r) << r.error().message;
    for (const auto& e : r->events) seen.push_back(e.event_id);
    if (!r->next_until) break;
    q.until = r->next_until;
    q.skip = r->next_skip;
  }
  ASSERT_EQ(seen.size(), 3u);
  std::sort(seen.begin(), seen.end());
  EXPECT_EQ(std::unique(seen.begin(), seen.end()), seen.end()) << "no record twice";
}

TEST_F(audit_lookup_test, a_time_range_and_the_limits) {
  ctx_.event_name = "CreateUser";
  auto start = clk_.now();
  make_users();
  audit_lookup lookup(*audited_);
  call_context reader;
  auto middle = lookup.lookup(reader, {std::string("CreateUser"), std::nullopt, start + std::chrono::seconds(1),
                                       start + std::chrono::seconds(2), 50, 0});
  ASSERT_TRUE(middle);
  EXPECT_EQ(middle->events.size(), 2u) << "inclusive bounds: the records at 1 and 2 seconds";
  EXPECT_FALSE(lookup.lookup(reader, {std::nullopt, std::nullopt, std::nullopt, std::nullopt, 0, 0}));
  EXPECT_FALSE(lookup.lookup(reader, {std::nullopt, std::nullopt, std::nullopt, std::nullopt, 51, 0}));
  EXPECT_FALSE(lookup.lookup(reader, {std::nullopt, std::nullopt, start + std::chrono::seconds(2), start, 10, 0}));
}

}  // namespace atrium::service
