#pragma once
// The sso-oidc API's door (REST-JSON, as botocore's `sso-oidc` model; issue 16 item 1; docs/cli.md):
//   POST /client/register      RegisterClient
//   POST /device_authorization StartDeviceAuthorization
//   POST /token                CreateToken (device code, refresh token, authorization code + PKCE)
//   GET  /authorize            the authorization endpoint of the code flow (browser redirect)
// The three POSTs are unsigned JSON. Errors are the service's: HTTP status, x-amzn-ErrorType
// <Name>Exception (which botocore reads first) and the OAuth body {"error", "error_description"}
// (RFC 6749 §5.2). Every call is audited: successes by the use case, refusals here.
#include <cstddef>
#include <string>

#include "proto/kit/router.hpp"
#include "service/audit/audited_store.hpp"
#include "service/oidc/authorization_requests.hpp"
#include "service/oidc/client_registry.hpp"
#include "service/oidc/device_authorizations.hpp"
#include "service/oidc/token_service.hpp"
#include "service/admin/throttle.hpp"

namespace atrium::proto::oidc {

struct oidc_services {
  service::oidc::client_registry& clients;
  service::oidc::device_authorizations& devices;
  service::oidc::authorization_requests& requests;
  service::oidc::token_service& tokens;
  service::throttler& throttle;
  service::audited_store& audit;
};

struct oidc_settings {
  std::string region = "us-east-1";
  std::string account_id;  // CloudTrail's accountId of the calls
  std::string portal_url;  // https://host:port/portal: where the verification pages are
  std::size_t max_body_bytes = 16 * 1024;
};

class oidc_door final : public door {
 public:
  oidc_door(oidc_services svc, oidc_settings s) : svc_(svc), s_(std::move(s)) {}

  // Registers its four paths on the router.
  void add_routes(router& r);
  response handle(const request& req) override;
  // The server's own 413/431/400 answers in the API's error shape.
  response transport_error(const request& partial, response generic) const override;
  void set_portal_url(std::string url) { s_.portal_url = std::move(url); }
  const oidc_settings& settings() const { return s_; }

 private:
  response register_client(const request& req, service::call_context& ctx);
  response start_device_authorization(const request& req, service::call_context& ctx);
  response create_token(const request& req, service::call_context& ctx);
  response authorize(const request& req, service::call_context& ctx);

  oidc_services svc_;
  oidc_settings s_;
};

}  // namespace atrium::proto::oidc
