#pragma once
// WebAuthn Level 2 relying-party checks (W3C Recommendation, 8 April 2021): registration
// (§7.1) with the attestation formats none, packed (§8.2) and fido-u2f (§8.6), and assertion
// (§7.2). The service keeps challenges and credentials; this file only checks messages. Every
// input is untrusted and bounded. Attestation certificates are checked for the format's
// requirements and their signatures, not against a trust store (Atrium has no FIDO Metadata
// Service): "attestation trust" is not evaluated, as with attestation conveyance "none".
#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.hpp"
#include "crypto/cose_key.hpp"

namespace atrium::crypto::webauthn {

inline constexpr std::size_t max_credential_id = 1023;         // §5.1 "at most 1023 bytes"
inline constexpr std::size_t max_client_data_json = 4096;
inline constexpr std::size_t max_attestation_object = 16384;
inline constexpr std::size_t max_authenticator_data = 4096;
inline constexpr std::size_t max_signature = 1024;

// Authenticator data flags (§6.1).
inline constexpr uint8_t flag_up = 0x01, flag_uv = 0x04, flag_at = 0x40, flag_ed = 0x80;

// What the relying party expects of one ceremony.
struct expectations {
  std::string challenge;  // the raw bytes the service issued
  std::string origin;     // e.g. https://sso.example.com:8443, compared exactly
  std::string rp_id;      // e.g. sso.example.com
  bool require_user_verification = false;
};

struct authenticator_data {
  std::string rp_id_hash;  // 32 bytes
  uint8_t flags = 0;
  uint32_t sign_count = 0;
  // Attested credential data (flag AT).
  std::string aaguid;
  std::string credential_id;
  std::string credential_public_key;  // the COSE_Key's CBOR bytes
};

// §6.1 layout; extensions (flag ED) must be one well-formed CBOR map and end the data.
result<authenticator_data> parse_authenticator_data(std::string_view raw);

enum class attestation_type { none, self, basic };
const char* to_string(attestation_type t);

struct registration {
  std::string credential_id;
  std::string public_key;  // COSE_Key bytes, stored and given back to verify_assertion
  cose_alg alg = cose_alg::es256;
  uint32_t sign_count = 0;
  std::string aaguid;
  std::string format;  // "none", "packed", "fido-u2f"
  attestation_type attestation = attestation_type::none;
  bool user_verified = false;
};

// §7.1 steps 5-21 (steps 22-24: credential id not yet registered, storing it, are the
// service's). Errors: errc::validation for malformed input, errc::unauthenticated for a
// well-formed message that fails a check.
result<registration> verify_registration(std::string_view client_data_json, std::string_view attestation_object,
                                         const expectations& e);

struct assertion {
  uint32_t sign_count = 0;
  bool user_verified = false;
};

// §7.2 steps 10-20 against a stored COSE_Key (steps 5-6, which credential and whose, are the
// service's; step 21, the signature counter, is sign_count_ok).
result<assertion> verify_assertion(std::string_view client_data_json, std::string_view authenticator_data,
                                   std::string_view signature, std::string_view public_key, const expectations& e);

// §7.2 step 21: when either counter is nonzero, the new one must be greater than the stored
// one; otherwise the authenticator may have been cloned.
bool sign_count_ok(uint32_t stored, uint32_t received);

}  // namespace atrium::crypto::webauthn
