#include "proto/aws/aws_door.hpp"

#include <optional>

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

aws_door::authenticate_fn aws_door::sigv4_authenticate(const request& req) {
  return [this, &req](service::call_context& ctx) -> std::expected<service::principal, aws_error> {
    auto who = auth_.authenticate(sigv4_view(req));
    if (!who) {
      ctx.who.access_key_id = who.error().access_key_id;
      return std::unexpected(auth_error(who.error()));
    }
    return std::move(*who);
  };
}

response aws_door::handle(const request& req) { return serve(req, sigv4_authenticate(req), domain::door::api, "/"); }

void aws_door::handle_async(const request& req, responder later) {
  serve_async(req, sigv4_authenticate(req), domain::door::api, "/", std::move(later));
}

response aws_door::finish(const call& c, response r) { return finish_call(audit_, c.ctx, std::move(r), c.service_name); }

response aws_door::failed(const call& c, const aws_error& e) {
  return finish(c, error_response(e, c.ctx.request_id));
}

// Everything before the operation runs: the target, authentication, the body, delegated
// administration and throttling. A refusal is the finished answer.
std::expected<aws_door::call, response> aws_door::prepare(const request& req, const authenticate_fn& authenticate,
                                                          domain::door via, std::string_view path) {
  call c;
  c.ctx = context_of(req, settings_.region);
  c.ctx.via = via;
  const std::string* target = req.header("X-Amz-Target");
  if (target) {
    // The last dot: CloudTrail's prefix has dots of its own ("com.amazonaws.cloudtrail...").
    auto dot = target->rfind('.');
    if (dot != std::string::npos) {
      c.api = api_for(std::string_view(*target).substr(0, dot), std::string_view(*target).substr(dot + 1));
      if (c.api) c.op = target->substr(dot + 1);
    }
  }
  c.ctx.event_name = c.op.empty() ? "Unknown" : c.op;
  c.ctx.read_only = c.api && c.api->is_read_only(c.op);
  if (c.api) c.ctx.event_source = std::string(c.api->event_source());
  c.service_name = c.api ? std::string(c.api->service_name()) : "unknown";
  // CloudTrail's errorCode is the wire error name, exactly as the client saw it.
  auto refuse = [&](const aws_error& e) { return std::unexpected(failed(c, e)); };

  if (req.method != "POST" || req.path() != path)
    return refuse({404, "UnknownOperationException", "Unknown operation.", json::object()});
  if (!c.api || !c.api->has(c.op))
    return refuse({400, "UnknownOperationException", "Unknown operation " + (target ? target->substr(0, 128) : std::string("(no X-Amz-Target)")) + ".", json::object()});

  auto who = authenticate(c.ctx);
  if (!who) return refuse(who.error());
  c.ctx.who = std::move(*who);

  auto body = read_json_body(req, {0, {}, true});
  if (!body && body.error() == body_problem::too_deep)
    return refuse({400, "SerializationException", "The request body nests deeper than " + std::to_string(max_json_nesting) + " levels.", json::object()});
  if (!body) return refuse({400, "SerializationException", "The request body is not a valid JSON object.", json::object()});
  c.ctx.request_parameters = to_json_text(audit_parameters(*body, c.api->audited_members()));
  if (auto allowed = authorize(*c.api, c.op, *body, c.ctx.who); !allowed) return refuse(c.api->map_error(allowed.error()));

  if (auto secs = throttled_for(throttle_, c.service_name + "." + c.op)) {
    auto r = error_response({400, "ThrottlingException", "Rate exceeded", {{"RetryAfterSeconds", *secs}}}, req.request_id);
    add_retry_after(r, *secs);
    return std::unexpected(finish(c, std::move(r)));
  }
  c.body = std::move(*body);
  return c;
}

response aws_door::answer(const call& c, const result<json>& outcome) {
  if (!outcome) return failed(c, c.api->map_error(outcome.error()));
  return finish(c, json_response(*outcome));
}

response aws_door::answer_text(const call& c, result<std::string> outcome) {
  if (!outcome) return failed(c, c.api->map_error(outcome.error()));
  return finish(c, json_text_response(std::move(*outcome)));
}

response aws_door::serve(const request& req, const authenticate_fn& authenticate, domain::door via,
                         std::string_view path) {
  auto run = [&]() -> response {
    auto c = prepare(req, authenticate, via, path);
    if (!c) return std::move(c.error());
    if (const auto* text = c->api->find_text(c->op)) return answer_text(*c, (*text)(c->body, c->ctx));
    return answer(*c, c->api->call(c->op, c->body, c->ctx));
  };
  if (!is_point_read(req)) return run();
  // A point read (issue 18 item 1): the access key's row and the operation's read come from
  // one read transaction instead of two. The key is still read, and checked, on every call.
  std::optional<response> out;
  (void)audit_.db().read_together([&]() -> result<void> {
    out = run();
    return {};
  });
  return std::move(*out);  // set: read_together runs its body exactly once (store/repositories.hpp)
}

// An operation with an asynchronous form answers when its write's group commit is done (the
// completion comes back on a worker); any other answers at once, as serve() does.
void aws_door::serve_async(const request& req, const authenticate_fn& authenticate, domain::door via,
                           std::string_view path, responder later) {
  if (is_point_read(req)) return later(serve(req, authenticate, via, path));
  auto c = prepare(req, authenticate, via, path);
  if (!c) return later(std::move(c.error()));
  const json_operation* row = c->api->find(c->op);
  if (!row || !row->async_handler) return later(answer(*c, c->api->call(c->op, c->body, c->ctx)));
  auto shared = std::make_shared<call>(std::move(*c));
  row->async_handler(shared->body, shared->ctx, later.poster(),
                     [this, shared, later](result<json> outcome) { later(answer(*shared, outcome)); });
}

}  // namespace atrium::proto::aws
