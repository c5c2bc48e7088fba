#include "domain/access_control_attributes.hpp"

#include <set>

#include "base/strings.hpp"

namespace atrium::domain {

namespace {

auto invalid_abac(const std::string& what) { return fail(errc::validation, what); }

// [\p{L}\p{Z}\p{N}_.:/=+\-@]: exact for ASCII; non-ASCII code points are accepted (classifying
// them needs Unicode tables; letters, spaces and digits of other scripts are what people use) as
// long as they are not control characters, which has_control_chars rejects.
bool valid_key_char(unsigned char c) {
  if (c >= 0x80) return true;
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         std::string_view(" _.:/=+-@").find(static_cast<char>(c)) != std::string_view::npos;
}

template <class T>
std::optional<std::string> non_empty(const std::optional<T>& v) {
  if (!v || v->empty()) return std::nullopt;
  return *v;
}

std::optional<std::string> from_name(std::string_view field, const user& u) {
  if (!u.user_name_parts) return std::nullopt;
  if (field == "familyName") return non_empty(u.user_name_parts->family_name);
  return non_empty(u.user_name_parts->given_name);
}

std::optional<std::string> from_work_address(std::string_view field, const user& u) {
  for (const auto& a : u.addresses) {
    if (!a.type || !iequals_ascii(*a.type, "work")) continue;
    if (field == "streetAddress") return non_empty(a.street_address);
    if (field == "locality") return non_empty(a.locality);
    if (field == "region") return non_empty(a.region);
    if (field == "postalCode") return non_empty(a.postal_code);
    if (field == "country") return non_empty(a.country);
    return non_empty(a.formatted);
  }
  return std::nullopt;
}

std::optional<std::string> from_enterprise(std::string_view field, const user& u) {
  if (!u.enterprise_ext) return std::nullopt;
  const auto& e = *u.enterprise_ext;
  if (field == "employeeNumber") return non_empty(e.employee_number);
  if (field == "costCenter") return non_empty(e.cost_center);
  if (field == "organization") return non_empty(e.organization);
  if (field == "division") return non_empty(e.division);
  if (field == "department") return non_empty(e.department);
  return non_empty(e.manager);  // manager.value
}

}  // namespace

const std::vector<std::string_view>& supported_attribute_paths() {
  static const std::vector<std::string_view> paths = {
      "${path:userName}",
      "${path:name.familyName}",
      "${path:name.givenName}",
      "${path:displayName}",
      "${path:nickName}",
      "${path:emails[primary eq true].value}",
      R"(${path:addresses[type eq "work"].streetAddress})",
      R"(${path:addresses[type eq "work"].locality})",
      R"(${path:addresses[type eq "work"].region})",
      R"(${path:addresses[type eq "work"].postalCode})",
      R"(${path:addresses[type eq "work"].country})",
      R"(${path:addresses[type eq "work"].formatted})",
      R"(${path:phoneNumbers[type eq "work"].value})",
      "${path:userType}",
      "${path:title}",
      "${path:locale}",
      "${path:timezone}",
      "${path:enterprise.employeeNumber}",
      "${path:enterprise.costCenter}",
      "${path:enterprise.organization}",
      "${path:enterprise.division}",
      "${path:enterprise.department}",
      "${path:enterprise.manager.value}",
  };
  return paths;
}

result<void> validate_access_control_attributes(const std::vector<access_control_attribute>& attrs) {
  if (attrs.size() > abac_limits::max_attributes)
    return invalid_abac("AccessControlAttributes may hold at most " + std::to_string(abac_limits::max_attributes) + " attributes.");
  std::set<std::string> seen;
  for (const auto& a : attrs) {
    if (a.key.empty() || !valid_utf8(a.key) || utf8_length(a.key) > abac_limits::max_key_chars || has_control_chars(a.key))
      return invalid_abac("AccessControlAttribute Key must be 1-128 characters.");
    for (unsigned char c : a.key)
      if (!valid_key_char(c))
        return invalid_abac("AccessControlAttribute Key '" + a.key + "' must match [\\p{L}\\p{Z}\\p{N}_.:\\/=+\\-@]+.");
    if (a.key.starts_with("aws:") || a.key.starts_with("AWS:"))
      return invalid_abac("AccessControlAttribute Key '" + a.key + "' may not begin with aws: (reserved for AWS session tags).");
    if (!seen.insert(to_lower_ascii(a.key)).second)
      return invalid_abac("AccessControlAttribute Key '" + a.key + "' is given more than once (keys are case-insensitive).");
    if (a.source.size() != 1)
      return invalid_abac("AccessControlAttribute '" + a.key + "' must have exactly one Value.Source.");
    const std::string& src = a.source.front();
    if (src.size() > abac_limits::max_source_chars)
      return invalid_abac("AccessControlAttribute '" + a.key + "' Source is longer than 256 characters.");
    bool supported = false;
    for (auto p : supported_attribute_paths()) supported = supported || p == src;
    if (!supported)
      return invalid_abac("AccessControlAttribute '" + a.key + "' Source '" + src.substr(0, 256) +
                     "' is not a supported attribute; use one of the ${path:...} attributes the user guide lists.");
  }
  return {};
}

std::optional<std::string> attribute_value(std::string_view source, const user& u) {
  constexpr std::string_view open = "${path:";
  bool supported = false;
  for (auto p : supported_attribute_paths()) supported = supported || p == source;
  if (!supported) return std::nullopt;
  std::string_view path = source.substr(open.size(), source.size() - open.size() - 1);
  constexpr std::string_view work_address = R"(addresses[type eq "work"].)";
  if (path == "userName") return non_empty(std::optional<std::string>(u.user_name));
  if (path == "name.familyName" || path == "name.givenName") return from_name(path.substr(5), u);
  if (path == "displayName") return non_empty(u.display_name);
  if (path == "nickName") return non_empty(u.nick_name);
  if (path == "userType") return non_empty(u.user_type);
  if (path == "title") return non_empty(u.title);
  if (path == "locale") return non_empty(u.locale);
  if (path == "timezone") return non_empty(u.timezone);
  if (path == "emails[primary eq true].value") {
    for (const auto& e : u.emails)
      if (e.primary.value_or(false)) return non_empty(e.value);
    return std::nullopt;
  }
  if (path == R"(phoneNumbers[type eq "work"].value)") {
    for (const auto& p : u.phone_numbers)
      if (p.type && iequals_ascii(*p.type, "work")) return non_empty(p.value);
    return std::nullopt;
  }
  if (path.starts_with(work_address)) return from_work_address(path.substr(work_address.size()), u);
  if (path.starts_with("enterprise.")) return from_enterprise(path.substr(11), u);
  return std::nullopt;
}

abac_resolution resolve_access_control_attributes(const std::vector<access_control_attribute>& attrs, const user& u) {
  abac_resolution out;
  for (const auto& a : attrs) {
    auto v = a.source.empty() ? std::nullopt : attribute_value(a.source.front(), u);
    if (!v) {
      out.omitted.push_back(a.key + ": the user has no value for " + (a.source.empty() ? "(no source)" : a.source.front()));
      continue;
    }
    if (utf8_length(*v) > abac_limits::max_value_chars) {
      out.omitted.push_back(a.key + ": the value is longer than a session tag allows (256 characters)");
      continue;
    }
    out.attributes.push_back({a.key, std::move(*v)});
  }
  return out;
}

}  // namespace atrium::domain
