#include "http/metrics.hpp"

#include <array>
#include <sstream>

namespace atrium::http {

namespace {

constexpr std::array<double, 14> bounds = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                           0.1,    0.25,  0.5,    1,     2.5,   5,    10};

// Label values per the exposition format: backslash, double quote and newline are escaped.
std::string escape(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out.push_back(c);
  }
  return out;
}

std::string bound_label(double b) {
  std::ostringstream os;
  os << b;
  return os.str();
}

}  // namespace

void metrics_registry::observe(const std::string& operation, int status, std::chrono::microseconds latency) {
  double secs = static_cast<double>(latency.count()) / 1e6;
  std::lock_guard lock(mu_);
  ++requests_[{operation, status}];
  auto& s = latency_[operation];
  if (s.buckets.empty()) s.buckets.assign(bounds.size(), 0);
  for (std::size_t i = 0; i < bounds.size(); ++i)
    if (secs <= bounds[i]) ++s.buckets[i];
  ++s.count;
  s.sum_seconds += secs;
}

void metrics_registry::set_gauge(const std::string& name, const std::string& help, double value) {
  std::lock_guard lock(mu_);
  gauges_[name] = {help, value};
}

std::string metrics_registry::render() const {
  std::ostringstream os;
  std::lock_guard lock(mu_);
  os << "# HELP atrium_http_requests_total HTTP requests by operation and status code.\n"
     << "# TYPE atrium_http_requests_total counter\n";
  for (const auto& [key, n] : requests_)
    os << "atrium_http_requests_total{operation=\"" << escape(key.first) << "\",code=\"" << key.second
       << "\"} " << n << "\n";
  os << "# HELP atrium_http_request_duration_seconds Time from request read to response ready.\n"
     << "# TYPE atrium_http_request_duration_seconds histogram\n";
  for (const auto& [op, s] : latency_) {
    std::string label = escape(op);
    for (std::size_t i = 0; i < bounds.size(); ++i)
      os << "atrium_http_request_duration_seconds_bucket{operation=\"" << label << "\",le=\""
         << bound_label(bounds[i]) << "\"} " << s.buckets[i] << "\n";
    os << "atrium_http_request_duration_seconds_bucket{operation=\"" << label << "\",le=\"+Inf\"} "
       << s.count << "\n"
       << "atrium_http_request_duration_seconds_sum{operation=\"" << label << "\"} " << s.sum_seconds << "\n"
       << "atrium_http_request_duration_seconds_count{operation=\"" << label << "\"} " << s.count << "\n";
  }
  for (const auto& [name, g] : gauges_)
    os << "# HELP " << name << " " << g.first << "\n# TYPE " << name << " gauge\n" << name << " " << g.second << "\n";
  return os.str();
}

}  // namespace atrium::http
