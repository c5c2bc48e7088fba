#include "base/random.hpp"
#include "base/clock.hpp"

#include <gtest/gtest.h>

#include <regex>
#include <set>

namespace atrium {

TEST(random, uuid4_format_and_uniqueness) {
  seeded_random rnd(42);
  std::regex re("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$");
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    auto u = rnd.uuid4();
    EXPECT_TRUE(std::regex_match(u, re)) << u;
    seen.insert(u);
  }
  EXPECT_EQ(seen.size(), 1000u);
}

TEST(random, base32_alphabet) {
  seeded_random rnd(7);
  auto s = rnd.base32(64);
  EXPECT_EQ(s.size(), 64u);
  EXPECT_EQ(s.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"), std::string::npos);
}

TEST(random, uuid7_carries_the_time_and_the_version) {
  seeded_random rnd(4);
  auto t = from_epoch_millis(0x0192'3456'789a);
  auto u = rnd.uuid7(t);
  ASSERT_EQ(u.size(), 36u);
  EXPECT_EQ(u.substr(0, 13), "01923456-789a");
  EXPECT_EQ(u[14], '7') << u;
  EXPECT_TRUE(u[19] == '8' || u[19] == '9' || u[19] == 'a' || u[19] == 'b') << u;
  EXPECT_NE(rnd.uuid7(t), u) << "random bits differ within one millisecond";
  EXPECT_LT(u, rnd.uuid7(t + std::chrono::milliseconds(1)));
}

// The provisioning queue runs requests in request-id order, and a create and a delete of one
// assignment can be made in the same millisecond (RFC 9562 §6.2: a counter in rand_a).
TEST(random, uuid7_made_in_one_millisecond_sort_in_the_order_they_were_made) {
  seeded_random rnd(9);
  auto t = from_epoch_millis(0x0193'0000'0000);
  const std::string first = rnd.uuid7(t);
  std::string previous = first;
  for (int i = 0; i < 5000; ++i) {  // past the counter's 2,048-4,096 ids: the time carries
    auto u = rnd.uuid7(t);
    ASSERT_LT(previous, u) << "id " << i;
    EXPECT_EQ(u[14], '7') << u;
    previous = u;
  }
  EXPECT_EQ(previous.substr(0, 13), "01930000-0001") << "the overflow advanced the time by one millisecond";
  EXPECT_LT(previous, rnd.uuid7(t + std::chrono::milliseconds(2))) << "a later millisecond starts above it";
  // Each source keeps its own order, so a seeded source's ids do not depend on what ran before.
  seeded_random again(9);
  EXPECT_EQ(again.uuid7(t), first);
}

// A clock set back (a test clock, NTP) does not drag ids into the future: the id carries its time.
TEST(random, uuid7_after_the_clock_went_back_carries_the_earlier_time) {
  seeded_random rnd(11);
  (void)rnd.uuid7(from_epoch_millis(0x0194'0000'0000));
  auto u = rnd.uuid7(from_epoch_millis(0x0192'0000'0000));
  EXPECT_EQ(u.substr(0, 13), "01920000-0000");
}

}  // namespace atrium
