#pragma once
// The AWS JSON 1.1 front door: SigV4 authentication, throttling, dispatch by X-Amz-Target,
// error shapes, and the audit record of every failed call (successful calls are audited by
// the use case, inside its transaction).
#include <expected>
#include <functional>
#include <vector>

#include "proto/aws/json_api.hpp"
#include "proto/aws/wire.hpp"
#include "proto/kit/router.hpp"
#include "service/admin/admin_auth.hpp"
#include "service/audit/audited_store.hpp"
#include "service/organization/org_resource_source.hpp"
#include "service/sso_admin/resource_tags.hpp"
#include "service/admin/throttle.hpp"

namespace atrium::proto::aws {

struct door_settings {
  std::string region = "us-east-1";
  std::size_t max_body_bytes = 1024 * 1024;
};

class aws_door final : public door {
 public:
  // Serves every API in `apis`, chosen by the X-Amz-Target prefix.
  aws_door(service::admin_auth& auth, service::throttler& throttle, service::audited_store& audit,
           std::vector<json_api*> apis, door_settings settings);

  response handle(const request& req) override;
  // Operations with an asynchronous form (json_operation::async_handler) answer after their
  // group commit without a worker waiting for it (issue 18 item 3); the rest as handle().
  void handle_async(const request& req, responder later) override;
  // A read-only operation of an API whose reads are point reads (identitystore's), by
  // X-Amz-Target alone; the console door asks the same of its requests.
  bool is_point_read(const request& req) const override;

  // Who makes a call, or the refusal in AWS's words. May fill ctx (the access key a refused
  // signature named, the portal session of a console call).
  using authenticate_fn = std::function<std::expected<service::principal, aws_error>(service::call_context& ctx)>;
  // Every check after authentication and the dispatch, for a door that authenticates its own
  // way (the admin console's session + CSRF, console_door.hpp): the same operation tables, the
  // same policy check, throttling, error shapes and failure audit. `via` is CloudTrail's door;
  // `path` the one path the door serves (a POST to any other is UnknownOperationException).
  response serve(const request& req, const authenticate_fn& authenticate, domain::door via, std::string_view path);
  void serve_async(const request& req, const authenticate_fn& authenticate, domain::door via, std::string_view path,
                   responder later);
  // The API that serves X-Amz-Target "<prefix>.<op>" (nullptr: none): the console asks whether
  // an action exists.
  json_api* api_for(std::string_view prefix, std::string_view op) const;
  // Where aws:ResourceTag values of permission sets come from (delegated administration).
  void set_tag_source(service::resource_tag_source* tags) { tags_ = tags; }
  void set_org_source(service::org_resource_source* orgs) { orgs_ = orgs; }

 private:
  // A call that passed the door's checks, ready for its operation.
  struct call {
    service::call_context ctx;
    json_api* api = nullptr;
    std::string op;
    std::string service_name;
    nlohmann::json body;
  };
  authenticate_fn sigv4_authenticate(const request& req);
  std::expected<call, response> prepare(const request& req, const authenticate_fn& authenticate, domain::door via,
                                        std::string_view path);
  response answer(const call& c, const result<nlohmann::json>& outcome);
  response answer_text(const call& c, result<std::string> outcome);
  response finish(const call& c, response r);
  response failed(const call& c, const aws_error& e);
  result<void> authorize(const json_api& api, std::string_view op, const nlohmann::json& body,
                         const service::principal& who) const;

  service::admin_auth& auth_;
  service::throttler& throttle_;
  service::audited_store& audit_;
  std::vector<json_api*> apis_;
  door_settings settings_;
  service::resource_tag_source* tags_ = nullptr;
  service::org_resource_source* orgs_ = nullptr;
};

}  // namespace atrium::proto::aws
