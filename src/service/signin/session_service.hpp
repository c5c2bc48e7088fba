#pragma once
// Portal sign-in sessions and trusted devices (issue 5 items 4-5; guide "Authentication
// sessions"). A session is a 32-byte random token that only the browser's atrium_session
// cookie carries; the store keeps its SHA-256. Every validation reads the session and the user
// in one snapshot: a deleted user or one whose `active` is false (SCIM active:false, the
// identitystore API, `atrium admin user disable`) has no valid session from that moment on.
// The service caches sessions for up to an hour; Atrium does not cache them at all.
//
// Trusted devices ("This is a trusted device", context-aware MFA): a second random token in
// the atrium_device cookie, bound to the user, the browser's User-Agent and the source address
// it was trusted from, for 90 days.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/clock.hpp"
#include "base/random.hpp"
#include "base/result.hpp"
#include "domain/identity.hpp"
#include "service/audit/audited_store.hpp"
#include "service/audit/call_context.hpp"
#include "store/repositories.hpp"
#include "store/session_repository.hpp"

namespace atrium::service {

struct session_settings {
  std::chrono::hours lifetime{8};                  // the guide: an 8-hour sign-in session
  std::chrono::hours trusted_device_lifetime{24 * 90};
  std::chrono::seconds touch_interval{60};         // last_seen_at is written at most this often
};

// What a new session hands to the browser: both tokens are shown once and never stored.
struct issued_session {
  std::string token;       // atrium_session cookie value (base64url of 32 random bytes)
  std::string csrf_token;  // X-CSRF-Token value
  store::session_record record;
};

struct valid_session {
  store::session_record record;
  domain::user user;
  std::string csrf_token;  // derived from the cookie token, for GET /portal/api/session
};

// validate() in two halves, for a use case that checks the session inside its own read
// transaction (the SAML launch: session, user and application from one snapshot, the user's
// row decoded once): look_up only reads; settle queues the bookkeeping writes afterwards.
struct session_lookup {
  std::string id;                        // the session's row id (SHA-256 of the token)
  std::optional<valid_session> session;  // nullopt: no such session, expired, user gone or disabled
  bool stale_user = false;               // the session exists but its user is disabled or deleted
};

class session_service {
 public:
  session_service(audited_store& store, const clock& clk, random_source& rnd, session_settings s = {});

  // Inside the caller's write transaction (the sign-in's UserAuthentication record commits
  // with it). Refuses (errc::unauthenticated) a user that is gone or disabled.
  result<issued_session> create(store::transaction& tx, const std::string& user_id, std::string_view source_ip,
                                std::string_view user_agent);
  // nullopt: no such session, expired, or its user is deleted or disabled.
  result<std::optional<valid_session>> validate(std::string_view token);
  // The read half of validate(), inside the caller's transaction (writes nothing).
  result<session_lookup> look_up(store::transaction& tx, std::string_view token) const;
  // The write half: ends a disabled user's session, touches last_seen_at (detached writes).
  void settle(session_lookup& found);
  // Sign-out, audited as the portal's Logout (ctx names it). True when there was such a session.
  result<bool> end(const call_context& ctx, std::string_view token);
  result<int64_t> end_all_of(const std::string& user_id);
  // Constant-time check of an X-CSRF-Token header against the session's token hash.
  static bool csrf_matches(const store::session_record& s, std::string_view header_value);

  // Trusted devices. trust() runs inside the sign-in's write transaction and returns the
  // atrium_device cookie token.
  result<std::string> trust(store::transaction& tx, const std::string& user_id, std::string_view source_ip,
                            std::string_view user_agent);
  // True when the device token was trusted by this user, from this address with this browser,
  // less than 90 days ago (docs/sign-in.md "Context-aware MFA").
  bool is_trusted(store::transaction& tx, std::string_view device_token, const std::string& user_id,
                  std::string_view source_ip, std::string_view user_agent);

  const session_settings& settings() const { return s_; }
  // Deletes expired sessions and trusted devices (a detached write, at most every 10 minutes).
  void purge_expired();

 private:
  static std::string csrf_of(std::string_view token);
  audited_store& store_;
  store::database& db_;
  const clock& clock_;
  random_source& random_;
  session_settings s_;
  std::atomic<int64_t> last_purge_ms_{0};
};

// The User-Agent as stored and fingerprinted: cut to 512 bytes.
std::string bounded_user_agent(std::string_view ua);

}  // namespace atrium::service
