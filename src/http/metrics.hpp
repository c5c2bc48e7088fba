#pragma once
// Prometheus text exposition (format 0.0.4): request counters and latency histograms per
// operation and status class. Thread-safe; cheap enough for the hot path (one mutex per
// observation, no allocation once an operation label exists).
#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace atrium::http {

class metrics_registry {
 public:
  void observe(const std::string& operation, int status, std::chrono::microseconds latency);
  // Extra gauges other layers publish (e.g. atrium_users_total).
  void set_gauge(const std::string& name, const std::string& help, double value);
  std::string render() const;

 private:
  struct series {
    std::vector<uint64_t> buckets;  // cumulative counts per bound
    uint64_t count = 0;
    double sum_seconds = 0;
  };
  mutable std::mutex mu_;
  std::map<std::pair<std::string, int>, uint64_t> requests_;  // (operation, status) -> count
  std::map<std::string, series> latency_;
  std::map<std::string, std::pair<std::string, double>> gauges_;
};

}  // namespace atrium::http
