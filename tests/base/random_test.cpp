#include "base/random.hpp"

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

}  // namespace atrium
