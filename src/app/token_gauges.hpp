#pragma once
// SCIM token and external IdP certificate expiry as Prometheus gauges, refreshed once a minute off the network threads (the
// guide's reminders start 90 days before a token expires). Runs while the object lives.
#include <thread>

#include "base/clock.hpp"
#include "http/metrics.hpp"
#include "service/identity/scim_provisioning.hpp"
#include "store/repositories.hpp"

namespace atrium::app {

class token_gauges {
 public:
  token_gauges(store::database& db, const clock& clk, const service::token_policy& policy,
               http::metrics_registry& m);

 private:
  void loop(std::stop_token st);
  void refresh();

  store::database& db_;
  const clock& clock_;
  service::token_policy policy_;
  http::metrics_registry& metrics_;
  std::jthread thread_;
};

}  // namespace atrium::app
