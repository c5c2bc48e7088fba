#pragma once
// Who is calling and how: built by a door from an authenticated request, consumed by the
// service (authorization, "Updated by") and by the auditor (CloudTrail userIdentity etc.).
#include <memory>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "domain/admin_policy.hpp"
#include "domain/identity.hpp"

namespace atrium::service {

struct principal {
  std::string type = "IAMUser";  // CloudTrail userIdentity.type
  std::string arn;               // arn:aws:iam::<account>:user/<name>
  std::string account_id;
  std::string principal_id;
  std::string user_name;
  std::string access_key_id;
  // The key's IAM-style policies (delegated administration), checked by aws_door before any
  // operation runs (service/key_policies.hpp: authorize). Null for callers that are not access
  // keys (the CLI acts as root, SCIM as its bearer token).
  std::shared_ptr<const std::vector<domain::admin_policy>> policies;
};

// CloudTrail's errorCode/errorMessage of a failed call, in the door's own words.
struct call_failure {
  std::string code;  // "ValidationException", "invalidFilter", ...
  std::string message;
};

struct call_context {
  principal who;
  std::string source_ip;
  std::string user_agent;
  std::string request_id;
  std::string region = "us-east-1";
  std::string event_source = "identitystore.amazonaws.com";
  std::string event_name;
  // CloudTrail's requestParameters as serialised JSON (base/json_text.hpp), already masked by
  // the door that built it; empty: null.
  std::string request_parameters;
  // True when request_parameters is to_json_text's output (members sorted, compact): the
  // auditor then keeps the text as it is when it names no secret key (what parsing, redacting
  // and dumping it again would give back, byte for byte), instead of a parse and a dump per
  // record.
  bool request_parameters_canonical = false;
  bool read_only = false;
  domain::door via = domain::door::api;
  // The portal session the call is made in (hex id), empty outside one: what an external IdP
  // sent for that session (attributes for access control, issue 17) applies to the call.
  std::string session_id;
};

}  // namespace atrium::service
