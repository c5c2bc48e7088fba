#pragma once
// A small synchronous client for AWS APIs, used to provision IAM in member accounts and to
// import an organization. It signs with SigV4 (crypto/sigv4.hpp, session token included and
// signed), speaks the two protocols Atrium needs:
//   - AWS Query (IAM 2010-05-08, STS 2011-06-15): form-encoded POST, XML answer;
//   - AWS JSON 1.1 (Organizations: target "AWSOrganizationsV20161128.ListAccounts"),
// retries throttling and 5xx answers and transport failures with capped exponential backoff
// and full jitter (AWS "Error retries and exponential backoff"), and turns every failure into a
// result error whose message is "<PeerCode>: <peer message>" (use peer_code() to branch).
//
// Example (Organizations import):
//   cloud::client_config cfg;
//   cfg.endpoint_url = "https://organizations.us-east-1.amazonaws.com";
//   cfg.service = "organizations";  // region stays us-east-1
//   cloud::aws_client org(cfg, *cloud::credentials_from_environment());
//   auto page = org.call_json("AWSOrganizationsV20161128.ListAccounts", {{"MaxResults", 20}});
//   if (!page) log(page.error().message);  // e.g. "AccessDeniedException: You don't have ..."
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/clock.hpp"
#include "base/result.hpp"
#include "cloud/http_transport.hpp"
#include "cloud/xml_reader.hpp"

namespace atrium::cloud {

// Never logged or put in error messages.
struct credentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;          // empty for long-term keys
  std::optional<sys_time> expiration;  // temporary credentials (AssumeRole)
  bool empty() const { return access_key_id.empty() || secret_access_key.empty(); }
};

// From AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN; nullopt when unset.
std::optional<credentials> credentials_from_environment();

struct retry_policy {
  int max_attempts = 4;  // first try included
  std::chrono::milliseconds base_delay{100};
  std::chrono::milliseconds max_delay{5'000};
};

struct client_config {
  std::string endpoint_url;  // "https://iam.amazonaws.com", "http://127.0.0.1:5000"
  std::string region = "us-east-1";  // signing region (IAM and Organizations sign us-east-1)
  std::string service;               // signing name: "iam", "sts", "organizations"
  retry_policy retry;
  transport_options transport;       // used when no transport is handed in
  // false: requests go unsigned and need no credentials (STS AssumeRoleWithSAML and
  // AssumeRoleWithWebIdentity are called that way: the assertion is the credential).
  bool sign = true;
};

using query_params = std::vector<std::pair<std::string, std::string>>;

// "2026-11-25T05:30:00Z" / "2026-11-25T05:30:00.123Z" (STS Expiration) -> time; nullopt when
// it is not such a time.
std::optional<sys_time> parse_aws_time(const std::string& s);

// The peer's error code of an error made by aws_client ("NoSuchEntity"), or "" for others.
std::string peer_code(const error& e);

// Form encoding of Query API parameters (RFC 3986 unreserved characters kept, the rest %XX).
std::string form_encode(std::string_view action, std::string_view version, const query_params& params);
// Query API error answer (<ErrorResponse><Error><Code>…) or JSON 1.1 error answer
// ({"__type": "...#Code", "message": …}) -> code and message; empty code when not recognised.
std::pair<std::string, std::string> parse_query_error(std::string_view body);
std::pair<std::string, std::string> parse_json_error(std::string_view body, std::string_view error_type_header);

class aws_client {
 public:
  // `transport` defaults to make_beast_transport(config.transport); `clock` to the system
  // clock; `sleep` (for backoff) to std::this_thread::sleep_for. Tests inject all three.
  aws_client(client_config config, credentials creds, std::shared_ptr<http_transport> transport = nullptr,
             std::shared_ptr<const clock> clk = nullptr,
             std::function<void(std::chrono::milliseconds)> sleep = nullptr);

  // AWS Query call: returns the root element of the answer (e.g. <GetRoleResponse>).
  result<xml_node> call_query(std::string_view action, std::string_view version, const query_params& params = {});
  // AWS JSON 1.1 call: `target` is the X-Amz-Target value.
  result<nlohmann::json> call_json(std::string_view target, const nlohmann::json& body);

  const client_config& config() const { return config_; }
  void set_credentials(credentials creds) { creds_ = std::move(creds); }

 private:
  // Signs and sends with retries; returns the last reply (any status) or a transport error.
  result<http_reply> exchange(http_request req);

  client_config config_;
  credentials creds_;
  endpoint endpoint_;
  error endpoint_error_;
  std::shared_ptr<http_transport> transport_;
  std::shared_ptr<const clock> clock_;
  std::function<void(std::chrono::milliseconds)> sleep_;
};

}  // namespace atrium::cloud
