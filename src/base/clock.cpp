#include "base/clock.hpp"

#include <cstdio>
#include <ctime>

namespace atrium {

sys_time system_clock::now() const {
  return std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
}

std::string iso8601(sys_time t, bool with_millis) {
  auto ms = epoch_millis(t);
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[96];
  if (with_millis) {
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                  tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                  static_cast<int>(ms % 1000));
  } else {
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900,
                  tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
  }
  return buf;
}

double epoch_seconds(sys_time t) { return static_cast<double>(epoch_millis(t)) / 1000.0; }
int64_t epoch_millis(sys_time t) { return t.time_since_epoch().count(); }
sys_time from_epoch_millis(int64_t ms) { return sys_time{std::chrono::milliseconds{ms}}; }

}  // namespace atrium
