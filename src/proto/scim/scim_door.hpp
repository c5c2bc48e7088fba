#pragma once
// The SCIM 2.0 front door (RFC 7644) at <base>/scim/v2: bearer-token authentication,
// throttling, routing, content-type and body checks, ETags, error bodies in the
// urn:ietf:params:scim:api:messages:2.0:Error shape, and one CloudTrail-format audit event per
// call (eventSource identitystore-scim.amazonaws.com, as the service logs SCIM calls).
// Framework-free like the AWS door: app/ converts http values to these and back.
#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "proto/scim/filter.hpp"
#include "proto/scim/patch.hpp"
#include "service/audited_store.hpp"
#include "service/identity_service.hpp"
#include "service/scim_provisioning.hpp"
#include "service/throttle.hpp"

namespace atrium::proto::scim {

struct scim_request {
  std::string method;
  std::string target;  // path and query, as received
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string remote_ip;
  std::string request_id;
  const std::string* header(std::string_view name) const;
};

struct scim_response {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string content_type = "application/scim+json";
  std::string body;
  std::string operation;   // "scim.CreateUser", for metrics and the access log
  std::string error_code;     // "ValidationException", ... (as audited)
  std::string error_message;  // the Error body's detail (as audited)
};

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

class scim_door {
 public:
  scim_door(service::scim_provisioning& tokens, service::identity_service& identity,
            service::throttler& throttle, service::audited_store& audit, scim_settings settings);

  // True for paths under the base path (the base itself included, with or without '/').
  bool handles(std::string_view target) const;
  scim_response handle(const scim_request& req);
  // A SCIM Error answer for a request the HTTP layer could not read (413, 431, 400).
  static scim_response transport_error(int status, std::string detail);

  struct call;  // one request in progress (defined in scim_door.cpp)

 private:
  scim_response dispatch(call& c);
  scim_response users(call& c);
  scim_response groups(call& c);
  scim_response discovery(call& c);

  service::scim_provisioning& tokens_;
  service::identity_service& identity_;
  service::throttler& throttle_;
  service::audited_store& audit_;
  scim_settings settings_;
};

}  // namespace atrium::proto::scim
