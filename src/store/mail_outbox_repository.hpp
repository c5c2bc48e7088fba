#pragma once
// The mail outbox (issue 13 item 2; migration 0021): messages queued in the same transaction as
// the change that causes them, sealed by the service (crypto/secret_box), and sent by whichever
// node takes them under a lease (owner + lease_until, as the provisioning jobs'). Reached through
// transaction::mail_outbox(); store/sqlite and store/postgresql implement it in
// mail_outbox_repo.cpp.
#include <cstdint>
#include <string>
#include <vector>

#include "base/clock.hpp"
#include "base/result.hpp"

namespace atrium::store {

struct outbox_message {
  std::string id;
  std::string event;   // the call that queued it (SendInvitation, ForgotPassword, ...)
  std::string sealed;  // recipient, subject and body, sealed with the master key
  sys_time created_at{};
  sys_time next_attempt_at{};
  int64_t attempts = 0;  // refused attempts so far
  // Written by enqueue: the node that queued a message holds it from the start, so that it sends
  // it itself (at once, or a CLI process before it exits) and another node takes it only once
  // that lease expired (the node died).
  std::string lease_owner;
  sys_time lease_until{};
};

class mail_outbox_repository {
 public:
  virtual ~mail_outbox_repository() = default;
  virtual result<void> enqueue(const outbox_message& m) = 0;
  // Leases at most `limit` messages due at `now` (next attempt reached; lease free, expired or
  // already `owner`'s) to `owner` until `lease_until`, oldest first, with one conditional
  // UPDATE: of two nodes taking at once each message goes to one. Returns what this call took.
  virtual result<std::vector<outbox_message>> take(const std::string& owner, sys_time now, sys_time lease_until,
                                                   int64_t limit) = 0;
  // Deletes a message the relay accepted, while `owner` still holds it. True when it went.
  virtual result<bool> remove(const std::string& id, const std::string& owner) = 0;
  // A refused message: attempts + 1, the lease released, due again at `next_attempt_at`.
  virtual result<bool> retry_later(const std::string& id, const std::string& owner, sys_time next_attempt_at) = 0;
  // Messages waiting (leased or not): a bound and what the tests read.
  virtual result<int64_t> count() = 0;
};

}  // namespace atrium::store
