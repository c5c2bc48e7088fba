#include "base/token_bucket.hpp"

#include <gtest/gtest.h>

namespace atrium {

TEST(token_bucket, burst_then_refill_at_rate) {
  token_bucket b(10, 5);  // 10/s, burst 5
  sys_time t = from_epoch_millis(1'000'000);
  std::chrono::milliseconds wait{0};
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(b.try_take(t, wait)) << i;
  EXPECT_FALSE(b.try_take(t, wait));
  EXPECT_EQ(wait.count(), 100) << "one token every 100 ms";
  EXPECT_FALSE(b.try_take(t + std::chrono::milliseconds(50), wait));
  EXPECT_TRUE(b.try_take(t + std::chrono::milliseconds(160), wait));
  // Idle time refills up to the burst, not beyond.
  t += std::chrono::seconds(60);
  int taken = 0;
  while (b.try_take(t, wait)) ++taken;
  EXPECT_EQ(taken, 5);
}

TEST(token_bucket, fractional_rates) {
  token_bucket b(0.5, 1);
  sys_time t = from_epoch_millis(0);
  std::chrono::milliseconds wait{0};
  EXPECT_TRUE(b.try_take(t, wait));
  EXPECT_FALSE(b.try_take(t, wait));
  EXPECT_EQ(wait.count(), 2000);
}

}  // namespace atrium
