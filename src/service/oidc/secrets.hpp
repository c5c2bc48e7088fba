#pragma once
// The secrets command-line access hands out (issue 16): client secrets, device codes,
// authorization codes, authorization request ids, access and refresh tokens. Each is a kind
// prefix and the base64url of 32 random bytes (256 bits); the store keeps only its SHA-256, so
// a copy of the database opens nothing. The prefix tells the kinds apart in a log line or a
// misplaced paste, and lets a parser refuse a token of the wrong kind before any lookup.
#include <optional>
#include <string>
#include <string_view>

#include "base/random.hpp"

namespace atrium::service::oidc {

enum class secret_kind { client_secret, device_code, authorization_code, request_id, access_token, refresh_token };

// A new secret of that kind.
std::string new_secret(random_source& rnd, secret_kind kind);
// The secret if `text` is one of that kind (prefix, length, base64url body), else nullopt. The
// parser of the portal API's x-amz-sso_bearer_token header (tests/fuzz/bearer_token_fuzz.cpp).
std::optional<std::string_view> parse_secret(std::string_view text, secret_kind kind);
// The store's key of a secret: hex SHA-256.
std::string secret_id(std::string_view secret);
// A public client id: base64url of 16 random bytes.
std::string new_client_id(random_source& rnd);

}  // namespace atrium::service::oidc
