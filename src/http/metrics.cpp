#include "http/metrics.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <string_view>

namespace atrium::http {

namespace {

constexpr std::array<double, 14> bounds = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                           0.1,    0.25,  0.5,    1,     2.5,   5,    10};
// The le label values, written as Prometheus client libraries write them (no exponents), so
// that queries can match le="0.0005" exactly.
constexpr std::array<std::string_view, bounds.size()> bound_labels = {
    "0.0005", "0.001", "0.0025", "0.005", "0.01", "0.025", "0.05",
    "0.1",    "0.25",  "0.5",    "1",     "2.5",   "5",    "10"};

// Label values: backslash, double quote and line feed are escaped (exposition format 0.0.4).
void append_label_value(std::string& out, std::string_view v) {
  for (char c : v) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out.push_back(c);
  }
}

// HELP text: backslash and line feed are escaped.
std::string escape_help(std::string_view v) {
  std::string out;
  for (char c : v) {
    if (c == '\\') out += "\\\\";
    else if (c == '\n') out += "\\n";
    else out.push_back(c);
  }
  return out;
}

// Metric names match [a-zA-Z_:][a-zA-Z0-9_:]*.
std::string metric_name(std::string_view name) {
  std::string out(name.empty() ? "_" : name);
  for (std::size_t i = 0; i < out.size(); ++i) {
    char c = out[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' ||
              (i > 0 && c >= '0' && c <= '9');
    if (!ok) out[i] = '_';
  }
  return out;
}

// Sample values: shortest round-trip form; NaN and infinities as the format spells them.
void append_value(std::string& out, double v) {
  if (std::isnan(v)) {
    out += "NaN";
    return;
  }
  if (std::isinf(v)) {
    out += v > 0 ? "+Inf" : "-Inf";
    return;
  }
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, end);
}

void append_value(std::string& out, uint64_t v) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, end);
}

void append_op_label(std::string& out, std::string_view metric, std::string_view op) {
  out += metric;
  out += "{operation=\"";
  append_label_value(out, op);
  out += '"';
}

void render_counters(std::string& out, std::string_view op, const std::map<int, uint64_t>& requests) {
  for (const auto& [status, n] : requests) {
    append_op_label(out, "atrium_http_requests_total", op);
    out += ",code=\"" + std::to_string(status) + "\"} ";
    append_value(out, n);
    out += '\n';
  }
}

template <class Series>
void render_histogram(std::string& out, std::string_view op, const Series& s) {
  uint64_t cumulative = 0;
  for (std::size_t i = 0; i < bounds.size(); ++i) {
    cumulative += s.buckets[i];
    append_op_label(out, "atrium_http_request_duration_seconds_bucket", op);
    out += ",le=\"";
    out += bound_labels[i];
    out += "\"} ";
    append_value(out, cumulative);
    out += '\n';
  }
  append_op_label(out, "atrium_http_request_duration_seconds_bucket", op);
  out += ",le=\"+Inf\"} ";
  append_value(out, s.count);
  out += '\n';
  append_op_label(out, "atrium_http_request_duration_seconds_sum", op);
  out += "} ";
  append_value(out, s.sum_seconds);
  out += '\n';
  append_op_label(out, "atrium_http_request_duration_seconds_count", op);
  out += "} ";
  append_value(out, s.count);
  out += '\n';
}

}  // namespace

void metrics_registry::observe(const std::string& operation, int status, std::chrono::microseconds latency) {
  double secs = static_cast<double>(std::max<int64_t>(latency.count(), 0)) / 1e6;
  // The first bound the observation fits under; bounds.size() means only +Inf holds it.
  auto bucket = static_cast<std::size_t>(std::lower_bound(bounds.begin(), bounds.end(), secs) - bounds.begin());
  std::lock_guard lock(mu_);
  auto it = operations_.find(operation);
  if (it == operations_.end()) {
    it = operations_.emplace(operation, series{}).first;
    it->second.buckets.assign(bounds.size(), 0);
  }
  auto& s = it->second;
  ++s.requests[status];
  if (bucket < bounds.size()) ++s.buckets[bucket];
  ++s.count;
  s.sum_seconds += secs;
}

void metrics_registry::set_gauge(const std::string& name, const std::string& help, double value) {
  std::lock_guard lock(mu_);
  gauges_[metric_name(name)] = {help, value};
}

std::string metrics_registry::render() const {
  std::string out;
  std::lock_guard lock(mu_);
  out += "# HELP atrium_http_requests_total HTTP requests by operation and status code.\n"
         "# TYPE atrium_http_requests_total counter\n";
  for (const auto& [op, s] : operations_) render_counters(out, op, s.requests);
  out += "# HELP atrium_http_request_duration_seconds Time from request read to response ready.\n"
         "# TYPE atrium_http_request_duration_seconds histogram\n";
  for (const auto& [op, s] : operations_) render_histogram(out, op, s);
  out += "# HELP atrium_http_requests_on_network_thread_total Requests served without the worker pool (point reads).\n"
         "# TYPE atrium_http_requests_on_network_thread_total counter\n"
         "atrium_http_requests_on_network_thread_total " +
         std::to_string(on_network_thread_.load(std::memory_order_relaxed)) + "\n";
  for (const auto& [name, g] : gauges_) {
    out += "# HELP " + name + " " + escape_help(g.first) + "\n# TYPE " + name + " gauge\n" + name + " ";
    append_value(out, g.second);
    out += '\n';
  }
  return out;
}

}  // namespace atrium::http
