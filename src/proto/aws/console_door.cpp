#include "proto/aws/console_door.hpp"

#include "proto/kit/door_call.hpp"
#include "proto/kit/json_body.hpp"

namespace atrium::proto::aws {

using nlohmann::json;

namespace {

// The portal's session cookie (proto/portal/portal_http.hpp: session_cookie_name).
constexpr std::string_view console_session_cookie = "atrium_session";
constexpr std::size_t max_session_cookie = 128;
constexpr std::size_t max_described_actions = 200;
constexpr std::size_t max_action_length = 128;

aws_error console_refusal(int status, const char* type, std::string message) {
  return {status, type, std::move(message), json::object()};
}

}  // namespace

console_door::console_door(aws_door& api, service::session_service& sessions, service::console_access& access,
                           console_settings settings)
    : api_(api), sessions_(sessions), access_(access), settings_(std::move(settings)) {}

// The session (one snapshot with its user: a disabled user has none), then the CSRF header
// (every console call is a POST), then the user's console policies.
std::expected<service::principal, aws_error> console_door::authenticate(const request& req, service::call_context& ctx) {
  auto token = cookie_value(req, console_session_cookie);
  if (token.empty() || token.size() > max_session_cookie)
    return std::unexpected(console_refusal(403, "MissingAuthenticationTokenException", "Sign in to the portal first."));
  auto s = sessions_.validate(token);
  if (!s) return std::unexpected(to_aws_error(s.error()));
  if (!*s)
    return std::unexpected(console_refusal(403, "MissingAuthenticationTokenException", "Your session has ended. Sign in again."));
  ctx.who.type = "IdentityCenterUser";
  ctx.who.principal_id = (*s)->user.id;
  ctx.who.user_name = (*s)->user.user_name;
  ctx.session_id = (*s)->record.id;
  const std::string* csrf = req.header("x-csrf-token");
  if (!csrf || !service::session_service::csrf_matches((*s)->record, *csrf))
    return std::unexpected(console_refusal(403, "InvalidSignatureException", "The request's X-CSRF-Token is missing or wrong."));
  auto who = access_.principal_for((*s)->user);
  if (!who) return std::unexpected(to_aws_error(who.error()));
  if (!*who)
    return std::unexpected(to_aws_error(error{errc::access_denied, "User: " + (*s)->user.user_name +
                                                                       " is not authorized to use the admin console.", {}, {}}));
  return std::move(**who);
}

response console_door::handle(const request& req) {
  const std::string* target = req.header("X-Amz-Target");
  if (target && *target == "AtriumConsole.DescribeCaller") return describe_caller(req);
  return api_.serve(req, [&](service::call_context& ctx) { return authenticate(req, ctx); }, domain::door::console,
                    console_api_path);
}

response console_door::describe_caller(const request& req) {
  service::call_context ctx = context_of(req, settings_.region);
  auto fail = [&](const aws_error& e) {
    auto r = error_response(e, req.request_id);
    r.operation = "console.DescribeCaller";
    return r;
  };
  if (req.method != "POST") return fail(console_refusal(404, "UnknownOperationException", "Unknown operation."));
  auto who = authenticate(req, ctx);
  if (!who) return fail(who.error());
  auto body = read_json_body(req, {0, {}, true});
  if (!body) return fail(console_refusal(400, "SerializationException", "The request body is not a valid JSON object."));
  auto actions = body->find("Actions");
  if (actions == body->end() || !actions->is_array() || actions->size() > max_described_actions)
    return fail(console_refusal(400, "ValidationException", "Actions must be a list of at most 200 action names."));
  json allowed = json::object();
  for (const auto& a : *actions) {
    if (!a.is_string() || a.get_ref<const std::string&>().empty() || a.get_ref<const std::string&>().size() > max_action_length)
      return fail(console_refusal(400, "ValidationException", "Each action is a string of 1-128 characters."));
    allowed[a.get<std::string>()] = domain::may_be_allowed(*who->policies, a.get_ref<const std::string&>());
  }
  auto r = json_response(json{{"UserId", who->principal_id}, {"UserName", who->user_name},
                                     {"IdentityStoreId", settings_.identity_store_id},
                                     {"InstanceArn", settings_.instance_arn}, {"Allowed", allowed}});
  r.operation = "console.DescribeCaller";
  return r;
}

}  // namespace atrium::proto::aws
