#pragma once
// Atrium as SAML 2.0 identity provider of an application (issue 15 item 5; SAML profiles §4.1
// Web Browser SSO; user guide "Application properties"):
//   - begin(): an SP-initiated AuthnRequest over HTTP-Redirect or HTTP-POST (SAML bindings §3.4,
//     §3.5) is checked — the application exists and is enabled, RelayState at most 80 bytes, the
//     request schema-valid (xml::parse_authn_request), its Issuer the application's SP entity ID,
//     its signature verified with the SP's certificates when the application has them (and then
//     required), Destination this endpoint, IssueInstant recent, the ACS URL (or index) one the
//     application registered, its ID never seen before — and kept in the store as a pending
//     request whose handle the browser carries through the portal's sign-in;
//   - answer(): the signed-in user's Response to a pending request (InResponseTo = its ID),
//     once: a second answer of the same request is refused;
//   - launch(): a portal tile: IdP-initiated (no InResponseTo, the configured relay state) or,
//     for an application with a start URL, where the browser goes instead.
// A user who is disabled, not assigned (directly or through nested groups), or whose
// application is disabled gets no assertion. The Response is built and signed by
// xml::build_response with the application's active certificate; the NameID and attributes come
// from its attribute mappings (domain/attribute_mapping.hpp). Each assertion is audited as the
// portal's "Federate" event (the guide's CloudTrail chapter, "AWS SSO Portal" actions).
#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "base/clock.hpp"
#include "base/random.hpp"
#include "domain/identity.hpp"
#include "service/applications/app_certificates.hpp"
#include "service/applications/saml_settings_service.hpp"
#include "service/audit/audited_store.hpp"
#include "service/audit/call_context.hpp"
#include "xml/saml_bindings.hpp"

namespace atrium::service {

struct saml_idp_settings {
  std::chrono::seconds request_lifetime{10 * 60};  // how long a pending request waits for sign-in
  std::chrono::seconds clock_skew{3 * 60};         // IssueInstant may be this far in the future
};

// What the door read off the wire (SAMLRequest, RelayState and, for HTTP-Redirect, the query
// with its detached signature).
struct inbound_authn_request {
  xml::saml_binding binding = xml::saml_binding::redirect;
  std::string message;
  std::optional<std::string> relay_state;
  std::optional<xml::redirect_query> redirect;
};

struct pending_sign_in {
  std::string handle;  // the browser carries it; only its SHA-256 is stored
  std::string application_id;
  std::string application_name;
};

// What the browser POSTs to the SP's ACS (SAML bindings §3.5.4).
struct saml_post {
  std::string acs_url;
  std::string saml_response;  // base64 of the signed Response
  std::optional<std::string> relay_state;
  std::string application_name;
};

struct app_launch {
  std::optional<saml_post> post;            // IdP-initiated sign-in
  std::optional<std::string> redirect_url;  // the application start URL (SP-initiated)
  std::string application_name;
};

// The portal session a Response is made for.
struct signed_in_user {
  std::string user_id;
  std::string session_id;  // the session's row id (SessionIndex is derived from it, not equal)
  sys_time authenticated_at{};
};

// Who launches, checked inside the launch's own read transaction (the portal's session and CSRF
// checks): the session, the user and the application come from one snapshot, and the user's row
// is read and decoded once. `ctx` is the caller's audit context for the Federate event.
struct launch_gate_pass {
  signed_in_user who;
  domain::user user;
  call_context ctx;
};
// Must only read. A refusal here is the caller's (not signed in, CSRF), not a Federate event.
using launch_gate = std::function<result<launch_gate_pass>(store::transaction&)>;

class saml_idp_service {
 public:
  saml_idp_service(audited_store& store, const clock& clk, random_source& rnd, signer_cache& signers,
                   std::shared_ptr<const idp_endpoints> endpoints, saml_idp_settings s = {});

  result<pending_sign_in> begin(const call_context& ctx, const std::string& app_id, const inbound_authn_request& in);
  // errc::access_denied: not assigned, or the application is disabled; errc::not_found: no such
  // pending request (unknown, expired); errc::conflict: answered already; errc::unauthenticated:
  // the request asked for ForceAuthn and the session is older than the request.
  result<saml_post> answer(const call_context& ctx, const signed_in_user& u, const std::string& handle);
  result<app_launch> launch(const call_context& ctx, const signed_in_user& u, const std::string& app_id);
  // launch() with the session checked by `gate` in the same read transaction. When the gate
  // refuses, `refused_at_gate` is set and its error returned, with no Federate record.
  result<app_launch> launch(const launch_gate& gate, const std::string& app_id, bool& refused_at_gate);
  // The application a pending request is for (the sign-in page names it); not_found when none.
  result<std::string> pending_application_name(const std::string& handle);

  const saml_idp_settings& settings() const { return s_; }

 private:
  struct assertion_inputs;
  // `user`: the signed-in user's row when the caller read it in this transaction already (moved
  // from, not copied).
  result<assertion_inputs> gather(store::transaction& tx, const std::string& app_id, const signed_in_user& u,
                                  domain::user* user = nullptr);
  result<app_launch> launch_with(const assertion_inputs& in, const signed_in_user& u);
  result<std::string> build(const assertion_inputs& in, const signed_in_user& u, const std::string& acs_url,
                            const std::optional<std::string>& in_response_to);
  result<saml_post> answer_request(const call_context& ctx, const signed_in_user& u, const std::string& handle);
  result<app_launch> launch_application(const call_context& ctx, const signed_in_user& u, const std::string& app_id);
  template <class T>
  result<T> audited(const call_context& ctx, result<T> r);
  void purge_expired();

  audited_store& store_;
  const clock& clock_;
  random_source& random_;
  signer_cache& signers_;
  std::shared_ptr<const idp_endpoints> endpoints_;
  saml_idp_settings s_;
  std::atomic<int64_t> last_purge_ms_{0};
};

}  // namespace atrium::service
