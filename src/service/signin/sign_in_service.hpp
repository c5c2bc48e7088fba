#pragma once
// The portal's sign-in workflow (issue 5; docs/sign-in.md "Sign-in workflow"): start ->
// password -> (new-password) -> mfa | register-mfa | blocked -> done. One workflow id
// correlates the steps and is the AuthWorkflowID of the sign-in events, written exactly as the
// guide's "Understanding AWS SSO sign-in events" shows them: CredentialChallenge,
// CredentialVerification (Success|Failure) and, only when every challenge was met,
// UserAuthentication (CredentialType = every verified factor, "PASSWORD,TOTP").
//
// No user enumeration: an unknown (or disabled) user name gets a workflow too, its password is
// checked against a dummy hash (same cost), it counts in the throttle like an account, and it
// fails with the same errc::unauthenticated as a wrong password.
//
// A started sign-in (step password) is a token sealed under a key derived from the master key
// (token_key_context; security review finding), not a row (issue 18 item 6): start() writes only its CredentialChallenge event. From the password step on, the
// workflow lives in the store under its AuthWorkflowID until the token expires (10 minutes;
// transient_state, migration 0019: a sign-in begun on one node finishes on any other; expired
// rows swept by any node); the password step's commit takes the id, so each token is used once. Errors: errc::unauthenticated (InvalidCredentials), errc::throttled (TooManyAttempts;
// error.resource_id carries the Retry-After seconds), errc::access_denied (Blocked: "block
// sign-in" and no device), errc::not_found (no such workflow, or expired), errc::validation
// (a step out of order, or a new password the policy refuses).
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstddef>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.hpp"
#include "base/random.hpp"
#include "base/result.hpp"
#include "crypto/primitives.hpp"
#include "service/audit/audited_store.hpp"
#include "service/signin/login_throttle.hpp"
#include "service/signin/mfa_service.hpp"
#include "service/signin/password_service.hpp"
#include "service/signin/session_service.hpp"

namespace atrium::service {

class sign_in_registration;

enum class sign_in_step { password, new_password, mfa, register_mfa, done };
const char* to_string(sign_in_step s);  // "password", "new-password", "mfa", "register-mfa", "done"

// What MFA asks of a user whose password was right (docs/sign-in.md "Context-aware MFA").
struct mfa_decision {
  sign_in_step next = sign_in_step::done;
  std::vector<std::string> methods;  // mfa: "TOTP", "WEBAUTHN", "EMAIL_OTP"; register-mfa: the types allowed
  bool blocked = false;              // "Block their sign-in" and no device
};
// Pure: the settings, the kinds of device the user has, and whether this browser is a trusted
// device of the user (valid cookie, same User-Agent, same address, < 90 days).
mfa_decision decide_mfa(const mfa_settings& s, bool has_totp, bool has_webauthn, bool trusted_device);

// The browser behind one request.
struct sign_in_client {
  std::string source_ip;
  std::string user_agent;
  std::string request_id;
  std::string device_token;  // atrium_device cookie, empty when absent
};

// The CloudTrail context of a sign-in event (the guide's sign-in events): nobody is signed in yet,
// so the principal is the deployment's account, named by the user name typed or asserted. The
// caller sets event_source and event_name.
call_context anonymous_sign_in_context(const sign_in_client& c, const std::string& account_id,
                                       const std::string& region, const std::string& user_name);

struct sign_in_answer {
  sign_in_step next = sign_in_step::password;
  std::string workflow_id;
  std::vector<std::string> methods;         // mfa / register-mfa
  std::optional<std::string> public_key;  // mfa with WEBAUTHN: PublicKeyCredentialRequestOptions (JSON)
  // done:
  std::string session_token, csrf_token;
  std::string device_token;  // set when this sign-in made the browser a trusted device
  sys_time session_expires{};
  std::chrono::seconds session_lifetime{};  // the atrium_session cookie's Max-Age
};

struct mfa_response {
  std::string type;  // TOTP | WEBAUTHN | EMAIL_OTP
  std::string code;
  std::string credential;  // WEBAUTHN: the browser's PublicKeyCredential as JSON
  bool trust_device = false;
};

struct sign_in_settings {
  std::string account_id;  // principalId, accountId, recipientAccountId of the events
  std::string region = "us-east-1";
  std::string login_to;    // LoginTo of UserAuthentication: the portal's URL
  std::chrono::minutes workflow_ttl{10};
};

class sign_in_service {
 public:
  sign_in_service(audited_store& store, password_service& passwords, mfa_service& mfa, session_service& sessions,
                  login_throttle& throttle, const clock& clk, random_source& rnd, sign_in_settings s);
  ~sign_in_service();

  // The purpose key of started sign-in tokens: derived once from the master key
  // (crypto_kdf_derive_from_key, this context and subkey id), so a token is sealed under a key
  // that seals nothing else, and every node holding the master key derives the same one.
  static constexpr std::string_view token_key_context = "signin01";
  static constexpr uint64_t token_key_id = 1;

  result<sign_in_answer> start(const sign_in_client& c, std::string_view user_name);
  result<sign_in_answer> password(const sign_in_client& c, const std::string& workflow_id, std::string_view password);
  result<sign_in_answer> new_password(const sign_in_client& c, const std::string& workflow_id,
                                      std::string_view new_password);
  result<sign_in_answer> mfa(const sign_in_client& c, const std::string& workflow_id, const mfa_response& r);
  // The register-mfa step (a device registered during sign-in).
  sign_in_registration& registration();

  // The identity-store user a typed name means: the whole name, else the user part of
  // DOMAIN\user or of a UPN user@domain; case-insensitive (the store's folded key). Only
  // active users. nullopt when none.
  result<std::optional<domain::user>> resolve(std::string_view typed);
  static result<std::optional<domain::user>> resolve_in(store::transaction& tx, std::string_view typed);
  // The AuthWorkflowID of the sign-in events of a workflow id start() answered.
  static std::string_view auth_workflow_id(std::string_view workflow_id) {
    return workflow_id.substr(0, workflow_id.find('.'));
  }

  // A call context for what a signed-in (or signing-in) user does through the portal.
  call_context user_context(const sign_in_client& c, const std::string& user_name) const;
  // The throttle check for an attempt outside the workflow (password change, reset token).
  result<void> admit(std::string_view account_key, std::string_view address);
  login_throttle& throttle() { return throttle_; }
  // Unexpired workflow rows in the store (every node's): sign-ins past their password step, and
  // the ids of finished ones until their tokens expire.
  result<int64_t> workflows_pending();

  struct workflow;

 private:
  friend class sign_in_registration;  // the register-mfa step drives the workflow
  // The stored workflow of a token; expired() when there is none, it expired or it finished.
  result<std::shared_ptr<workflow>> find(const std::string& id);
  static std::shared_ptr<workflow> new_workflow(std::string id, sys_time expires, const std::optional<domain::user>& user,
                                                std::string_view typed);
  // Writes the workflow back after a step; out_of_order() when another request moved it on.
  result<void> save(workflow& w);
  void forget(const workflow& w);
  void sweep(sys_time now);
  // A sign-in event of this step: kept on the workflow and committed with the step's own write
  // (save or complete: one commit, one disk flush, instead of one more for the event; issue 18
  // item 6); flush_events() writes what is left when a step ends without such a write.
  void event(workflow& w, const sign_in_client& c, const char* name, const char* credential_type, bool ok);
  void flush_events(workflow& w);
  // What after_password() decides from: the MFA settings, the kinds of device the user has and
  // whether this browser is one of their trusted devices.
  struct mfa_inputs {
    mfa_settings settings;
    bool has_totp = false, has_webauthn = false, trusted = false;
  };
  result<mfa_inputs> mfa_inputs_in(store::transaction& tx, const std::string& user_id, const sign_in_client& c);
  // `read`: the inputs when the step already read them in its own snapshot; else read here.
  result<sign_in_answer> after_password(workflow& w, const sign_in_client& c, const mfa_inputs* read = nullptr);
  result<sign_in_answer> complete(workflow& w, const sign_in_client& c, bool trust_device);
  result<void> admit_attempt(const workflow& w, const sign_in_client& c);
  void count_failure(const workflow& w, const sign_in_client& c);

  audited_store& store_;
  password_service& passwords_;
  mfa_service& mfa_;
  session_service& sessions_;
  login_throttle& throttle_;
  const clock& clock_;
  random_source& random_;
  sign_in_settings s_;
  crypto::secret_box token_box_;  // token_key_context's key
  std::atomic<int64_t> last_sweep_ms_{0};
  std::unique_ptr<sign_in_registration> registration_;
};

}  // namespace atrium::service
