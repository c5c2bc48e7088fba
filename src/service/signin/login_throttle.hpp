#pragma once
// Failed-attempt counters with exponential backoff (issue 5 item 6: rate limiting per account
// and per source address on password and code attempts; OWASP Authentication Cheat Sheet,
// "Account lockout"). After `free_failures` failures a key is locked for `first_lockout`, and
// each further failure doubles the lock up to `max_lockout`. A success resets the account's
// counter (never the address's: one valid account must not unlock a guessing address).
// A key whose last failure is older than `forget_after` starts again from zero.
//
// Keys are opaque strings chosen by the caller: the user id for a known user and the folded
// name for an unknown one (which therefore locks exactly like a real account: no enumeration),
// the source address for the address counter.
//
// With a database (every server) the counters are rows of the store (transient_state kind
// "login-throttle", migration 0019), read and counted in one write transaction: every node of a
// deployment counts into the same rows, so a guesser spreading attempts over N nodes gets no
// more than over one (issue 13 item 2), and a restart forgets nothing; a row goes when its
// key is forgotten (`forget_after`, or the lock's end if later). A store that cannot be read
// fails closed (a 1-second wait). Without one (unit tests of callers) the counters are in this
// object's memory, bounded, the oldest keys going first.
#include <chrono>
#include <cstddef>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "base/clock.hpp"
#include "store/repositories.hpp"

namespace atrium::service {

struct login_throttle_settings {
  int account_free_failures = 5;
  int address_free_failures = 20;  // an office behind one NAT address has many users
  std::chrono::seconds first_lockout{1};
  std::chrono::seconds max_lockout{15 * 60};
  std::chrono::seconds forget_after{60 * 60};
  std::size_t max_keys = 100'000;
};

class login_throttle {
 public:
  // `shared`: the store holding the counters; nullptr keeps them in memory (one process).
  login_throttle(const clock& clk, login_throttle_settings s = {}, store::database* shared = nullptr);

  // Before an attempt: nullopt when it may go ahead, otherwise how long until it may
  // (whole seconds, at least 1: the Retry-After value).
  // `account_counted`, when given, is set to whether the account has a counter at all: the
  // success() after the attempt then skips its own read when it had none.
  std::optional<std::chrono::seconds> check(std::string_view account_key, std::string_view address,
                                            bool* account_counted = nullptr);
  // check() inside the caller's read transaction (the sign-in's password step reads its
  // workflow, these counters, the password row and the MFA settings in one snapshot; issue 18
  // item 6). Without a store the memory counters answer and tx is not used. A read error fails
  // closed (a 1-second wait), as check() does.
  std::optional<std::chrono::seconds> check_in(store::transaction& tx, std::string_view account_key,
                                               std::string_view address, bool* account_counted = nullptr);
  // The address counter alone, inside the caller's read: the sign-in's start (anonymous, and no
  // account is attempted yet) refuses a locked address before sealing a token, one row read.
  // Counts nothing. A read error fails closed (a 1-second wait).
  std::optional<std::chrono::seconds> check_address_in(store::transaction& tx, std::string_view address);
  void failure(std::string_view account_key, std::string_view address);
  // `counted`: what check() said. A counter made by a concurrent failure during this attempt
  // then stays until it is forgotten (forget_after): stricter, never looser.
  void success(std::string_view account_key, bool counted = true);
  // A request that leaves a row in the store until it completes (the SP's pending
  // AuthnRequests, issue 17): counted under `key` only (not the shared address counter), with
  // the address allowance (an office behind one NAT address signs many users in), locking as a
  // failure does; success(key) resets it when one completes. check(key, address) asks.
  void pending(std::string_view key);

  const login_throttle_settings& settings() const { return s_; }

 private:
  struct entry {
    int failures = 0;
    sys_time last_failure{};
    sys_time locked_until{};
  };
  static std::optional<std::chrono::seconds> wait_of(const entry& e, sys_time now);
  // One counter's wait read in tx (db_ set); `present`: whether its row exists.
  result<std::optional<std::chrono::seconds>> stored_wait(store::transaction& tx, const std::string& key, sys_time now,
                                                          bool* present = nullptr) const;
  // The two counters' waits read in tx (db_ set).
  result<void> read_waits(store::transaction& tx, std::string_view account_key, std::string_view address, sys_time now,
                          std::optional<std::chrono::seconds>& account, std::optional<std::chrono::seconds>& addr,
                          bool& counted) const;
  std::optional<std::chrono::seconds> check_in_memory(std::string_view account_key, std::string_view address,
                                                      bool* account_counted);
  std::optional<std::chrono::seconds> in_memory(std::string_view account_key, std::string_view address, sys_time now,
                                                bool& counted);
  static std::optional<std::chrono::seconds> longer(std::optional<std::chrono::seconds> a,
                                                    std::optional<std::chrono::seconds> b);
  void count_into(entry& e, int free_failures, sys_time now) const;
  std::optional<std::chrono::seconds> wait_for(const std::string& key, sys_time now);
  void count(const std::string& key, int free_failures, sys_time now);
  void make_room(sys_time now);
  // The store's rows (db_ set).
  void count_shared(const std::vector<std::pair<std::string, int>>& keys);

  const clock& clock_;
  login_throttle_settings s_;
  store::database* db_;
  std::mutex mu_;
  std::unordered_map<std::string, entry> entries_;
};

}  // namespace atrium::service
