#pragma once
// MFA devices of identity-store users (issue 5 item 3): authenticator apps (TOTP) and WebAuthn
// credentials. Reached through transaction::mfa_devices(); store/sqlite implements it in
// mfa_device_repo.cpp over migration 0009. A user's devices go with the user (ON DELETE
// CASCADE on the users row, so every door that deletes a user removes them).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.hpp"
#include "base/result.hpp"

namespace atrium::store {

struct mfa_device_record {
  std::string id;       // mfa-<32 hex>
  std::string user_id;
  std::string kind;     // "totp" | "webauthn"
  std::string name;     // unique per user
  // TOTP: the secret sealed with crypto::secret_box (never the plain secret), and the last
  // accepted RFC 6238 time step (a code of that step or an earlier one is a replay).
  std::string sealed_secret;
  std::optional<int64_t> last_step;
  // WebAuthn: credential id (base64url, unique across the deployment), COSE_Key (base64url),
  // signature counter, AAGUID (hex) and attestation format, for administrators to read.
  std::string credential_id;
  std::string public_key;
  int64_t sign_count = 0;
  std::string aaguid;
  std::string attestation_format;
  sys_time created{};
  std::optional<sys_time> last_used;
  // Set when an assertion's signature counter went backwards (WebAuthn L2 §7.2 step 21).
  std::optional<sys_time> flagged;
};

class mfa_device_repository {
 public:
  virtual ~mfa_device_repository() = default;
  // In the order they were added.
  virtual result<std::vector<mfa_device_record>> list_for_user(const std::string& user_id) = 0;
  virtual result<std::optional<mfa_device_record>> get(const std::string& id) = 0;
  virtual result<std::optional<mfa_device_record>> find_by_credential(const std::string& credential_id) = 0;
  // errc::conflict when the user already has a device of that name or the credential id exists.
  virtual result<void> insert(const mfa_device_record& r) = 0;
  // errc::conflict when the user has another device of that name; false when there is no row.
  virtual result<bool> rename(const std::string& id, const std::string& name) = 0;
  virtual result<bool> remove(const std::string& id) = 0;
  // Records an accepted TOTP step only if it is later than the stored one (one statement, so
  // two concurrent sign-ins with the same code cannot both pass); false: a replay.
  virtual result<bool> accept_totp_step(const std::string& id, int64_t step, sys_time when) = 0;
  // Stores the new signature counter and last use; false when there is no row.
  virtual result<bool> record_assertion(const std::string& id, int64_t sign_count, sys_time when) = 0;
  virtual result<bool> flag(const std::string& id, sys_time when) = 0;
};

}  // namespace atrium::store
