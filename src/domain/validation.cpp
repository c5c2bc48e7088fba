#include "domain/validation.hpp"

#include <cstdint>

#include "base/strings.hpp"

namespace atrium::domain {

namespace {

// Code points that the model's patterns admit only in free-text attributes.
bool is_space_like(std::string_view s, std::size_t i, std::size_t& len) {
  auto c = static_cast<unsigned char>(s[i]);
  if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
    len = 1;
    return true;
  }
  if (s.substr(i, 2) == "\xc2\xa0") {  // U+00A0
    len = 2;
    return true;
  }
  if (s.substr(i, 3) == "\xe3\x80\x80") {  // U+3000
    len = 3;
    return true;
  }
  return false;
}

bool has_disallowed_space(std::string_view s) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    std::size_t len = 0;
    if (is_space_like(s, i, len)) return true;
  }
  return false;
}

result<void> check_opt(std::string_view field, const std::optional<std::string>& v) {
  if (!v) return {};
  return check_text(field, *v, text_attribute_rule);
}

result<void> check_name(const name& n) {
  const std::pair<const char*, const std::optional<std::string>*> parts[] = {
      {"Name.Formatted", &n.formatted},         {"Name.FamilyName", &n.family_name},
      {"Name.GivenName", &n.given_name},        {"Name.MiddleName", &n.middle_name},
      {"Name.HonorificPrefix", &n.honorific_prefix}, {"Name.HonorificSuffix", &n.honorific_suffix}};
  for (auto [field, value] : parts)
    if (auto r = check_opt(field, *value); !r) return r;
  return {};
}

result<void> check_external_ids(const std::vector<external_id>& ids) {
  if (ids.size() > max_external_ids)
    return fail(errc::validation, "ExternalIds may hold at most 10 entries.");
  for (std::size_t i = 0; i < ids.size(); ++i) {
    if (auto r = check_text("ExternalIds.Issuer", ids[i].issuer, external_id_rule); !r) return r;
    if (auto r = check_text("ExternalIds.Id", ids[i].id, external_id_rule); !r) return r;
    for (std::size_t j = 0; j < i; ++j)
      if (ids[j] == ids[i]) return fail(errc::validation, "ExternalIds contains a duplicate entry.");
  }
  return {};
}

result<void> check_emails(const std::vector<email>& emails) {
  for (const auto& e : emails) {
    if (auto r = check_opt("Emails.Value", e.value); !r) return r;
    if (auto r = check_opt("Emails.Type", e.type); !r) return r;
    if (e.value && e.value->find('@') == std::string::npos)
      return fail(errc::validation, "Emails.Value must be an email address.");
  }
  return {};
}

result<void> check_addresses(const std::vector<address>& addresses) {
  for (const auto& a : addresses) {
    const std::pair<const char*, const std::optional<std::string>*> parts[] = {
        {"Addresses.StreetAddress", &a.street_address}, {"Addresses.Locality", &a.locality},
        {"Addresses.Region", &a.region},                {"Addresses.PostalCode", &a.postal_code},
        {"Addresses.Country", &a.country},              {"Addresses.Formatted", &a.formatted},
        {"Addresses.Type", &a.type}};
    for (auto [field, value] : parts)
      if (auto r = check_opt(field, *value); !r) return r;
  }
  return {};
}

result<void> check_phones(const std::vector<phone_number>& phones) {
  for (const auto& p : phones) {
    if (auto r = check_opt("PhoneNumbers.Value", p.value); !r) return r;
    if (auto r = check_opt("PhoneNumbers.Type", p.type); !r) return r;
  }
  return {};
}

result<void> check_enterprise(const enterprise& e) {
  const std::pair<const char*, const std::optional<std::string>*> parts[] = {
      {"employeeNumber", &e.employee_number}, {"costCenter", &e.cost_center},
      {"organization", &e.organization},      {"division", &e.division},
      {"department", &e.department},          {"manager.value", &e.manager}};
  for (auto [field, value] : parts)
    if (auto r = check_opt(field, *value); !r) return r;
  return {};
}

result<void> require(bool present, std::string_view field) {
  if (present) return {};
  return fail(errc::validation, std::string(field) + " is required.");
}

}  // namespace

result<void> check_text(std::string_view field, std::string_view value, text_rule rule) {
  std::string f(field);
  if (value.empty()) return fail(errc::validation, f + " must not be empty.");
  if (!valid_utf8(value)) return fail(errc::validation, f + " is not valid UTF-8.");
  if (utf8_length(value) > rule.max_chars)
    return fail(errc::validation,
                f + " must be at most " + std::to_string(rule.max_chars) + " characters long.");
  if (has_control_chars(value, rule.allow_space ? "\t\r\n" : ""))
    return fail(errc::validation, f + " contains characters that are not allowed.");
  if (!rule.allow_space && has_disallowed_space(value))
    return fail(errc::validation, f + " must not contain whitespace.");
  return {};
}

bool is_reserved_name(std::string_view name) {
  return iequals_ascii(name, "Administrator") || iequals_ascii(name, "AWSAdministrators");
}

result<void> validate_user(const user& u) {
  if (auto r = check_text("UserName", u.user_name, user_name_rule); !r) return r;
  if (is_reserved_name(u.user_name))
    return fail(errc::validation, "UserName '" + u.user_name + "' is reserved.");
  // The guide: users lacking given name, family name or display name cannot be used (and
  // automatic provisioning refuses them), so the store refuses them through every door.
  if (auto r = require(u.display_name.has_value(), "DisplayName"); !r) return r;
  if (auto r = require(u.user_name_parts.has_value(), "Name"); !r) return r;
  if (auto r = require(u.user_name_parts->given_name.has_value(), "Name.GivenName"); !r) return r;
  if (auto r = require(u.user_name_parts->family_name.has_value(), "Name.FamilyName"); !r) return r;
  if (auto r = check_name(*u.user_name_parts); !r) return r;
  const std::pair<const char*, const std::optional<std::string>*> singles[] = {
      {"DisplayName", &u.display_name},  {"NickName", &u.nick_name},
      {"ProfileUrl", &u.profile_url},    {"UserType", &u.user_type},
      {"Title", &u.title},               {"PreferredLanguage", &u.preferred_language},
      {"Locale", &u.locale},             {"Timezone", &u.timezone}};
  for (auto [field, value] : singles)
    if (auto r = check_opt(field, *value); !r) return r;
  if (u.emails.size() > max_multi_values || u.addresses.size() > max_multi_values ||
      u.phone_numbers.size() > max_multi_values)
    return fail(errc::validation,
                "Emails, Addresses and PhoneNumbers allow only a single item per list.");
  if (auto r = check_emails(u.emails); !r) return r;
  if (auto r = check_addresses(u.addresses); !r) return r;
  if (auto r = check_phones(u.phone_numbers); !r) return r;
  if (u.enterprise_ext)
    if (auto r = check_enterprise(*u.enterprise_ext); !r) return r;
  return check_external_ids(u.external_ids);
}

result<void> validate_group(const group& g) {
  if (auto r = check_text("DisplayName", g.display_name, group_name_rule); !r) return r;
  if (is_reserved_name(g.display_name))
    return fail(errc::validation, "DisplayName '" + g.display_name + "' is reserved.");
  if (g.description)
    if (auto r = check_text("Description", *g.description, text_attribute_rule); !r) return r;
  return check_external_ids(g.external_ids);
}

}  // namespace atrium::domain
