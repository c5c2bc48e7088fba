#include "service/sso_admin/abac_service.hpp"

#include "base/json_text.hpp"


namespace atrium::service {

namespace {

using nlohmann::json;

// One settings row holds the whole configuration; JSON null means "deleted" (the settings
// repository has no delete, and a null row reads the same as no row).
constexpr const char* setting_key = "abac.instance_access_control_attribute_configuration";

json to_json(const std::vector<domain::access_control_attribute>& attrs) {
  json list = json::array();
  for (const auto& a : attrs) list.push_back({{"Key", a.key}, {"Source", a.source}});
  return {{"Status", "ENABLED"}, {"AccessControlAttributes", list}};
}

result<std::optional<abac_configuration>> from_json(const std::string& text) {
  json j = json::parse(text, nullptr, false);
  if (j.is_null()) return std::optional<abac_configuration>{};
  if (j.is_discarded() || !j.is_object() || !j.contains("AccessControlAttributes"))
    return fail(errc::internal, "The stored access control attribute configuration is unreadable.");
  abac_configuration c;
  for (const auto& a : j["AccessControlAttributes"]) {
    if (!a.is_object() || !a.contains("Key") || !a["Key"].is_string() || !a.contains("Source") || !a["Source"].is_array())
      return fail(errc::internal, "The stored access control attribute configuration is unreadable.");
    domain::access_control_attribute attr{a["Key"].get<std::string>(), {}};
    for (const auto& s : a["Source"])
      if (s.is_string()) attr.source.push_back(s.get<std::string>());
    c.attributes.push_back(std::move(attr));
  }
  return std::optional<abac_configuration>{std::move(c)};
}

}  // namespace

const char* to_string(abac_status s) {
  switch (s) {
    case abac_status::enabled: return "ENABLED";
    case abac_status::creation_in_progress: return "CREATION_IN_PROGRESS";
    case abac_status::creation_failed: return "CREATION_FAILED";
  }
  return "ENABLED";
}

result<std::optional<abac_configuration>> abac_service::configured(store::transaction& tx) {
  auto v = tx.settings().get(setting_key);
  if (!v) return std::unexpected(v.error());
  if (!*v) return std::optional<abac_configuration>{};
  return from_json(**v);
}

result<void> abac_service::create(const call_context& ctx, const std::vector<domain::access_control_attribute>& attrs) {
  return put(ctx, attrs, false);
}

result<abac_configuration> abac_service::describe(const call_context& ctx) {
  return store_.read<abac_configuration>(ctx, [&](store::transaction& tx) -> result<abac_configuration> {
    auto cur = configured(tx);
    if (!cur) return std::unexpected(cur.error());
    if (!*cur) return not_found("InstanceAccessControlAttributeConfiguration", "");
    return std::move(**cur);
  });
}

result<void> abac_service::update(const call_context& ctx, const std::vector<domain::access_control_attribute>& attrs) {
  return put(ctx, attrs, true);
}

// Create and update differ only in whether a configuration must already exist.
result<void> abac_service::put(const call_context& ctx, const std::vector<domain::access_control_attribute>& attrs,
                               bool must_exist) {
  if (auto v = domain::validate_access_control_attributes(attrs); !v) return v;
  auto r = store_.write<bool>(
      ctx,
      [&](store::transaction& tx) -> result<bool> {
        auto cur = configured(tx);
        if (!cur) return std::unexpected(cur.error());
        if (must_exist && !*cur) return not_found("InstanceAccessControlAttributeConfiguration", "");
        if (!must_exist && *cur)
          return fail(errc::conflict,
                      "An access control attribute configuration already exists for this instance; update it instead.");
        if (auto p = tx.settings().put(setting_key, to_json(attrs).dump()); !p) return std::unexpected(p.error());
        return true;
      },
      json_text_of([&](bool) { return json(nullptr); }));
  if (!r) return std::unexpected(r.error());
  return {};
}

result<void> abac_service::remove(const call_context& ctx) {
  auto r = store_.write<bool>(
      ctx,
      [&](store::transaction& tx) -> result<bool> {
        auto cur = configured(tx);
        if (!cur) return std::unexpected(cur.error());
        if (!*cur) return not_found("InstanceAccessControlAttributeConfiguration", "");
        if (auto p = tx.settings().put(setting_key, "null"); !p) return std::unexpected(p.error());
        return true;
      },
      json_text_of([&](bool) { return json(nullptr); }));
  if (!r) return std::unexpected(r.error());
  return {};
}

}  // namespace atrium::service
