#pragma once
// Command-line access (issue 16): the sso-oidc API's clients, pending authorizations, grants and
// tokens, and the wrong-user-code counters of the portal's device page. Reached through
// transaction::oidc(); store/sqlite implements it in oidc_repo.cpp (migrations 0014, 0015).
// No secret is stored: ids of authorizations and tokens, and the secret/code columns, are the
// hex SHA-256 of what the client holds.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.hpp"
#include "base/result.hpp"

namespace atrium::store {

struct oidc_client_record {
  std::string id;           // clientId (public)
  std::string secret_hash;  // hex SHA-256 of the client secret
  std::string name;
  std::string type = "public";
  std::vector<std::string> scopes;       // as registered; empty: none asked (legacy CLI profiles)
  std::vector<std::string> grant_types;  // empty: device code and refresh token
  std::vector<std::string> redirect_uris;
  std::string issuer_url;
  sys_time created_at{};
  sys_time expires_at{};
};

enum class oidc_authorization_kind { device, code };
enum class oidc_authorization_status { pending, approved, denied, consumed };

struct oidc_authorization_record {
  std::string id;  // hex SHA-256 of the device code, or of the authorization request id
  oidc_authorization_kind kind = oidc_authorization_kind::device;
  std::string client_id;
  std::string user_code_hash;  // device flow; empty for the code flow
  std::string code_hash;       // code flow, once approved
  std::string start_url;
  std::vector<std::string> scopes;
  std::string redirect_uri;    // code flow: as sent to /authorize (with its port)
  std::string state;           // code flow: handed back to the client unchanged
  std::string code_challenge;  // code flow: S256 challenge
  oidc_authorization_status status = oidc_authorization_status::pending;
  std::string user_id;     // who decided (empty while pending)
  std::string session_id;  // the portal session the decision was made in
  sys_time created_at{};
  sys_time expires_at{};
  std::optional<sys_time> last_polled_at;
  int64_t interval_seconds = 1;
  std::string grant_id;  // what the consumed authorization produced
};

struct oidc_grant_record {
  std::string id;
  std::string client_id;
  std::string user_id;
  std::string session_id;
  std::vector<std::string> scopes;
  sys_time created_at{};
  sys_time expires_at{};
};

enum class oidc_token_kind { access, refresh };

struct oidc_token_record {
  std::string id;  // hex SHA-256 of the token
  std::string grant_id;
  oidc_token_kind kind = oidc_token_kind::access;
  sys_time created_at{};
  sys_time expires_at{};
  std::optional<sys_time> used_at;  // refresh tokens: when exchanged
};

struct oidc_attempts_record {
  std::string key;
  sys_time window_start{};
  int64_t failures = 0;
};

class oidc_repository {
 public:
  virtual ~oidc_repository() = default;

  virtual result<void> insert_client(const oidc_client_record& c) = 0;
  virtual result<std::optional<oidc_client_record>> get_client(const std::string& id) = 0;

  // A user code already in use is errc::conflict (the caller draws another).
  virtual result<void> insert_authorization(const oidc_authorization_record& a) = 0;
  virtual result<std::optional<oidc_authorization_record>> get_authorization(const std::string& id) = 0;
  virtual result<std::optional<oidc_authorization_record>> find_by_user_code(const std::string& user_code_hash) = 0;
  virtual result<std::optional<oidc_authorization_record>> find_by_code(const std::string& code_hash) = 0;
  // Writes status, user, session, code hash, last poll, interval, grant and expiry of the row.
  virtual result<void> update_authorization(const oidc_authorization_record& a) = 0;

  virtual result<void> insert_grant(const oidc_grant_record& g) = 0;
  virtual result<std::optional<oidc_grant_record>> get_grant(const std::string& id) = 0;
  // Deletes the grant and (cascade) its tokens; false when there was none.
  virtual result<bool> remove_grant(const std::string& id) = 0;
  virtual result<int64_t> count_grants_of_session(const std::string& session_id) = 0;

  virtual result<void> insert_token(const oidc_token_record& t) = 0;
  virtual result<std::optional<oidc_token_record>> get_token(const std::string& id) = 0;
  // Sets used_at when it is still empty; false when the token was used already (or is gone):
  // exactly one exchange of a refresh token wins.
  virtual result<bool> use_token(const std::string& id, sys_time when) = 0;

  virtual result<std::optional<oidc_attempts_record>> get_attempts(const std::string& key) = 0;
  virtual result<void> put_attempts(const oidc_attempts_record& a) = 0;

  // Clients, authorizations, grants and attempt windows that ended at or before `now` (attempt
  // windows: started before `attempts_before`); returns how many rows went.
  virtual result<int64_t> remove_expired(sys_time now, sys_time attempts_before) = 0;
};

}  // namespace atrium::store
