#include "base/token_bucket.hpp"

#include <algorithm>
#include <cmath>

namespace atrium {

bool token_bucket::try_take(sys_time now, std::chrono::milliseconds& retry_after) {
  if (!started_) {
    started_ = true;
    last_ = now;
  }
  if (now > last_) {
    double elapsed = std::chrono::duration<double>(now - last_).count();
    tokens_ = std::min(burst_, tokens_ + elapsed * rate_);
    last_ = now;
  }
  if (tokens_ >= 1.0) {
    tokens_ -= 1.0;
    retry_after = std::chrono::milliseconds(0);
    return true;
  }
  double wait = rate_ > 0 ? (1.0 - tokens_) / rate_ : 3600.0;
  retry_after = std::chrono::milliseconds(static_cast<long>(std::ceil(wait * 1000.0)));
  return false;
}

}  // namespace atrium
