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

}  // namespace atrium
