#include "proto/kit/door_call.hpp"

#include <cmath>

namespace atrium::proto {

service::call_context context_of(const request& req, std::string_view region) {
  service::call_context ctx;
  ctx.source_ip = req.remote_ip;
  if (const std::string* ua = req.header("User-Agent")) ctx.user_agent = ua->substr(0, 512);
  ctx.request_id = req.request_id;
  ctx.region = std::string(region);
  return ctx;
}

std::optional<int> throttled_for(service::throttler& throttle, const std::string& operation) {
  auto wait = throttle.admit(operation);
  if (!wait) return std::nullopt;
  return std::max(1, static_cast<int>(std::ceil(wait->count() / 1000.0)));
}

void add_retry_after(response& r, int seconds) { r.headers.emplace_back("Retry-After", std::to_string(seconds)); }

response finish_call(service::audited_store& audit, const service::call_context& ctx, response r,
                     std::string_view service_name) {
  r.operation = std::string(service_name) + "." + ctx.event_name;
  if (r.status >= 400) audit.record_failure(ctx, service::call_failure{r.error_code, r.error_message});
  return r;
}

}  // namespace atrium::proto
