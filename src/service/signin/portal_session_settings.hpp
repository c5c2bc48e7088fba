#pragma once
// The AWS access portal's session duration (issue 14 item 3, Settings; docs/admin-console.md
// "Session duration"). The guide's "Authentication sessions" gives a sign-in session an 8-hour
// lifetime; IAM Identity Center's console (Settings > Authentication > Configure session)
// lets an administrator choose from 15 minutes to 90 days, 8 hours by default. Stored in the
// store's settings (every node reads the same value); the configuration's
// portal.session_hours is the default until an administrator sets one. Sessions already made
// keep the expiry they were made with (the service's console says the same).
#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>

#include "service/audit/audited_store.hpp"

namespace atrium::service {

inline constexpr std::string_view portal_session_setting = "portal.session_minutes";
inline constexpr std::chrono::minutes min_portal_session{15};
inline constexpr std::chrono::minutes max_portal_session{90 * 24 * 60};

struct portal_session_duration {
  std::chrono::minutes duration{8 * 60};
  bool is_default = true;  // nothing stored: the configuration's value
};

class portal_session_settings {
 public:
  portal_session_settings(audited_store& store, std::chrono::minutes fallback);

  result<portal_session_duration> get(const call_context& ctx);
  // ValidationException outside 15 minutes - 90 days; audited (ctx names the event).
  result<portal_session_duration> set(const call_context& ctx, std::chrono::minutes d);

  // What a new session lasts, read inside the sign-in's transaction.
  static result<std::chrono::minutes> current(store::transaction& tx, std::chrono::minutes fallback);

 private:
  audited_store& store_;
  std::chrono::minutes fallback_;
};

}  // namespace atrium::service
