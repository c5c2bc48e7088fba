#pragma once
// The errors of the sso-oidc API (botocore's sso-oidc model): the OAuth 2.0 error codes of
// RFC 6749 §5.2 and RFC 8628 §3.5, which the door sends as the `error` member and, as
// `<Name>Exception`, in x-amzn-ErrorType. Services of this wing return them as values; only the
// door knows the wire names.
#include <expected>
#include <string>

#include "base/result.hpp"

namespace atrium::service::oidc {

enum class oauth_errc {
  invalid_request,
  invalid_client,            // unknown client, wrong secret, expired registration (401)
  invalid_grant,             // unknown, used or foreign code/token; PKCE or redirect mismatch
  unauthorized_client,       // the client did not register this grant type
  unsupported_grant_type,
  invalid_scope,
  invalid_client_metadata,   // RegisterClient: clientType, clientName
  invalid_redirect_uri,      // RegisterClient / authorize: not a loopback URI
  authorization_pending,     // RFC 8628 §3.5: keep polling
  slow_down,                 // RFC 8628 §3.5: poll 5 s slower
  expired_token,             // the device code expired
  access_denied,             // the user denied
  internal,
};

struct oauth_error {
  oauth_errc code = oauth_errc::internal;
  std::string description;
};

template <class T>
using oauth_result = std::expected<T, oauth_error>;

inline std::unexpected<oauth_error> oauth_fail(oauth_errc code, std::string description) {
  return std::unexpected(oauth_error{code, std::move(description)});
}

// A store failure (or any error value) as the API's InternalServerException, keeping its words
// for the log and the audit record.
inline std::unexpected<oauth_error> oauth_internal(const error& e) {
  return std::unexpected(oauth_error{oauth_errc::internal, e.message});
}

}  // namespace atrium::service::oidc
