#include "app/token_gauges.hpp"

#include <condition_variable>
#include <mutex>

namespace atrium::app {

token_gauges::token_gauges(store::database& db, const clock& clk, const service::token_policy& policy,
                           http::metrics_registry& m)
    : db_(db), clock_(clk), policy_(policy), metrics_(m), thread_([this](std::stop_token st) { loop(st); }) {}

void token_gauges::loop(std::stop_token st) {
  std::mutex mu;
  std::condition_variable_any cv;
  while (!st.stop_requested()) {
    refresh();
    std::unique_lock lock(mu);
    cv.wait_for(lock, st, std::chrono::seconds(60), [] { return false; });
  }
}

void token_gauges::refresh() {
  std::vector<store::scim_token_record> tokens;
  auto r = db_.read([&](store::transaction& tx) -> result<void> {
    auto t = tx.scim_tokens().list();
    if (!t) return std::unexpected(t.error());
    tokens = std::move(*t);
    return {};
  });
  if (!r) return;
  auto now = clock_.now();
  double soon = 0, earliest = 0;
  for (const auto& t : tokens) {
    if (t.expires_at - now <= std::chrono::duration_cast<std::chrono::milliseconds>(policy_.warn_before)) ++soon;
    double at = epoch_seconds(t.expires_at);
    if (earliest == 0 || at < earliest) earliest = at;
  }
  metrics_.set_gauge("atrium_scim_tokens", "SCIM access tokens that exist", static_cast<double>(tokens.size()));
  metrics_.set_gauge("atrium_scim_tokens_expiring_soon",
                     "SCIM access tokens that expire within the warning period (90 days) or have expired", soon);
  metrics_.set_gauge("atrium_scim_token_earliest_expiry_timestamp_seconds",
                     "Expiry time of the SCIM access token that expires first (0: none)", earliest);
}

}  // namespace atrium::app
