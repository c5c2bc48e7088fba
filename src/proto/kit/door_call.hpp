#pragma once
// What every door does around a call, besides its own protocol: the call context of a
// request, the operation's token bucket with the Retry-After it answers (RFC 9110 §10.2.3:
// delay-seconds, at least 1), and the CloudTrail record of a failed call (architecture guide:
// "Every state change is audited"; a refused call is recorded by its door, exactly once).
#include <optional>
#include <string>
#include <string_view>

#include "proto/kit/exchange.hpp"
#include "service/audit/audited_store.hpp"
#include "service/audit/call_context.hpp"
#include "service/admin/throttle.hpp"

namespace atrium::proto {

// Source address, User-Agent (first 512 bytes), request id and region of a request.
service::call_context context_of(const request& req, std::string_view region);

// Empty when the operation's bucket admits the call; else whole seconds to wait (>= 1).
std::optional<int> throttled_for(service::throttler& throttle, const std::string& operation);
void add_retry_after(response& r, int seconds);

// The last step of a call: labels the response "<service>.<eventName>" for metrics and logs
// and, when it failed (status >= 400), writes the failure record with the response's
// error_code and error_message.
response finish_call(service::audited_store& audit, const service::call_context& ctx, response r,
                     std::string_view service_name);

}  // namespace atrium::proto
