#pragma once
// One sign-in in progress (internal to sign_in_service*.cpp) and the answers its steps share.
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "service/signin/sign_in_service.hpp"

namespace atrium::service {

// A password held only between the password and new-password steps (an administrator's
// one-time password, which password_service::change checks once more); wiped after use.
class held_secret {
 public:
  held_secret() = default;
  held_secret(const held_secret&) = delete;
  held_secret& operator=(const held_secret&) = delete;
  ~held_secret() { wipe(); }
  void assign(std::string_view s) {
    wipe();
    s_.assign(s);
  }
  void wipe() {
    volatile char* p = s_.data();
    for (std::size_t i = 0; i < s_.size(); ++i) p[i] = 0;
    s_.clear();
  }
  operator std::string_view() const { return s_; }

 private:
  std::string s_;
};

// Stored between the steps in the store (transient_state kind "sign-in", migration 0019), so
// that any node takes the next step (issue 13 item 2); each step reads it, and writes it back
// only if nobody else moved it on meanwhile (`version`, compare-and-set): one step of a
// workflow at a time across every node.
struct sign_in_service::workflow {
  std::string id;  // AuthWorkflowID
  int64_t version = 0;  // of the stored row this copy was read from
  sys_time expires_at{};
  std::string user_id;        // empty: unknown or disabled user (every check fails)
  std::string user_name, display_name;
  std::string audit_name;     // userName of the events
  std::string throttle_key;   // "u:<id>" or "n:<folded typed name>"
  sign_in_step step = sign_in_step::password;
  std::vector<std::string> methods;  // what the mfa / register-mfa step accepts
  std::vector<std::string> factors;  // verified so far: PASSWORD, TOTP, ...
  bool enrollment_required = false;  // DeviceEnrollmentRequired
  mfa_mode mode = mfa_mode::context_aware;
  held_secret current_password;
  // This step's sign-in events, not stored with the workflow: written in the step's save() or
  // complete() transaction, else by flush_events() when the step ends.
  std::vector<store::audit_record> events;
};

// Writes the events a step left unwritten (an error, a failed password) when the step ends.
class event_flush {
 public:
  event_flush(std::function<void()> f) : f_(std::move(f)) {}
  event_flush(const event_flush&) = delete;
  event_flush& operator=(const event_flush&) = delete;
  ~event_flush() { f_(); }

 private:
  std::function<void()> f_;
};

// The user part of DOMAIN\user or user@domain, else the name as typed.
inline std::string_view candidates_bare(std::string_view typed) {
  if (auto slash = typed.find('\\'); slash != std::string_view::npos) return typed.substr(slash + 1);
  if (auto at = typed.rfind('@'); at != std::string_view::npos && at > 0) return typed.substr(0, at);
  return typed;
}

inline std::unexpected<error> expired() {
  return fail(errc::not_found, "This sign-in has expired or does not exist. Start again.");
}
inline std::unexpected<error> out_of_order() {
  return fail(errc::validation, "This step is not the next one of this sign-in.");
}
// The one message for every wrong user name, password or code.
inline std::unexpected<error> invalid_credentials() {
  return fail(errc::unauthenticated, "The user name, password or code is incorrect.");
}

}  // namespace atrium::service
