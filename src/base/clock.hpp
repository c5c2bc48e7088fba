#pragma once
// Time is injected (architecture guide): code asks a clock, tests hand in a manual one.
#include <chrono>
#include <cstdint>
#include <string>

namespace atrium {

using sys_time = std::chrono::sys_time<std::chrono::milliseconds>;

class clock {
 public:
  virtual ~clock() = default;
  virtual sys_time now() const = 0;
};

class system_clock final : public clock {
 public:
  sys_time now() const override;
};

class manual_clock final : public clock {
 public:
  explicit manual_clock(sys_time start) : now_(start) {}
  sys_time now() const override { return now_; }
  void advance(std::chrono::milliseconds d) { now_ += d; }
  void set(sys_time t) { now_ = t; }

 private:
  sys_time now_;
};

// ISO-8601 UTC with milliseconds: 2026-11-23T10:00:00.123Z (CloudTrail eventTime uses seconds).
std::string iso8601(sys_time t, bool with_millis = true);
// Seconds since the epoch as a double, the AWS JSON timestamp form.
double epoch_seconds(sys_time t);
int64_t epoch_millis(sys_time t);
sys_time from_epoch_millis(int64_t ms);

}  // namespace atrium
