#pragma once
// Shared by mfa_service.cpp (settings, devices, authenticator apps) and webauthn_ceremonies.cpp
// (security keys): the service's state and the device helpers, defined in mfa_service.cpp.
// Not for other use cases.
#include <string>
#include <string_view>

#include "crypto/primitives.hpp"
#include "service/signin/mfa_service.hpp"
#include "service/signin/webauthn_ceremonies.hpp"
#include "store/mfa_device_repository.hpp"
#include "store/transient_state_repository.hpp"

namespace atrium::service {

// Pending authenticator-app enrollments live in the store (transient_state, kind
// "totp-enrollment", migration 0019); more than this many at once is refused (errc::throttled)
// instead of growing without bound.
inline constexpr std::size_t max_pending_ceremonies = 10'000;
inline constexpr int max_enrollment_attempts = 5;
inline constexpr std::string_view totp_enrollment_kind = "totp-enrollment";

struct mfa_service::impl {
  impl(audited_store& s, const crypto::secret_box& b, const clock& c, random_source& r, mfa_options o)
      : store(s), box(b), clk(c), rnd(r), opt(std::move(o)), webauthn(s, b, c, r, opt) {}
  audited_store& store;
  const crypto::secret_box& box;
  const clock& clk;
  random_source& rnd;
  mfa_options opt;
  webauthn_ceremonies webauthn;  // after opt: it keeps a reference to it

};

// The user's row must exist (devices belong to identity-store users).
result<void> mfa_user_exists(store::transaction& tx, const std::string& user_id);
result<mfa_settings> mfa_settings_in(store::transaction& tx);
// Writes a new device after the type's quota check (opt's maxima), audited as `event`.
result<mfa_device> add_mfa_device(audited_store& store, const mfa_options& opt, const call_context& ctx,
                                  const char* event, store::mfa_device_record rec);

// Device names: 1-64 printable characters (after trimming spaces); empty means a default.
result<std::string> device_name(std::string_view name);
mfa_device to_device(const store::mfa_device_record& r);
// The context of an audited change: CloudTrail eventSource/eventName chosen by the service,
// requestParameters without secrets.
call_context audit_context(const call_context& ctx, const char* source, const char* event, std::string params);
inline constexpr const char* directory_source = "sso-directory.amazonaws.com";
inline constexpr const char* sso_source = "sso.amazonaws.com";

}  // namespace atrium::service
