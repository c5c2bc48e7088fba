#pragma once
// Multi-factor authentication of built-in identity-store users (issue 5 item 3; guide
// "Multi-factor authentication" and its sub-chapters): the instance's MFA settings, each user's
// devices (authenticator apps: TOTP RFC 6238 via liboath, at most two per user; security keys
// and built-in authenticators: WebAuthn via libfido2/libcbor/OpenSSL), registration and
// verification. TOTP secrets are sealed with the master key; WebAuthn stores credential id,
// public key (COSE) and signCount; the WebAuthn ceremonies are webauthn_ceremonies'. Pending
// authenticator-app enrollments are transient_state rows (kind totp-enrollment, the secret
// sealed; migration 0019), so the confirming code may reach any node.
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.hpp"
#include "base/random.hpp"
#include "base/result.hpp"
#include "service/audit/audited_store.hpp"
#include "service/audit/call_context.hpp"

namespace atrium::crypto {
class secret_box;
}

namespace atrium::service {

class webauthn_ceremonies;

// "Configure MFA": Prompt users for MFA.
enum class mfa_mode { context_aware, always_on, disabled };
// "If a user does not yet have a registered MFA device".
enum class no_device_policy { require_registration, email_code, block, allow };
enum class mfa_kind { totp, webauthn };

const char* to_string(mfa_mode m);
const char* to_string(no_device_policy p);
const char* to_string(mfa_kind k);
result<mfa_mode> parse_mfa_mode(std::string_view s);
result<no_device_policy> parse_no_device_policy(std::string_view s);

struct mfa_settings {
  mfa_mode mode = mfa_mode::context_aware;
  bool totp_allowed = true;      // "Authenticator apps"
  bool webauthn_allowed = true;  // "Security keys and built-in authenticators"
  no_device_policy without_device = no_device_policy::require_registration;
  bool users_manage_devices = true;  // false: administrators only
};

struct mfa_device {
  std::string id;       // "mfa-<hex>"
  std::string user_id;
  mfa_kind kind = mfa_kind::totp;
  std::string name;     // the user's or administrator's label
  sys_time created{};
  std::optional<sys_time> last_used;
};

struct mfa_options {
  std::string rp_id;        // WebAuthn relying party id: the portal's host name
  std::string rp_name = "Atrium";
  std::string origin;       // https://host[:port] that clientDataJSON.origin must equal
  std::string issuer = "Atrium";  // otpauth:// issuer label
  std::chrono::minutes challenge_ttl{5};
  int max_totp_devices = 2;       // the guide: up to two authenticator apps
  int max_webauthn_devices = 6;
};

struct totp_enrollment {
  std::string enrollment_id;  // pass back to finish_totp
  std::string secret_base32;  // shown as text beside the QR code
  std::string otpauth_uri;    // otpauth://totp/<issuer>:<user>?secret=...&issuer=...&digits=6&period=30
  std::string qr_svg;         // the URI as an SVG QR code (libqrencode)
};

class mfa_service {
 public:
  mfa_service(audited_store& store, const crypto::secret_box& box, const clock& clk,
              random_source& rnd, mfa_options opt);
  ~mfa_service();

  result<mfa_settings> settings();
  result<void> set_settings(const call_context& ctx, const mfa_settings& s);

  result<std::vector<mfa_device>> devices(const std::string& user_id);
  // settings() and devices() inside the caller's read transaction (the sign-in's password step
  // reads them in its one snapshot; issue 18 item 6).
  static result<mfa_settings> settings_in(store::transaction& tx);
  static result<std::vector<mfa_device>> devices_in(store::transaction& tx, const std::string& user_id);
  result<void> rename(const call_context& ctx, const std::string& user_id, const std::string& device_id,
                      std::string_view name);
  result<void> remove(const call_context& ctx, const std::string& user_id, const std::string& device_id);

  // Authenticator apps. finish_totp checks one code against the new secret (±1 step) before
  // the device is stored; errc::quota_exceeded past max_totp_devices.
  result<totp_enrollment> begin_totp(const std::string& user_id, std::string_view account_label);
  result<mfa_device> finish_totp(const call_context& ctx, const std::string& user_id,
                                 const std::string& enrollment_id, std::string_view code,
                                 std::string_view name);
  // Any of the user's authenticator apps, RFC 6238 6 digits, 30 s, ±1 step; a code of a step
  // already accepted for that device is refused (replay).
  result<bool> verify_totp(const call_context& ctx, const std::string& user_id, std::string_view code);

  // Security keys and built-in authenticators: registration and assertion ceremonies.
  webauthn_ceremonies& webauthn();
  // The master key's box: the sign-in workflow seals what it holds between steps with it.
  const crypto::secret_box& box() const;

 private:
  struct impl;
  std::unique_ptr<impl> p_;
};

}  // namespace atrium::service
