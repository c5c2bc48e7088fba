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
  // The API that serves X-Amz-Target "<prefix>.<op>" (nullptr: none): the console asks whether
  // an action exists.
  json_api* api_for(std::string_view prefix, std::string_view op) const;
  // Where aws:ResourceTag values of permission sets come from (delegated administration).
  void set_tag_source(service::resource_tag_source* tags) { tags_ = tags; }
  void set_org_source(service::org_resource_source* orgs) { orgs_ = orgs; }

 private:
  // The call once its API and operation are known: authentication, the body, the key's
  // policies, throttling, the operation, and the call's record.
  response run_call(const request& req, const authenticate_fn& authenticate, json_api& api, const std::string& op,
                    service::call_context& ctx, const std::string& service_name);
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
