#pragma once
// Security keys and built-in authenticators (WebAuthn L2, guide "Security keys and built-in
// authenticators"): the relying party's ceremonies that need state — registration and
// assertion challenges, the user's credentials, credential-id uniqueness and signature
// counters. Message checks are crypto/webauthn's; the devices are mfa_service's (it holds one
// of these and hands it out through webauthn()).
//
// Pending challenges are in the store (migration 0016), sealed with the master key: a ceremony
// begun on one node finishes on any other. One per user and ceremony (a new one replaces the
// earlier), taken once by the finish whatever its outcome, refused after challenge_ttl.
#include <optional>
#include <string>
#include <string_view>

#include "base/clock.hpp"
#include "base/random.hpp"
#include "base/result.hpp"
#include "service/audit/audited_store.hpp"
#include "service/audit/call_context.hpp"
#include "service/signin/mfa_service.hpp"

namespace atrium::crypto {
class secret_box;
}

namespace atrium::service {

class webauthn_ceremonies {
 public:
  // `opt` is the owning mfa_service's and must outlive this object; `box` seals the stored
  // challenges.
  webauthn_ceremonies(audited_store& store, const crypto::secret_box& box, const clock& clk, random_source& rnd,
                      const mfa_options& opt);

  // Registration: PublicKeyCredentialCreationOptions as JSON with base64url binary fields
  // (challenge, user.id, excludeCredentials[].id); finish takes the browser's
  // PublicKeyCredential as JSON: {id, rawId, type, response: {clientDataJSON,
  // attestationObject}} (base64url). Attestation formats none, packed, fido-u2f.
  // Options and credentials are serialised JSON: the door passes the browser's document through.
  result<std::string> begin_registration(const std::string& user_id, std::string_view user_name,
                                         std::string_view display_name);
  result<mfa_device> finish_registration(const call_context& ctx, const std::string& user_id,
                                         std::string_view credential_json, std::string_view name);
  // Assertion: PublicKeyCredentialRequestOptions (allowCredentials = the user's keys); finish
  // takes {id, rawId, type, response: {clientDataJSON, authenticatorData, signature,
  // userHandle}} and checks challenge, origin, rpIdHash, UP (and UV when asked), signature and
  // signCount regression (refused, device flagged), then stores the new signCount.
  result<std::string> begin_assertion(const std::string& user_id);
  result<bool> finish_assertion(const call_context& ctx, const std::string& user_id,
                                std::string_view credential_json);

 private:
  // Stores a new challenge of `user_id` for `ceremony` ("registration" | "assertion"),
  // replacing an earlier one; expired challenges of every user are purged in the same write.
  result<void> remember(const std::string& user_id, const char* ceremony, const std::string& challenge);
  // Takes the pending challenge (single use): nullopt when there is none or it has expired.
  result<std::optional<std::string>> take(const std::string& user_id, const char* ceremony);

  audited_store& store_;
  const crypto::secret_box& box_;
  const clock& clk_;
  random_source& rnd_;
  const mfa_options& opt_;
};

}  // namespace atrium::service
