#include "service/audit/auditor.hpp"

#include <array>

#include <nlohmann/json.hpp>

#include "base/json_text.hpp"
#include "base/strings.hpp"

namespace atrium::service {

namespace {

constexpr std::array<std::string_view, 9> secret_keys = {
    "password", "secretaccesskey", "secret", "token", "accesstoken",
    "clientsecret", "privatekey", "sessiontoken", "refreshtoken"};

bool is_secret_key(std::string_view key) {
  auto k = to_lower_ascii(key);
  for (auto s : secret_keys)
    if (k == s) return true;
  return false;
}

nlohmann::json identity_of(const principal& p) {
  nlohmann::json id = {{"type", p.type}, {"principalId", p.principal_id}, {"arn", p.arn},
                       {"accountId", p.account_id}};
  if (!p.access_key_id.empty()) id["accessKeyId"] = p.access_key_id;
  if (!p.user_name.empty()) id["userName"] = p.user_name;
  return id;
}

nlohmann::json redacted(const nlohmann::json& params) {
  if (params.is_object()) {
    nlohmann::json out = nlohmann::json::object();
    for (auto it = params.begin(); it != params.end(); ++it)
      out[it.key()] = is_secret_key(it.key()) ? nlohmann::json("HIDDEN_DUE_TO_SECURITY_REASONS")
                                               : redacted(it.value());
    return out;
  }
  if (params.is_array()) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& v : params) out.push_back(redacted(v));
    return out;
  }
  return params;
}

// Whether a JSON text may hold a member redacted() would hide: a case-insensitive search for
// the stems of secret_keys ("secret" covers secretaccesskey and clientsecret; "token" the four
// tokens). A false positive only costs the slow path.
bool may_name_secret(std::string_view text) {
  auto lower = to_lower_ascii(text);
  for (std::string_view stem : {"password", "secret", "token", "privatekey"})
    if (lower.find(stem) != std::string::npos) return true;
  return false;
}

// Stands for requestParameters in the record's tree, then replaced by the caller's text. In the
// dump an unescaped quote cannot occur inside a string value, so the first occurrence of the
// member as dumped is the member itself.
constexpr std::string_view spliced_value = "\x01requestParameters\x01";
constexpr std::string_view spliced_key = "\"requestParameters\":";
constexpr std::string_view spliced_member = "\"requestParameters\":\"\\u0001requestParameters\\u0001\"";

}  // namespace

std::string redact_secrets(std::string_view params) { return to_json_text(redacted(from_json_text(params))); }

auditor::auditor(const clock& clk, random_source& rnd,
                 std::optional<std::filesystem::path> jsonl_file)
    : clock_(clk), random_(rnd) {
  if (jsonl_file) {
    std::filesystem::create_directories(jsonl_file->parent_path());
    file_ = std::fopen(jsonl_file->c_str(), "a");
  }
}

auditor::~auditor() {
  if (file_) std::fclose(file_);
}

store::audit_record auditor::make(const call_context& ctx, std::string_view response_elements,
                                  const call_failure* err) {
  store::audit_record r;
  r.event_time = clock_.now();
  r.event_id = random_.uuid7(r.event_time);  // time-ordered: audit inserts append
  r.event_name = ctx.event_name;
  r.event_source = ctx.event_source;
  // The principal column `atrium audit --principal` searches: the ARN, else the access key,
  // else the user name (portal users: the same column their sign-in events fill).
  r.principal = !ctx.who.arn.empty() ? ctx.who.arn : !ctx.who.access_key_id.empty() ? ctx.who.access_key_id : ctx.who.user_name;
  r.read_only = ctx.read_only;
  const bool splice = ctx.request_parameters_canonical && !ctx.request_parameters.empty() &&
                      !may_name_secret(ctx.request_parameters);
  nlohmann::json j = {
      {"eventVersion", "1.08"},
      {"userIdentity", identity_of(ctx.who)},
      {"eventTime", iso8601(r.event_time, false)},
      {"eventSource", ctx.event_source},
      {"eventName", ctx.event_name},
      {"awsRegion", ctx.region},
      {"sourceIPAddress", ctx.source_ip},
      {"userAgent", ctx.user_agent},
      {"requestParameters", splice ? nlohmann::json(spliced_value) : redacted(from_json_text(ctx.request_parameters))},
      {"responseElements", err ? nlohmann::json(nullptr) : redacted(from_json_text(response_elements))},
      {"requestID", ctx.request_id},
      {"eventID", r.event_id},
      {"readOnly", ctx.read_only},
      {"eventType", "AwsApiCall"},
      {"managementEvent", true},
      {"recipientAccountId", ctx.who.account_id},
      {"eventCategory", "Management"},
  };
  if (err) {
    r.error_code = err->code;
    j["errorCode"] = r.error_code;
    j["errorMessage"] = err->message;
  }
  r.json = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  if (splice) {
    auto at = r.json.find(spliced_member);
    if (at != std::string::npos)
      r.json.replace(at + spliced_key.size(), spliced_member.size() - spliced_key.size(), ctx.request_parameters);
  }
  return r;
}

store::audit_record auditor::make_service_event(const call_context& ctx, std::string_view additional_event_data,
                                               std::string_view service_event_details) {
  store::audit_record r;
  r.event_time = clock_.now();
  r.event_id = random_.uuid7(r.event_time);
  r.event_name = ctx.event_name;
  r.event_source = ctx.event_source;
  r.principal = ctx.who.user_name;
  r.read_only = false;
  const auto& who = ctx.who;
  nlohmann::ordered_json j = {
      {"eventVersion", "1.08"},
      {"userIdentity", {{"type", who.type}, {"principalId", who.principal_id}, {"arn", who.arn},
                        {"accountId", who.account_id}, {"accessKeyId", who.access_key_id},
                        {"userName", who.user_name}}},
      {"eventTime", iso8601(r.event_time, false)},
      {"eventSource", ctx.event_source},
      {"eventName", ctx.event_name},
      {"awsRegion", ctx.region},
      {"sourceIPAddress", ctx.source_ip},
      {"userAgent", ctx.user_agent},
      {"requestParameters", nullptr},
      {"responseElements", nullptr},
      {"additionalEventData", ordered_from_json_text(additional_event_data)},
      {"requestID", ctx.request_id},
      {"eventID", r.event_id},
      {"readOnly", false},
      {"eventType", "AwsServiceEvent"},
      {"managementEvent", true},
      {"eventCategory", "Management"},
      {"recipientAccountId", who.account_id},
      {"serviceEventDetails", ordered_from_json_text(service_event_details)},
  };
  r.json = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return r;
}

void auditor::export_line(const store::audit_record& r) {
  if (!file_) return;
  std::lock_guard lock(mu_);
  std::fwrite(r.json.data(), 1, r.json.size(), file_);
  std::fputc('\n', file_);
  std::fflush(file_);
}

}  // namespace atrium::service
