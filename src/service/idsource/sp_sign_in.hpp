#pragma once
// Sign-in through an external IdP (issue 17 items 3, 4, 6, 7; SAML profiles §4.1 Web Browser
// SSO, Atrium as SP; user guide "Connect to your external identity provider", "Other identity
// providers", "Troubleshooting"):
//   - begin(): the IdP (named, the only enabled one, or by e-mail domain with several), an
//     AuthnRequest (ID from the random source, NameIDPolicy emailAddress) sent with the
//     HTTP-Redirect binding and signed (§3.4.4.1) when the IdP's configuration says so. The
//     request ID is stored with the SHA-256 of a fresh random browser token that only the
//     browser's atrium_sp_request cookie carries: the Response must come back through the
//     browser that was sent out.
//   - consume(): the POSTed Response is validated by xml::validate_post_response with the IdP's
//     configured certificates only (one or two: rotation), Issuer, Destination/Recipient = the
//     ACS URL, Audience = the SP entity ID, times with `clock_skew`, InResponseTo = a request of
//     THIS browser (taken once from the store) or, if the IdP allows IdP-initiated sign-in,
//     none; then, in one transaction: the assertion ID goes into the replay cache (the
//     database refuses a second use, across nodes), the NameID (emailAddress, or unspecified,
//     holding an RFC 2822 addr-spec) must equal an existing, enabled user's userName exactly
//     (the guide: no just-in-time creation), and the portal session starts with the IdP's
//     AccessControl attributes kept for it. Atrium's own MFA is not asked: MFA is the IdP's.
//   Every refusal is an ExternalIdPDirectoryLogin record (serviceEventDetails Failure) with the
//   reason in additionalEventData; a success is one with Success, in the session's transaction.
//   The assertion and the browser token are never recorded.
#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "base/clock.hpp"
#include "base/random.hpp"
#include "service/audit/audited_store.hpp"
#include "service/idsource/identity_source_service.hpp"
#include "service/idsource/sp_keys.hpp"
#include "service/signin/session_service.hpp"
#include "service/signin/sign_in_service.hpp"

namespace atrium::service {

inline constexpr std::string_view access_control_prefix = "https://aws.amazon.com/SAML/Attributes/AccessControl:";

struct sp_settings {
  std::chrono::seconds clock_skew{60};            // sp.clock_skew_seconds
  std::chrono::seconds request_lifetime{10 * 60};  // how long an AuthnRequest waits for its Response
  std::string account_id;                         // userIdentity of the events
  std::string region = "us-east-1";
};

struct sp_login_start {
  std::string redirect_url;   // the IdP's SSO URL with the Redirect binding's query
  std::string browser_token;  // atrium_sp_request cookie value
  std::string idp_id;
};

struct sp_login_done {
  issued_session session;
  std::string user_name;
  std::string relay;  // the portal path to go to
};

class sp_sign_in {
 public:
  static constexpr const char* event_name = "ExternalIdPDirectoryLogin";

  sp_sign_in(audited_store& store, session_service& sessions, sp_keys& keys,
             std::shared_ptr<const sp_endpoints> endpoints, const clock& clk, random_source& rnd, sp_settings s);

  // errc::not_found: the identity source is not an external IdP, or no such enabled IdP;
  // errc::validation: several IdPs are enabled and none was named (the sign-in page asks for the
  // e-mail: idp_for_email).
  result<sp_login_start> begin(const sign_in_client& c, std::optional<std::string> idp_id,
                               std::optional<std::string> relay);
  // errc::unauthenticated (signature, trust, replay, InResponseTo, user) or errc::validation
  // (malformed); the message is the reason the page shows and the audit record keeps.
  result<sp_login_done> consume(const sign_in_client& c, std::string_view saml_response,
                                std::optional<std::string> relay_state, std::string_view browser_token);

  // A POST to the ACS the door refused before consume() could read it (wrong media type, too
  // large, not a form): the same ExternalIdPDirectoryLogin Failure record with the reason.
  void record_refusal(const sign_in_client& c, const std::string& reason);

  // Home realm discovery (multi-IdP mode): the enabled IdP bound to the e-mail's domain.
  result<std::optional<std::string>> idp_for_email(std::string_view email);
  // What the portal's start page does: nullopt: password sign-in (built-in source, or
  // multi-IdP mode where the sign-in page asks); a value: send the browser to /portal/sp/login.
  result<bool> sends_to_idp();
  // May this user name sign in with a password? Not while the source is an external IdP, except
  // in multi-IdP mode for names whose domain no IdP claims (break-glass administrators).
  result<bool> password_sign_in_allowed(std::string_view user_name);

  const sp_settings& settings() const { return s_; }

 private:
  struct attempt;
  result<sp_login_done> run(const sign_in_client& c, attempt& a, std::string_view saml_response,
                            std::optional<std::string> relay_state, std::string_view browser_token);
  void record_failure(const sign_in_client& c, const attempt& a, const std::string& reason);
  call_context event_context(const sign_in_client& c, const std::string& user_name) const;
  // Expired requests and replay-cache rows, a detached write at most every 10 minutes (an
  // IdP-initiated-only deployment never calls begin(), which purges too).
  void purge_expired();

  audited_store& store_;
  session_service& sessions_;
  sp_keys& keys_;
  std::shared_ptr<const sp_endpoints> endpoints_;
  const clock& clock_;
  random_source& random_;
  sp_settings s_;
  std::atomic<int64_t> last_purge_ms_{0};
};

// A portal path a relay may name ("/portal/..."; never "//host" or a scheme); nullopt otherwise.
std::optional<std::string> portal_relay(std::optional<std::string> relay);

}  // namespace atrium::service
