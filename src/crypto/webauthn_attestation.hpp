#pragma once
// Attestation statement formats of WebAuthn L2 §8 (internal to crypto/webauthn).
#include <cbor.h>

#include <string>
#include <string_view>

#include "base/result.hpp"
#include "crypto/cose_key.hpp"
#include "crypto/webauthn.hpp"

namespace atrium::crypto::webauthn {

// Verifies `att_stmt` of format `fmt` over the raw authenticator data and the SHA-256 of
// clientDataJSON; returns the attestation type. `cred` is the credential's parsed key.
result<attestation_type> verify_attestation(std::string_view fmt, cbor_item_t* att_stmt,
                                            std::string_view auth_data_raw, const authenticator_data& ad,
                                            const cose_public_key& cred, std::string_view client_data_hash);

}  // namespace atrium::crypto::webauthn
