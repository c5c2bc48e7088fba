#include "service/admin/throttle.hpp"

namespace atrium::service {

throttler::throttler(const clock& clk, throttle_settings s) : clock_(clk), settings_(std::move(s)) {}

std::optional<std::chrono::milliseconds> throttler::admit(const std::string& operation) {
  std::lock_guard lock(mu_);
  auto it = buckets_.find(operation);
  if (it == buckets_.end()) {
    double rate = settings_.default_rate, burst = settings_.default_burst;
    if (auto o = settings_.rate_overrides.find(operation); o != settings_.rate_overrides.end()) {
      rate = o->second;
      burst = 2 * o->second;
    }
    it = buckets_.emplace(operation, token_bucket(rate, burst)).first;
  }
  std::chrono::milliseconds wait{0};
  if (it->second.try_take(clock_.now(), wait)) return std::nullopt;
  return wait;
}

}  // namespace atrium::service
