#pragma once
// Users, groups and memberships of the identity store. Attribute set: the guide's "Supported
// user and group attributes" (SCIM RFC 7643 §4.1 less password/ims/photos/entitlements/
// x509Certificates) plus the enterprise extension (RFC 7643 §4.3), as the identitystore API
// carries them (`Extensions["aws:identitystore:enterprise"]`).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.hpp"

namespace atrium::domain {

// Which front door created or last changed a record (the console's "Created by"/"Updated by").
enum class door { api, scim, console, cli, system };
const char* to_string(door d);
std::optional<door> door_from_string(std::string_view s);

struct external_id {
  std::string issuer;
  std::string id;
  friend bool operator==(const external_id&, const external_id&) = default;
};

struct name {
  std::optional<std::string> formatted, family_name, given_name, middle_name, honorific_prefix,
      honorific_suffix;
  friend bool operator==(const name&, const name&) = default;
};

struct email {
  std::optional<std::string> value, type;
  std::optional<bool> primary;
  friend bool operator==(const email&, const email&) = default;
};

struct address {
  std::optional<std::string> street_address, locality, region, postal_code, country, formatted,
      type;
  std::optional<bool> primary;
  friend bool operator==(const address&, const address&) = default;
};

struct phone_number {
  std::optional<std::string> value, type;
  std::optional<bool> primary;
  friend bool operator==(const phone_number&, const phone_number&) = default;
};

struct enterprise {
  std::optional<std::string> employee_number, cost_center, organization, division, department,
      manager;  // manager is the manager's user id (RFC 7643 §4.3 manager.value)
  friend bool operator==(const enterprise&, const enterprise&) = default;
  bool empty() const { return *this == enterprise{}; }
};

struct audit_stamp {
  sys_time created_at{};
  std::string created_by;  // principal ARN or door name
  sys_time updated_at{};
  std::string updated_by;
  door created_via = door::api;
  door updated_via = door::api;
};

struct user {
  std::string id;
  std::string user_name;
  std::vector<external_id> external_ids;
  std::optional<name> user_name_parts;  // "Name" in the API
  std::optional<std::string> display_name, nick_name, profile_url, user_type, title,
      preferred_language, locale, timezone;
  std::vector<email> emails;               // at most one (guide: single-valued lists)
  std::vector<address> addresses;          // at most one
  std::vector<phone_number> phone_numbers;  // at most one
  std::optional<enterprise> enterprise_ext;
  bool active = true;
  int64_t version = 1;  // bumped on every change; SCIM meta.version and optimistic locking
  audit_stamp stamp;

  // Keys the store enforces uniqueness on (see docs/identity-store.md "Case rules").
  std::string user_name_key() const;
  std::optional<std::string> primary_email_key() const;
  // The console's search and sort key (not unique; "" without a display name).
  std::string display_name_key() const;
};

struct group {
  std::string id;
  std::string display_name;
  std::optional<std::string> description;
  std::vector<external_id> external_ids;
  int64_t version = 1;
  audit_stamp stamp;

  std::string display_name_key() const;
};

enum class member_kind { user, group };

struct membership {
  std::string id;
  std::string group_id;
  std::string member_id;
  member_kind kind = member_kind::user;
  audit_stamp stamp;
};

// Folding used for uniqueness and case-insensitive lookups: ASCII letters are lower-cased,
// everything else is compared as sent (see docs/identity-store.md for why).
std::string fold_key(std::string_view s);

}  // namespace atrium::domain
