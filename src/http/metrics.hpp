#pragma once
// Prometheus text exposition (format 0.0.4): request counters per operation and status code,
// latency histograms per operation, and gauges other layers publish. Thread-safe; cheap enough
// for the hot path (one mutex per observation, no allocation once an (operation, status) pair
// has been seen).
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace atrium::http {

class metrics_registry {
 public:
  void observe(const std::string& operation, int status, std::chrono::microseconds latency);
  // Extra gauges other layers publish (e.g. atrium_users_total). Characters a metric name may
  // not hold are replaced by '_'.
  void set_gauge(const std::string& name, const std::string& help, double value);
  // A request whose handler ran on the network thread that read it (server::serve_inline_when).
  void count_on_network_thread() { on_network_thread_.fetch_add(1, std::memory_order_relaxed); }
  std::string render() const;

 private:
  struct series {
    std::map<int, uint64_t> requests;  // status code -> count
    std::vector<uint64_t> buckets;     // observations per bucket (not cumulative; summed on render)
    uint64_t count = 0;
    double sum_seconds = 0;
  };
  std::atomic<uint64_t> on_network_thread_{0};
  mutable std::mutex mu_;
  std::map<std::string, series, std::less<>> operations_;
  std::map<std::string, std::pair<std::string, double>> gauges_;  // name -> (help, value)
};

}  // namespace atrium::http
