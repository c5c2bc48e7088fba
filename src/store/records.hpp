#pragma once
// Plain records the store keeps that are not identity-store entities.
#include <cstdint>
#include <optional>
#include <string>

#include "base/clock.hpp"

namespace atrium::store {

// One CloudTrail-format event. `json` is the whole record as written to the JSON-lines file;
// the other fields are copies kept as columns so that `atrium audit` can query them.
struct audit_record {
  std::string event_id;
  sys_time event_time{};
  std::string event_name;
  std::string event_source;
  std::string principal;  // userIdentity.arn (or accessKeyId when unknown)
  bool read_only = false;
  std::string error_code;  // empty on success
  std::string json;
};

struct audit_query {
  std::optional<std::string> event_name;
  std::optional<std::string> principal;
  std::optional<sys_time> since, until;  // inclusive bounds on event_time
  int limit = 1000;
};

struct access_key_record {
  std::string access_key_id;
  std::string secret_ciphertext;  // crypto::secret_box output; never the plain secret
  std::string principal;          // e.g. "admin" -> arn:aws:iam::<account>:user/admin
  std::string status = "Active";  // Active | Inactive
  bool read_only = false;         // made with --read-only: given the read-only built-in policies
  sys_time created_at{};
};

// One SCIM bearer token. The token handed to the IdP is "<id>.<secret>"; the store keeps the
// SHA-256 of the secret (hex), which is enough for a 256-bit random secret (no dictionary to
// guess from, so no slow hash is needed) and is compared in constant time.
struct scim_token_record {
  std::string id;           // "scimtok-" + 16 hex digits; safe to show and log
  std::string secret_hash;  // hex SHA-256 of the secret part
  sys_time created_at{};
  sys_time expires_at{};
  std::optional<sys_time> last_used_at;
  std::string created_by;  // principal ARN or "cli"
};

}  // namespace atrium::store
