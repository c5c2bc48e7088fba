#pragma once
// Passwords of built-in users and their one-time tokens (issue 5 item 2). Reached through
// transaction::credentials(); store/sqlite implements it in credential_repo.cpp (migration
// 0008). Only hashes are stored: argon2id PHC strings for passwords, SHA-256 for tokens.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.hpp"
#include "base/result.hpp"

namespace atrium::store {

struct password_record {
  std::string user_id;
  std::string hash;                  // current argon2id PHC string
  std::vector<std::string> history;  // earlier hashes, newest first (trimmed by the service)
  sys_time set_at{};
  bool must_change = false;          // set by an administrator's one-time password
};

enum class token_kind { invitation, reset, email_code };
inline const char* to_string(token_kind k) {
  switch (k) {
    case token_kind::invitation: return "invitation";
    case token_kind::reset: return "reset";
    case token_kind::email_code: return "email_code";
  }
  return "reset";
}

// A single-use secret handed to a user by mail: an invitation or reset link, or an e-mailed
// sign-in code. `secret_hash` is hex SHA-256 of what the user holds (for codes: of
// "<user id>:<code>", see password_service).
struct one_time_token {
  std::string id;  // "ott-" + 16 hex: safe to show and audit
  token_kind kind = token_kind::reset;
  std::string user_id;
  std::string secret_hash;
  sys_time created_at{};
  sys_time expires_at{};
  std::optional<sys_time> used_at;
  int attempts = 0;  // wrong guesses (email codes)
};

class credential_repository {
 public:
  virtual ~credential_repository() = default;
  virtual result<std::optional<password_record>> get_password(const std::string& user_id) = 0;
  // Inserts or replaces the user's row.
  virtual result<void> put_password(const password_record& r) = 0;
  // Users that have a password (who can sign in with one when the identity source is the
  // built-in store again: issue 17's switch semantics).
  virtual result<int64_t> count_passwords() = 0;

  virtual result<void> insert_token(const one_time_token& t) = 0;
  virtual result<std::optional<one_time_token>> find_token(std::string_view secret_hash) = 0;
  // The newest token of that kind for the user (used or not).
  virtual result<std::optional<one_time_token>> latest_token(const std::string& user_id, token_kind k) = 0;
  // Sets used_at when it is still unset; false when the token was already used (or is gone),
  // so that of two concurrent uses exactly one wins.
  virtual result<bool> mark_used(const std::string& token_id, sys_time at) = 0;
  virtual result<void> count_attempt(const std::string& token_id) = 0;
  // Removes the user's tokens of one kind (a new e-mailed code replaces the previous one).
  virtual result<int64_t> remove_tokens(const std::string& user_id, token_kind k) = 0;
  // Tokens that expired before `before` (housekeeping).
  virtual result<int64_t> remove_expired(sys_time before) = 0;

  // Everything of the user (inside the transaction that deletes the user).
  virtual result<void> remove_all_for(const std::string& user_id) = 0;
};

}  // namespace atrium::store
