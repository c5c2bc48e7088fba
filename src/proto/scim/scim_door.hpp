#pragma once
// The SCIM 2.0 front door (RFC 7644) at <base>/scim/v2: bearer-token authentication,
// throttling, routing, content-type and body checks, ETags, error bodies in the
// urn:ietf:params:scim:api:messages:2.0:Error shape, and one CloudTrail-format audit event per
// call (eventSource identitystore-scim.amazonaws.com, as the service logs SCIM calls).
// Requests and responses are the door kit's values (proto/kit/exchange.hpp).
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "proto/scim/filter.hpp"
#include "proto/scim/patch.hpp"
#include "proto/kit/router.hpp"
#include "service/audit/audited_store.hpp"
#include "service/identity/group_service.hpp"
#include "service/identity/user_service.hpp"
#include "service/identity/scim_provisioning.hpp"
#include "service/admin/throttle.hpp"

namespace atrium::proto::scim {

struct scim_settings {
  std::string base_path = "/scim/v2";
  bool tls = true;                          // scheme of meta.location
  std::string public_host = "localhost";    // host of meta.location when Host is unusable
  std::string region = "us-east-1";
  std::string account_id;
  std::size_t max_body_bytes = 1 << 20;
  int max_count = 100;                      // largest page (the service: 1-100, default 100)
  filter_limits filter;
  patch_limits patch;
};

class scim_door final : public door {
 public:
  scim_door(service::scim_provisioning& tokens, service::user_service& users, service::group_service& groups,
            service::throttler& throttle, service::audited_store& audit, scim_settings settings);

  // True for paths under the base path (the base itself included, with or without '/').
  bool handles(std::string_view target) const;
  // Waits for handle_async's answer, running the write's completion on this thread: one code
  // path for both forms.
  response handle(const request& req) override;
  // The writes (POST, PUT, PATCH, DELETE of /Users and /Groups) answer from their group commit's
  // completion, with no worker parked meanwhile (issue 18 item 3); everything else at once.
  void handle_async(const request& req, responder later) override;
  // GET of one resource, a discovery document, or a list whose filter pins a unique key (an
  // IdP's lookup by userName, externalId or displayName; id) without startIndex: what an index
  // answers. Other filters and OFFSET pages may scan, so they stay on the worker pool. The
  // bearer token check is a store read; its last-used touch is a detached write.
  bool is_point_read(const request& req) const override;
  // A SCIM Error answer for a request the HTTP layer could not read (413, 431, 400), with the
  // HTTP layer's own headers.
  response transport_error(const request& partial, response generic) const override;

  struct call;  // one request in progress (defined in scim_call.hpp)
  using call_ptr = std::shared_ptr<call>;
  using reply_fn = std::function<void(response)>;

 private:
  // The checks before the resource's own work (token, throttle, body); a refusal is returned.
  std::optional<response> prepare(call& c);
  void dispatch(const call_ptr& c, const reply_fn& reply);
  void users(const call_ptr& c, const reply_fn& reply);
  void groups(const call_ptr& c, const reply_fn& reply);
  response discovery(call& c);

  service::scim_provisioning& tokens_;
  service::user_service& users_;
  service::group_service& groups_;
  service::throttler& throttle_;
  service::audited_store& audit_;
  scim_settings settings_;
};

}  // namespace atrium::proto::scim
