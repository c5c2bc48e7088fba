#include "app/portal_session_cli.hpp"

#include <charconv>
#include <iostream>

#include <nlohmann/json.hpp>

#include "app/runtime.hpp"
#include "app/wire_console.hpp"
#include "base/json_text.hpp"

namespace atrium::app {

std::optional<long long> parse_duration_minutes(const std::string& text) {
  if (text.empty() || text.size() > 12) return std::nullopt;
  long long unit = 1;
  std::string digits = text;
  switch (text.back()) {
    case 'm': unit = 1; digits.pop_back(); break;
    case 'h': unit = 60; digits.pop_back(); break;
    case 'd': unit = 24 * 60; digits.pop_back(); break;
    default: break;
  }
  long long n = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
  if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size() || n < 0) return std::nullopt;
  return n * unit;
}

portal_session_command::portal_session_command(CLI::App* admin) {
  cmd_ = admin->add_subcommand("portal-session", "The AWS access portal's session duration (15m .. 90d; default 8h)");
  add_common(cmd_, common_);
  cmd_->add_option("--duration", duration_, "New duration: 15m .. 90d (m, h or d; a bare number is minutes)");
  cmd_->add_flag("--json", json_, "Print JSON");
}

std::optional<int> portal_session_command::run() {
  if (!*cmd_) return std::nullopt;
  auto cfg = load_config(common_);
  auto rt = runtime::open(cfg);
  auto env = cli_env_of(*rt);
  auto& settings = *rt->console().portal_session;
  const bool change = !duration_.empty();
  auto ctx = cli_context(env, "sso.amazonaws.com", change ? "UpdatePortalSessionSettings" : "GetPortalSessionSettings");
  result<service::portal_session_duration> d = invalid("");
  if (change) {
    auto minutes = parse_duration_minutes(duration_);
    if (!minutes)
      return cli_failed(env, ctx, invalid("--duration: a number of minutes, or a number with m, h or d (15m .. 90d).").error());
    ctx.request_parameters = to_json_text({{"sessionDurationMinutes", *minutes}});
    d = settings.set(ctx, std::chrono::minutes(*minutes));
  } else {
    d = settings.get(ctx);
  }
  if (!d) return cli_failed(env, ctx, d.error());
  if (json_) {
    std::cout << nlohmann::json{{"SessionDurationMinutes", d->duration.count()}, {"Default", d->is_default}}.dump() << "\n";
  } else {
    std::cout << "Portal session duration: " << d->duration.count() << " minutes"
              << (d->is_default ? " (the configuration's portal.session_hours; not set in the store)" : "") << "\n";
  }
  return 0;
}

}  // namespace atrium::app
