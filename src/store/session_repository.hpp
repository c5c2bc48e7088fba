#pragma once
// Portal sign-in sessions and trusted devices (issue 5 items 4-5). Reached through
// transaction::sessions(); store/sqlite implements it in session_repo.cpp (migration 0010).
// Neither table holds a secret: rows are keyed by the SHA-256 (hex) of the random token that
// only the browser's cookie carries. Rows of a deleted user go with it (ON DELETE CASCADE).
#include <cstdint>
#include <optional>
#include <string>

#include "base/clock.hpp"
#include "base/result.hpp"

namespace atrium::store {

struct session_record {
  std::string id;          // hex SHA-256 of the atrium_session cookie token
  std::string user_id;
  sys_time created_at{};
  sys_time expires_at{};
  sys_time last_seen_at{};
  std::string source_ip;
  std::string user_agent;  // as sent at sign-in, cut to 512 bytes
  std::string csrf_hash;   // hex SHA-256 of the session's CSRF token
};

struct trusted_device_record {
  std::string id;              // hex SHA-256 of the atrium_device cookie token
  std::string user_id;
  std::string ua_fingerprint;  // hex SHA-256 of the User-Agent it was trusted with
  std::string source_ip;
  sys_time created_at{};
  sys_time expires_at{};
};

class session_repository {
 public:
  virtual ~session_repository() = default;

  virtual result<void> insert_session(const session_record& s) = 0;
  virtual result<std::optional<session_record>> get_session(const std::string& id) = 0;
  virtual result<void> touch_session(const std::string& id, sys_time last_seen) = 0;
  virtual result<bool> remove_session(const std::string& id) = 0;
  // Every session of a user (disabled, signed out everywhere); returns how many.
  virtual result<int64_t> remove_sessions_of(const std::string& user_id) = 0;
  virtual result<int64_t> count_sessions_of(const std::string& user_id) = 0;

  virtual result<void> insert_trusted_device(const trusted_device_record& d) = 0;
  virtual result<std::optional<trusted_device_record>> get_trusted_device(const std::string& id) = 0;
  virtual result<int64_t> remove_trusted_devices_of(const std::string& user_id) = 0;
  virtual result<int64_t> count_trusted_devices_of(const std::string& user_id) = 0;

  // Sessions and trusted devices whose expiry is at or before `now`; returns how many.
  virtual result<int64_t> remove_expired(sys_time now) = 0;
};

}  // namespace atrium::store
