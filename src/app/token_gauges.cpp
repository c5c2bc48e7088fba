#include "app/token_gauges.hpp"

#include <condition_variable>
#include <mutex>

#include "service/idsource/idp_config.hpp"
#include "store/external_idp_repository.hpp"

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
  std::vector<store::external_idp_record> idps;
  auto r = db_.read([&](store::transaction& tx) -> result<void> {
    auto t = tx.scim_tokens().list();
    if (!t) return std::unexpected(t.error());
    tokens = std::move(*t);
    auto i = tx.external_idps().list();
    if (!i) return std::unexpected(i.error());
    idps = std::move(*i);
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
  // External IdPs' signing certificates (issue 17 item 5): the same 90-day warning, so a
  // rotation is started in time (a second certificate is accepted during it).
  double certs = 0, certs_soon = 0, cert_earliest = 0;
  for (const auto& idp : idps)
    for (const auto& c : service::certificate_views(idp)) {
      ++certs;
      if (c.not_after - now <= std::chrono::duration_cast<std::chrono::milliseconds>(policy_.warn_before)) ++certs_soon;
      double at = epoch_seconds(c.not_after);
      if (cert_earliest == 0 || at < cert_earliest) cert_earliest = at;
    }
  metrics_.set_gauge("atrium_external_idp_certificates", "Signing certificates of the external IdPs configured", certs);
  metrics_.set_gauge("atrium_external_idp_certificates_expiring_soon",
                     "External IdP signing certificates that expire within 90 days or have expired", certs_soon);
  metrics_.set_gauge("atrium_external_idp_certificate_earliest_expiry_timestamp_seconds",
                     "Expiry time of the external IdP certificate that expires first (0: none)", cert_earliest);
}

}  // namespace atrium::app
