#pragma once
// Wrong user codes on the portal's device page (issue 16 item 2; RFC 8628 §5.1: a user code of
// 34 bits is safe only while guessing is slow). Failures are counted per portal session and per
// source address in fixed windows, in the store (several nodes share one database), and a key
// over its limit is refused until its window ends. A right code does not reset the counts.
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/clock.hpp"
#include "base/result.hpp"
#include "store/repositories.hpp"

namespace atrium::service::oidc {

struct code_attempt_limits {
  int64_t per_session = 5;
  int64_t per_address = 20;
  std::chrono::seconds window{15 * 60};
};

class code_attempts {
 public:
  code_attempts(store::database& db, const clock& clk, code_attempt_limits limits = {})
      : db_(db), clock_(clk), limits_(limits) {}

  // errc::throttled (resource_type "retry_after", resource_id the seconds) when the session or
  // the address is over its limit.
  result<void> admit(std::string_view session_id, std::string_view address);
  // Counts one wrong code against both.
  result<void> failure(std::string_view session_id, std::string_view address);
  const code_attempt_limits& limits() const { return limits_; }

 private:
  // Seconds until `key`'s window ends when it is over `limit`, else 0.
  result<int64_t> wait_for(store::transaction& tx, const std::string& key, int64_t limit, sys_time now);
  store::database& db_;
  const clock& clock_;
  code_attempt_limits limits_;
};

}  // namespace atrium::service::oidc
