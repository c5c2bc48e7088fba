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
// the source address for the address counter. State is in memory: a restart forgets it
// (docs/sign-in.md "Throttling"). The table is bounded; the oldest keys go first.
#include <chrono>
#include <cstddef>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "base/clock.hpp"

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
  login_throttle(const clock& clk, login_throttle_settings s = {});

  // Before an attempt: nullopt when it may go ahead, otherwise how long until it may
  // (whole seconds, at least 1: the Retry-After value).
  std::optional<std::chrono::seconds> check(std::string_view account_key, std::string_view address);
  void failure(std::string_view account_key, std::string_view address);
  void success(std::string_view account_key);
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
  std::optional<std::chrono::seconds> wait_for(const std::string& key, sys_time now);
  void count(const std::string& key, int free_failures, sys_time now);
  void make_room(sys_time now);

  const clock& clock_;
  login_throttle_settings s_;
  std::mutex mu_;
  std::unordered_map<std::string, entry> entries_;
};

}  // namespace atrium::service
