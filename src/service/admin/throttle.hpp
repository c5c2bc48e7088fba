#pragma once
// Per-operation token buckets. Defaults (docs/configuration.md): 10,000 requests/s with a
// burst of 20,000 for every operation. The service's fixed 20 TPS is one setting away
// (throttle.default_rate = 20), but it is not our ceiling.
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "base/clock.hpp"
#include "base/token_bucket.hpp"

namespace atrium::service {

struct throttle_settings {
  double default_rate = 10'000;
  double default_burst = 20'000;
  std::map<std::string, double> rate_overrides;  // operation name -> rate (burst = 2x rate)
};

class throttler {
 public:
  throttler(const clock& clk, throttle_settings s);
  // Empty when admitted; otherwise how long to wait before retrying.
  std::optional<std::chrono::milliseconds> admit(const std::string& operation);

 private:
  const clock& clock_;
  throttle_settings settings_;
  std::mutex mu_;
  std::map<std::string, token_bucket, std::less<>> buckets_;
};

}  // namespace atrium::service
