#include "service/signin/portal_session_settings.hpp"

#include <charconv>
#include <string>

#include "base/json_text.hpp"

namespace atrium::service {

namespace {

result<std::optional<std::chrono::minutes>> stored_duration(store::transaction& tx) {
  auto v = tx.settings().get(std::string(portal_session_setting));
  if (!v) return std::unexpected(v.error());
  if (!*v) return std::optional<std::chrono::minutes>();
  int64_t n = 0;
  auto [end, ec] = std::from_chars((*v)->data(), (*v)->data() + (*v)->size(), n);
  // A value this binary did not write (edited by hand): ignored, the default applies.
  if (ec != std::errc() || end != (*v)->data() + (*v)->size() || n < min_portal_session.count() ||
      n > max_portal_session.count())
    return std::optional<std::chrono::minutes>();
  return std::optional<std::chrono::minutes>(std::chrono::minutes(n));
}

}  // namespace

portal_session_settings::portal_session_settings(audited_store& store, std::chrono::minutes fallback)
    : store_(store), fallback_(fallback) {}

result<std::chrono::minutes> portal_session_settings::current(store::transaction& tx, std::chrono::minutes fallback) {
  auto s = stored_duration(tx);
  if (!s) return std::unexpected(s.error());
  return s->value_or(fallback);
}

result<portal_session_duration> portal_session_settings::get(const call_context& ctx) {
  return store_.read<portal_session_duration>(ctx, [&](store::transaction& tx) -> result<portal_session_duration> {
    auto s = stored_duration(tx);
    if (!s) return std::unexpected(s.error());
    return portal_session_duration{s->value_or(fallback_), !s->has_value()};
  });
}

result<portal_session_duration> portal_session_settings::set(const call_context& ctx, std::chrono::minutes d) {
  if (d < min_portal_session || d > max_portal_session)
    return fail(errc::validation, "The session duration must be between 15 minutes and 90 days (129600 minutes).");
  return store_.write<portal_session_duration>(
      ctx,
      [&](store::transaction& tx) -> result<portal_session_duration> {
        if (auto p = tx.settings().put(std::string(portal_session_setting), std::to_string(d.count())); !p)
          return std::unexpected(p.error());
        return portal_session_duration{d, false};
      },
      json_text_of([](const portal_session_duration& s) {
        return nlohmann::json{{"sessionDurationMinutes", s.duration.count()}};
      }));
}

}  // namespace atrium::service
