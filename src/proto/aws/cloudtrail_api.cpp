#include "proto/aws/cloudtrail_api.hpp"

#include <charconv>
#include <cmath>

#include "base/clock.hpp"
#include "base/try.hpp"
#include "proto/aws/sso_admin_api.hpp"

namespace atrium::proto::aws {

using nlohmann::json;
using service::call_context;

namespace {

result<std::optional<sys_time>> trail_time(const json& req, const char* key) {
  auto it = req.find(key);
  if (it == req.end() || it->is_null()) return std::optional<sys_time>();
  if (!it->is_number() || it->get<double>() < 0 || it->get<double>() > 32503680000.0)
    return invalid(std::string(key) + " must be a time in seconds since the epoch.");
  auto ms = static_cast<int64_t>(std::llround(it->get<double>() * 1000.0));
  return std::optional<sys_time>(sys_time(std::chrono::milliseconds(ms)));
}

result<void> lookup_attribute(const json& req, service::audit_lookup_query& q) {
  auto it = req.find("LookupAttributes");
  if (it == req.end() || it->is_null() || (it->is_array() && it->empty())) return {};
  if (!it->is_array() || it->size() > 1) return invalid("LookupAttributes may hold at most one attribute.");
  const json& a = it->front();
  if (!a.is_object()) return invalid("A lookup attribute is an object.");
  TRY_VOID(sso_only_members(a, {"AttributeKey", "AttributeValue"}));
  TRY(key, sso_required_string(a, "AttributeKey", 1, 32));
  TRY(value, sso_required_string(a, "AttributeValue", 1, 2000));
  if (key == "EventName") q.event_name = value;
  else if (key == "Username") q.principal = value;
  else return invalid("AttributeKey must be EventName or Username.");
  return {};
}

// NextToken "<epoch millis>-<records at that millisecond already shown>".
result<void> trail_token(const json& req, service::audit_lookup_query& q) {
  TRY(token, sso_optional_string(req, "NextToken", 3, 40));
  if (!token) return {};
  auto dash = token->find('-');
  int64_t ms = -1;
  int skip = -1;
  if (dash != std::string::npos) {
    auto [e1, c1] = std::from_chars(token->data(), token->data() + dash, ms);
    auto [e2, c2] = std::from_chars(token->data() + dash + 1, token->data() + token->size(), skip);
    if (c1 != std::errc() || e1 != token->data() + dash || c2 != std::errc() || e2 != token->data() + token->size())
      ms = -1;
  }
  if (ms < 0 || skip < 0 || skip > service::max_audit_skip) return invalid("NextToken is not valid.");
  sys_time t{std::chrono::milliseconds(ms)};
  if (q.until && *q.until < t) return invalid("NextToken does not belong to this EndTime.");
  q.until = t;
  q.skip = skip;
  return {};
}

json trail_event(const store::audit_record& r) {
  json full = json::parse(r.json, nullptr, false);
  json e = {{"EventId", r.event_id},   {"EventName", r.event_name}, {"ReadOnly", r.read_only ? "true" : "false"},
            {"EventTime", epoch_seconds(r.event_time)}, {"EventSource", r.event_source},
            {"Username", r.principal}, {"Resources", json::array()}, {"CloudTrailEvent", r.json}};
  if (!full.is_discarded()) {
    const auto& who = full.value("userIdentity", json::object());
    if (who.contains("accessKeyId") && who["accessKeyId"].is_string() && !who["accessKeyId"].get_ref<const std::string&>().empty())
      e["AccessKeyId"] = who["accessKeyId"];
    if (who.contains("userName") && who["userName"].is_string() && !who["userName"].get_ref<const std::string&>().empty())
      e["Username"] = who["userName"];
  }
  return e;
}

}  // namespace

cloudtrail_api::cloudtrail_api(service::audit_lookup& lookup)
    : json_api({"com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101", "cloudtrail", "cloudtrail",
                "cloudtrail.amazonaws.com", {"LookupAttributes", "StartTime", "EndTime", "MaxResults", "NextToken"}}) {
  add({"LookupEvents", true, [&lookup](const json& req, const call_context& ctx) -> result<json> {
         TRY_VOID(sso_only_members(req, {"LookupAttributes", "StartTime", "EndTime", "MaxResults", "NextToken", "EventCategory"}));
         service::audit_lookup_query q;
         TRY_VOID(lookup_attribute(req, q));
         TRY(since, trail_time(req, "StartTime"));
         TRY(until, trail_time(req, "EndTime"));
         q.since = since;
         q.until = until;
         TRY_VOID(trail_token(req, q));
         if (auto m = req.find("MaxResults"); m != req.end() && !m->is_null()) {
           if (!m->is_number_integer() || m->get<int64_t>() < 1 || m->get<int64_t>() > 50)
             return invalid("MaxResults must be 1-50.");
           q.max_results = static_cast<int>(m->get<int64_t>());
         }
         TRY(page, lookup.lookup(ctx, q));
         json events = json::array();
         for (const auto& r : page.events) events.push_back(trail_event(r));
         json out = {{"Events", events}};
         if (page.next_until)
           out["NextToken"] = std::to_string(epoch_millis(*page.next_until)) + "-" + std::to_string(page.next_skip);
         return out;
       }});
}

}  // namespace atrium::proto::aws
