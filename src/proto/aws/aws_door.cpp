#include "proto/aws/aws_door.hpp"

#include "base/json_text.hpp"
#include "base/strings.hpp"
#include "proto/kit/door_call.hpp"
#include "proto/kit/json_body.hpp"
#include "proto/aws/identitystore_shapes.hpp"
#include "proto/aws/policy_request.hpp"
#include "service/admin/key_policies.hpp"

namespace atrium::proto::aws {

using nlohmann::json;

namespace {

aws_error auth_error(const service::auth_failure& f) {
  switch (f.kind) {
    case service::auth_failure_kind::missing:
      return {403, "MissingAuthenticationTokenException", "Missing Authentication Token", json::object()};
    case service::auth_failure_kind::malformed:
      return {400, "IncompleteSignatureException", f.message, json::object()};
    case service::auth_failure_kind::expired:
    case service::auth_failure_kind::bad_signature:
      return {400, "InvalidSignatureException", f.message, json::object()};
    case service::auth_failure_kind::unknown_key:
      return {400, "UnrecognizedClientException", f.message, json::object()};
  }
  return {400, "UnrecognizedClientException", f.message, json::object()};
}

crypto::sigv4_request sigv4_view(const request& req) {
  crypto::sigv4_request s{req.method, req.target, {}, req.body};
  s.headers.reserve(req.headers.size());
  for (const auto& [k, v] : req.headers) s.headers.push_back({k, v});
  return s;
}

}  // namespace

aws_door::aws_door(service::admin_auth& auth, service::throttler& throttle,
                   service::audited_store& audit, std::vector<json_api*> apis, door_settings settings)
    : auth_(auth), throttle_(throttle), audit_(audit), apis_(std::move(apis)), settings_(std::move(settings)) {}

// Several APIs may share a target prefix (AtriumAdmin: automatic provisioning and the
// applications' SAML settings, each with its own event source and IAM action prefix): the one
// that has the operation, else the first with the prefix (which answers "Unknown operation").
json_api* aws_door::api_for(std::string_view prefix, std::string_view op) const {
  json_api* first = nullptr;
  for (auto* a : apis_) {
    if (a->target_prefix() != prefix) continue;
    if (a->has(op)) return a;
    if (!first) first = a;
  }
  return first;
}

// Delegated administration (issue 4 item 7): the key's policies must allow the action on every
// resource the call names; denied calls never reach the API.
result<void> aws_door::authorize(const json_api& api, std::string_view op, const json& body,
                                 const service::principal& who) const {
  if (!who.policies) return {};
  auto req = policy_request_for(api.action_prefix(), op, body, policy_scope{who.account_id, orgs_}, tags_,
                                uses_resource_tags(*who.policies));
  if (!req) return std::unexpected(req.error());
  return service::authorize(who, *req);
}

bool aws_door::is_point_read(const request& req) const {
  const std::string* target = req.header("X-Amz-Target");
  if (!target || req.method != "POST") return false;
  auto dot = target->rfind('.');
  if (dot == std::string::npos) return false;
  auto op = std::string_view(*target).substr(dot + 1);
  const json_api* api = api_for(std::string_view(*target).substr(0, dot), op);
  return api && api->is_point_read(op);
}

response aws_door::handle(const request& req) {
  return serve(req, [&](service::call_context& ctx) -> std::expected<service::principal, aws_error> {
    auto who = auth_.authenticate(sigv4_view(req));
    if (!who) {
      ctx.who.access_key_id = who.error().access_key_id;
      return std::unexpected(auth_error(who.error()));
    }
    return std::move(*who);
  }, domain::door::api, "/");
}

response aws_door::serve(const request& req, const authenticate_fn& authenticate, domain::door via,
                         std::string_view path) {
  auto ctx = context_of(req, settings_.region);
  ctx.via = via;
  const std::string* target = req.header("X-Amz-Target");
  std::string op;
  json_api* api = nullptr;
  if (target) {
    // The last dot: CloudTrail's prefix has dots of its own ("com.amazonaws.cloudtrail...").
    auto dot = target->rfind('.');
    if (dot != std::string::npos) {
      api = api_for(std::string_view(*target).substr(0, dot), std::string_view(*target).substr(dot + 1));
      if (api) op = target->substr(dot + 1);
    }
  }
  ctx.event_name = op.empty() ? "Unknown" : op;
  ctx.read_only = api && api->is_read_only(op);
  if (api) ctx.event_source = std::string(api->event_source());
  std::string service_name = api ? std::string(api->service_name()) : "unknown";
  // CloudTrail's errorCode is the wire error name, exactly as the client saw it.
  auto finish = [&](response r) { return finish_call(audit_, ctx, std::move(r), service_name); };
  auto fail = [&](const aws_error& e) { return finish(error_response(e, req.request_id)); };

  if (req.method != "POST" || req.path() != path)
    return fail({404, "UnknownOperationException", "Unknown operation.", json::object()});
  if (!api || !api->has(op))
    return fail({400, "UnknownOperationException", "Unknown operation " + (target ? target->substr(0, 128) : std::string("(no X-Amz-Target)")) + ".", json::object()});

  if (!api->is_point_read(op)) return run_call(req, authenticate, *api, op, ctx, service_name);
  // A point read (issue 18 item 1): the access key's row and the operation's read come from
  // one read transaction instead of two. The key is still read, and checked, on every call.
  std::optional<response> out;
  (void)audit_.db().read_together([&]() -> result<void> {
    out = run_call(req, authenticate, *api, op, ctx, service_name);
    return {};
  });
  return std::move(*out);
}

response aws_door::run_call(const request& req, const authenticate_fn& authenticate, json_api& api_ref,
                            const std::string& op, service::call_context& ctx, const std::string& service_name) {
  json_api* api = &api_ref;
  auto finish = [&](response r) { return finish_call(audit_, ctx, std::move(r), service_name); };
  auto fail = [&](const aws_error& e) { return finish(error_response(e, req.request_id)); };

  auto who = authenticate(ctx);
  if (!who) return fail(who.error());
  ctx.who = std::move(*who);

  auto body = read_json_body(req, {0, {}, true});
  if (!body && body.error() == body_problem::too_deep)
    return fail({400, "SerializationException", "The request body nests deeper than " + std::to_string(max_json_nesting) + " levels.", json::object()});
  if (!body) return fail({400, "SerializationException", "The request body is not a valid JSON object.", json::object()});
  ctx.request_parameters = to_json_text(audit_parameters(*body, api->audited_members()));
  if (auto allowed = authorize(*api, op, *body, ctx.who); !allowed) return fail(api->map_error(allowed.error()));

  if (auto secs = throttled_for(throttle_, service_name + "." + op)) {
    auto r = error_response({400, "ThrottlingException", "Rate exceeded", {{"RetryAfterSeconds", *secs}}}, req.request_id);
    add_retry_after(r, *secs);
    return finish(std::move(r));
  }

  auto result = api->call(op, *body, ctx);
  if (!result) return fail(api->map_error(result.error()));
  return finish(json_response(*result));
}

}  // namespace atrium::proto::aws
