#pragma once
// IAM-style policies attached to admin access keys (delegated administration, issue 4 item 7).
// The interface is reached through transaction::admin_policies(); store/sqlite implements it in
// admin_policy_repo.cpp. Documents are stored as attached; parsing and evaluation are
// domain/admin_policy's.
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/clock.hpp"
#include "base/result.hpp"

namespace atrium::store {

struct key_policy_record {
  std::string access_key_id;
  std::string name;                      // a built-in's name, or the name given to an inline document
  std::optional<std::string> document;   // inline JSON; nullopt for a built-in policy
  sys_time attached_at{};
};

// The same policies attached to an identity-store user or group: console access (issue 14,
// migration 0018_console_access). principal_type is "USER" or "GROUP".
struct console_policy_record {
  std::string principal_type;
  std::string principal_id;
  std::string name;
  std::optional<std::string> document;
  sys_time attached_at{};
};

class admin_policy_repository {
 public:
  virtual ~admin_policy_repository() = default;
  // Oldest first. A key without rows has no permissions at all (default deny).
  virtual result<std::vector<key_policy_record>> list_for_key(const std::string& access_key_id) = 0;
  // errc::conflict when the key already has a policy of that name.
  virtual result<void> attach(const key_policy_record& r) = 0;
  virtual result<bool> detach(const std::string& access_key_id, const std::string& name) = 0;

  // Console access. Every row, oldest first (a deployment has few administrators).
  virtual result<std::vector<console_policy_record>> list_console() = 0;
  // The rows of these principals (a user and the groups they belong to), oldest first.
  virtual result<std::vector<console_policy_record>> list_console_for(
      const std::vector<std::pair<std::string, std::string>>& principals) = 0;
  // errc::conflict when the principal already has a policy of that name.
  virtual result<void> attach_console(const console_policy_record& r) = 0;
  virtual result<bool> detach_console(const std::string& principal_type, const std::string& principal_id,
                                      const std::string& name) = 0;
};

}  // namespace atrium::store
