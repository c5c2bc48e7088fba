#pragma once
// Token bucket (rate r per second, capacity b). Time is a parameter so tests need no sleeps.
// Not thread-safe by itself; the owner guards it.
#include <chrono>

#include "base/clock.hpp"

namespace atrium {

class token_bucket {
 public:
  token_bucket(double rate_per_second, double burst) : rate_(rate_per_second), burst_(burst), tokens_(burst) {}

  // Takes one token if available. Otherwise returns false and sets retry_after to the time
  // until one token will be there.
  bool try_take(sys_time now, std::chrono::milliseconds& retry_after);
  double rate() const { return rate_; }

 private:
  double rate_;
  double burst_;
  double tokens_;
  sys_time last_{};
  bool started_ = false;
};

}  // namespace atrium
