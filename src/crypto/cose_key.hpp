#pragma once
// COSE_Key public keys of WebAuthn credentials (RFC 8152 §7, WebAuthn L2 §5.8.5 and §6.5.1.1)
// as OpenSSL 3 keys, and signature checks with their algorithm.
#include <memory>
#include <string>
#include <string_view>

#include <openssl/evp.h>

#include "base/result.hpp"
#include "crypto/openssl_ptr.hpp"

namespace atrium::crypto {

// The algorithms Atrium asks for in pubKeyCredParams (COSE algorithm identifiers).
enum class cose_alg : int { es256 = -7, eddsa = -8, rs256 = -257 };
const char* to_string(cose_alg a);

struct cose_public_key {
  cose_alg alg = cose_alg::es256;
  pkey_ptr key;
  std::string ec_x, ec_y;  // ES256 only: the 32-byte coordinates (fido-u2f needs them)
};

// kty/alg/crv/x/y (EC2 P-256), kty/alg/n/e (RSA, 2048..4096 bits), kty/alg/crv/x (OKP
// Ed25519); anything else is errc::validation.
result<cose_public_key> parse_cose_key(std::string_view cbor_bytes);

// ES256: ECDSA P-256 SHA-256, DER signature (§6.5.6 "signature formats"); RS256: RSASSA-PKCS1-v1_5
// SHA-256; EdDSA: Ed25519 over the message itself. True only for a valid signature.
bool verify_signature(cose_alg alg, EVP_PKEY* key, std::string_view message, std::string_view signature);

}  // namespace atrium::crypto
