#pragma once
// Short-lived state of the sign-in and MFA use cases (issue 13 item 2: no state on a node):
// workflows between the sign-in steps, authenticator-app enrollments not yet confirmed, login
// throttle counters. Rows of migration 0019's transient_state table, named by (kind, key), with
// an opaque value the service encodes (secrets in it sealed with crypto/secret_box, as
// elsewhere), a version for compare-and-set between nodes, and an expiry: an expired row reads
// as absent and is deleted by remove_expired, which any node may run at any time (a bounded
// DELETE; two nodes running it at once delete disjoint rows or one of them retries).
// Reached through transaction::transient_state(); store/sqlite and store/postgresql implement it
// in transient_state_repo.cpp.
#include <cstdint>
#include <optional>
#include <string>

#include "base/clock.hpp"
#include "base/result.hpp"

namespace atrium::store {

struct transient_record {
  std::string kind;  // "sign-in", "totp-enrollment", "login-throttle", ...
  std::string key;
  std::string value;
  sys_time expires{};
  int64_t version = 0;  // 1 when first written, +1 at each put/update
};

class transient_state_repository {
 public:
  virtual ~transient_state_repository() = default;
  // The row when it exists and has not expired at `now`.
  virtual result<std::optional<transient_record>> get(const std::string& kind, const std::string& key,
                                                      sys_time now) = 0;
  // Writes the row whatever was there (an expired row is replaced as if absent: version 1).
  // Returns the version written.
  virtual result<int64_t> put(const transient_record& r, sys_time now) = 0;
  // Replaces the row only while its version is still `expected_version` and it has not expired:
  // false otherwise (another node moved it on, or it is gone). The new version is expected+1.
  virtual result<bool> update(const transient_record& r, int64_t expected_version, sys_time now) = 0;
  // Deletes the row; with expected_version, only while it still has that version. True when a
  // row went.
  virtual result<bool> remove(const std::string& kind, const std::string& key,
                              std::optional<int64_t> expected_version = std::nullopt) = 0;
  // Deletes at most `limit` rows expired at `now`; how many.
  virtual result<int64_t> remove_expired(sys_time now, int64_t limit) = 0;
  // Unexpired rows of one kind (a bound on how many a deployment holds at once).
  virtual result<int64_t> count(const std::string& kind, sys_time now) = 0;
};

}  // namespace atrium::store
