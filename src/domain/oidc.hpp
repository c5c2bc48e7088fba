#pragma once
// The rules of command-line access (issue 16; docs/cli.md): what the sso-oidc API accepts from a
// client, independent of any wire format. Pure: the caller hands in randomness and time.
//
//  - user codes (RFC 8628 §6.1): eight characters of the 20 consonants below, shown as XXXX-XXXX;
//    20^8 = 2^34.6 codes. Vowels are left out (no words), and so are letters that look like
//    digits; input is read case-insensitively with dashes and spaces ignored.
//  - loopback redirect URIs (RFC 8252 §7.3, §8.3): http, the literal 127.0.0.1 or [::1], any
//    path; a URI registered without a port matches every port.
//  - PKCE (RFC 7636 §4.1, §4.2): verifiers of 43-128 unreserved characters, S256 challenges of
//    43 base64url characters.
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace atrium::domain::oidc {

// Grant types of CreateToken (RFC 8628 §3.4, RFC 6749 §4.1.3 and §6).
inline constexpr std::string_view device_code_grant = "urn:ietf:params:oauth:grant-type:device_code";
inline constexpr std::string_view refresh_token_grant = "refresh_token";
inline constexpr std::string_view authorization_code_grant = "authorization_code";

// The scope of the portal API (what `sso_registration_scopes` names). A client registered without
// scopes (AWS CLI legacy profiles) gets the same access and no refresh token, as the service does.
inline constexpr std::string_view account_access_scope = "sso:account:access";

// Lifetimes and limits.
inline constexpr std::chrono::seconds device_code_lifetime{600};      // StartDeviceAuthorization expiresIn
inline constexpr std::chrono::seconds authorization_code_lifetime{300};
inline constexpr std::chrono::seconds authorization_request_lifetime{600};
inline constexpr std::chrono::seconds poll_interval{1};               // interval handed out
inline constexpr std::chrono::seconds slow_down_step{5};              // RFC 8628 §3.5
inline constexpr std::chrono::hours client_lifetime{24 * 90};         // clientSecretExpiresAt
inline constexpr std::size_t max_client_name = 128;
inline constexpr std::size_t max_scopes = 25;
inline constexpr std::size_t max_scope_length = 256;
inline constexpr std::size_t max_redirect_uris = 5;
inline constexpr std::size_t max_uri_length = 2048;
inline constexpr std::size_t max_state_length = 512;
inline constexpr std::size_t user_code_length = 8;
inline constexpr std::string_view user_code_alphabet = "BCDFGHJKLMNPQRSTVWXZ";

// The user code as typed ("bcdf-ghjk", "BCDF GHJK") -> its eight letters, or nullopt when it
// cannot be a user code.
std::optional<std::string> normalize_user_code(std::string_view typed);
// Eight letters -> "XXXX-XXXX".
std::string format_user_code(std::string_view letters);
// Eight letters from uniformly random bytes: each byte below 240 (12 x 20) gives one letter;
// the rest are skipped (rejection sampling keeps the letters uniform). nullopt when `bytes`
// ran out before eight letters were made; the caller draws more.
std::optional<std::string> user_code_from(std::string_view bytes);

struct loopback_uri {
  std::string host;                 // "127.0.0.1" or "[::1]"
  std::optional<unsigned> port;     // absent: registered for every port
  std::string path_and_query;       // from the first '/' on ("/oauth/callback")
};
// nullopt unless `uri` is an http loopback redirect URI without userinfo or fragment.
std::optional<loopback_uri> parse_loopback(std::string_view uri);
// A presented redirect URI matches a registered one: same host and path, and the same port
// unless the registered URI has none.
bool redirect_matches(std::string_view registered, std::string_view presented);

// RFC 7636 §4.1: 43-128 characters of [A-Za-z0-9-._~].
bool valid_code_verifier(std::string_view v);
// An S256 challenge: 43 base64url characters, no padding.
bool valid_s256_challenge(std::string_view c);

// Scopes this deployment knows. Unknown scopes are refused (InvalidScopeException).
bool known_scope(std::string_view scope);
// Every scope of `asked` is in `allowed`.
bool scopes_within(const std::vector<std::string>& asked, const std::vector<std::string>& allowed);

}  // namespace atrium::domain::oidc
