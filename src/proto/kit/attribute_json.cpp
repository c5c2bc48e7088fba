#include "proto/kit/attribute_json.hpp"

#include "base/strings.hpp"

namespace atrium::proto {

using nlohmann::json;

namespace {

result<void> bad(std::string_view field, std::string_view what) {
  return fail(errc::validation, std::string(field) + " " + std::string(what));
}

result<std::optional<bool>> read_bool(const json& obj, std::string_view key, std::string_view field,
                                      json_read_options o) {
  const json* v = find_key(obj, key);
  if (!v || v->is_null()) return std::optional<bool>{};
  if (v->is_boolean()) return std::optional<bool>{v->get<bool>()};
  if (o.lenient_booleans && v->is_string()) {
    auto s = to_lower_ascii(v->get_ref<const std::string&>());
    if (s == "true") return std::optional<bool>{true};
    if (s == "false") return std::optional<bool>{false};
  }
  return std::unexpected(bad(field, "must be a boolean.").error());
}

result<const json*> as_list(const json& j, std::string_view field) {
  if (j.is_null()) return nullptr;
  if (!j.is_array()) return std::unexpected(bad(field, "must be a list.").error());
  return &j;
}

template <class T, class Fill>
result<std::vector<T>> read_list(const json& j, std::string_view field, Fill&& fill) {
  auto list = as_list(j, field);
  if (!list) return std::unexpected(list.error());
  std::vector<T> out;
  if (!*list) return out;
  for (const auto& item : **list) {
    if (!item.is_object()) return std::unexpected(bad(field, "items must be objects.").error());
    T value;
    if (auto r = fill(item, value); !r) return std::unexpected(r.error());
    out.push_back(std::move(value));
  }
  return out;
}

// Assigns obj[key] (a string or null) to *target.
result<void> take_string(const json& obj, std::string_view key, std::string_view field,
                         std::optional<std::string>& target) {
  auto v = read_string(obj, key, field);
  if (!v) return std::unexpected(v.error());
  target = std::move(*v);
  return {};
}

result<void> set_scalar(std::optional<std::string>& target, std::string_view field,
                        const json* value) {
  if (!value || value->is_null()) {
    target.reset();
    return {};
  }
  if (!value->is_string()) return bad(field, "must be a string.");
  target = value->get<std::string>();
  return {};
}

std::optional<std::string>* user_scalar(domain::user& u, std::string_view path) {
  const std::pair<std::string_view, std::optional<std::string> domain::user::*> fields[] = {
      {"displayname", &domain::user::display_name}, {"nickname", &domain::user::nick_name},
      {"profileurl", &domain::user::profile_url},   {"usertype", &domain::user::user_type},
      {"title", &domain::user::title},              {"preferredlanguage", &domain::user::preferred_language},
      {"locale", &domain::user::locale},            {"timezone", &domain::user::timezone}};
  for (auto [name, member] : fields)
    if (path == name) return &(u.*member);
  return nullptr;
}

std::optional<std::string>* name_part(domain::name& n, std::string_view part) {
  const std::pair<std::string_view, std::optional<std::string> domain::name::*> parts[] = {
      {"formatted", &domain::name::formatted},     {"familyname", &domain::name::family_name},
      {"givenname", &domain::name::given_name},    {"middlename", &domain::name::middle_name},
      {"honorificprefix", &domain::name::honorific_prefix},
      {"honorificsuffix", &domain::name::honorific_suffix}};
  for (auto [name, member] : parts)
    if (part == name) return &(n.*member);
  return nullptr;
}

std::optional<std::string>* enterprise_part(domain::enterprise& e, std::string_view part) {
  const std::pair<std::string_view, std::optional<std::string> domain::enterprise::*> parts[] = {
      {"employeenumber", &domain::enterprise::employee_number},
      {"costcenter", &domain::enterprise::cost_center},
      {"organization", &domain::enterprise::organization},
      {"division", &domain::enterprise::division},
      {"department", &domain::enterprise::department},
      {"manager", &domain::enterprise::manager},
      {"manager.value", &domain::enterprise::manager}};
  for (auto [name, member] : parts)
    if (part == name) return &(e.*member);
  return nullptr;
}

void put(json& j, const char* key, const std::optional<std::string>& v) {
  if (v) j[key] = *v;
}
void put(json& j, const char* key, const std::optional<bool>& v) {
  if (v) j[key] = *v;
}

json item_to_json(const domain::email& e) {
  json j = json::object();
  put(j, "value", e.value), put(j, "type", e.type), put(j, "primary", e.primary);
  return j;
}
json item_to_json(const domain::phone_number& p) {
  json j = json::object();
  put(j, "value", p.value), put(j, "type", p.type), put(j, "primary", p.primary);
  return j;
}
json item_to_json(const domain::address& a) {
  json j = json::object();
  put(j, "streetaddress", a.street_address), put(j, "locality", a.locality);
  put(j, "region", a.region), put(j, "postalcode", a.postal_code), put(j, "country", a.country);
  put(j, "formatted", a.formatted), put(j, "type", a.type), put(j, "primary", a.primary);
  return j;
}

// emails.value etc.: edits one sub-attribute of the single item of a single-valued list by
// re-reading the item with that key changed, so the list reader's checks apply unchanged.
template <class T>
result<void> set_list_sub(std::vector<T>& list, std::string_view field, const std::string& sub,
                          const json* value, json_read_options o,
                          result<std::vector<T>> (*reader)(const json&, json_read_options)) {
  json item = list.empty() ? json::object() : item_to_json(list.front());
  if (value && !value->is_null()) item[sub] = *value;
  else item.erase(sub);
  auto parsed = reader(json::array({item}), o);
  if (!parsed) return std::unexpected(parsed.error());
  if (!(parsed->front() == T{}) && item_to_json(parsed->front()).size() != item.size())
    return bad(field, "has no sub-attribute '" + sub + "'.");
  list.clear();
  if (!(parsed->front() == T{})) list.push_back(parsed->front());
  return {};
}

result<void> set_enterprise(domain::user& u, std::string_view rest, const json* value) {
  if (rest.empty()) {
    if (!value || value->is_null()) {
      u.enterprise_ext.reset();
      return {};
    }
    auto e = enterprise_from_json(*value);
    if (!e) return std::unexpected(e.error());
    u.enterprise_ext = std::move(*e);
    return {};
  }
  domain::enterprise e = u.enterprise_ext.value_or(domain::enterprise{});
  auto* target = enterprise_part(e, rest);
  if (!target) return bad(enterprise_extension, "has no attribute '" + std::string(rest) + "'.");
  const json* v = value;
  if (rest == "manager" && value && value->is_object()) v = find_key(*value, "value");
  if (auto r = set_scalar(*target, rest, v); !r) return r;
  u.enterprise_ext = e.empty() ? std::nullopt : std::optional(e);
  return {};
}

}  // namespace

const json* find_key(const json& obj, std::string_view key) {
  if (!obj.is_object()) return nullptr;
  auto exact = obj.find(std::string(key));
  if (exact != obj.end()) return &*exact;
  for (auto it = obj.begin(); it != obj.end(); ++it)
    if (iequals_ascii(it.key(), key)) return &it.value();
  return nullptr;
}

result<std::optional<std::string>> read_string(const json& obj, std::string_view key,
                                               std::string_view field) {
  const json* v = find_key(obj, key);
  if (!v || v->is_null()) return std::optional<std::string>{};
  if (!v->is_string()) return std::unexpected(bad(field, "must be a string.").error());
  return std::optional<std::string>{v->get<std::string>()};
}

result<domain::name> name_from_json(const json& j) {
  if (!j.is_object()) return std::unexpected(bad("Name", "must be an object.").error());
  domain::name n;
  for (auto [key, member] : {std::pair{"Formatted", &domain::name::formatted},
                             {"FamilyName", &domain::name::family_name},
                             {"GivenName", &domain::name::given_name},
                             {"MiddleName", &domain::name::middle_name},
                             {"HonorificPrefix", &domain::name::honorific_prefix},
                             {"HonorificSuffix", &domain::name::honorific_suffix}})
    if (auto r = take_string(j, key, std::string("Name.") + key, n.*member); !r)
      return std::unexpected(r.error());
  return n;
}

result<std::vector<domain::email>> emails_from_json(const json& j, json_read_options o) {
  return read_list<domain::email>(j, "Emails", [&](const json& item, domain::email& e) -> result<void> {
    if (auto r = take_string(item, "Value", "Emails.Value", e.value); !r) return r;
    if (auto r = take_string(item, "Type", "Emails.Type", e.type); !r) return r;
    auto p = read_bool(item, "Primary", "Emails.Primary", o);
    if (!p) return std::unexpected(p.error());
    e.primary = *p;
    return {};
  });
}

result<std::vector<domain::address>> addresses_from_json(const json& j, json_read_options o) {
  return read_list<domain::address>(j, "Addresses", [&](const json& item, domain::address& a) -> result<void> {
    for (auto [key, member] : {std::pair{"StreetAddress", &domain::address::street_address},
                               {"Locality", &domain::address::locality},
                               {"Region", &domain::address::region},
                               {"PostalCode", &domain::address::postal_code},
                               {"Country", &domain::address::country},
                               {"Formatted", &domain::address::formatted},
                               {"Type", &domain::address::type}})
      if (auto r = take_string(item, key, std::string("Addresses.") + key, a.*member); !r) return r;
    auto p = read_bool(item, "Primary", "Addresses.Primary", o);
    if (!p) return std::unexpected(p.error());
    a.primary = *p;
    return {};
  });
}

result<std::vector<domain::phone_number>> phones_from_json(const json& j, json_read_options o) {
  return read_list<domain::phone_number>(j, "PhoneNumbers", [&](const json& item, domain::phone_number& ph) -> result<void> {
    if (auto r = take_string(item, "Value", "PhoneNumbers.Value", ph.value); !r) return r;
    if (auto r = take_string(item, "Type", "PhoneNumbers.Type", ph.type); !r) return r;
    auto p = read_bool(item, "Primary", "PhoneNumbers.Primary", o);
    if (!p) return std::unexpected(p.error());
    ph.primary = *p;
    return {};
  });
}

result<std::vector<domain::external_id>> external_ids_from_json(const json& j) {
  return read_list<domain::external_id>(j, "ExternalIds", [&](const json& item, domain::external_id& x) -> result<void> {
    std::optional<std::string> issuer, id;
    if (auto r = take_string(item, "Issuer", "ExternalIds.Issuer", issuer); !r) return r;
    if (auto r = take_string(item, "Id", "ExternalIds.Id", id); !r) return r;
    if (!issuer || !id) return bad("ExternalIds", "items need Issuer and Id.");
    x = {*issuer, *id};
    return {};
  });
}

result<domain::enterprise> enterprise_from_json(const json& j) {
  if (!j.is_object()) return std::unexpected(bad(enterprise_extension, "must be an object.").error());
  domain::enterprise e;
  for (auto it = j.begin(); it != j.end(); ++it) {
    auto key = to_lower_ascii(it.key());
    auto* target = enterprise_part(e, key);
    if (!target) return std::unexpected(bad(enterprise_extension, "has no attribute '" + it.key() + "'.").error());
    const json* v = &it.value();
    if (key == "manager" && v->is_object()) v = find_key(*v, "value");
    if (auto r = set_scalar(*target, it.key(), v); !r) return std::unexpected(r.error());
  }
  return e;
}

result<void> apply_user_attribute(domain::user& u, std::string_view raw_path, const json* value) {
  std::string path = to_lower_ascii(raw_path);
  json_read_options o;
  if (path.starts_with(enterprise_extension)) {
    std::string_view rest = std::string_view(path).substr(enterprise_extension.size());
    if (!rest.empty() && rest.front() != '.') return bad("AttributePath", "is not supported.");
    return set_enterprise(u, rest.empty() ? rest : rest.substr(1), value);
  }
  if (path == "username") {
    if (!value || !value->is_string()) return bad("UserName", "must be a string.");
    u.user_name = value->get<std::string>();
    return {};
  }
  if (auto* target = user_scalar(u, path)) return set_scalar(*target, raw_path, value);
  if (path == "name" || path.starts_with("name.")) {
    if (path == "name") {
      if (!value || value->is_null()) {
        u.user_name_parts.reset();
        return {};
      }
      auto n = name_from_json(*value);
      if (!n) return std::unexpected(n.error());
      u.user_name_parts = *n;
      return {};
    }
    domain::name n = u.user_name_parts.value_or(domain::name{});
    auto* part = name_part(n, std::string_view(path).substr(5));
    if (!part) return bad("AttributePath", "'" + std::string(raw_path) + "' is not supported.");
    if (auto r = set_scalar(*part, raw_path, value); !r) return r;
    u.user_name_parts = n;
    return {};
  }
  auto dot = path.find('.');
  std::string head = path.substr(0, dot);
  std::string sub = dot == std::string::npos ? "" : path.substr(dot + 1);
  const json null_value;
  const json& v = value ? *value : null_value;
  if (head == "emails") {
    if (!sub.empty()) return set_list_sub(u.emails, "Emails", sub, value, o, &emails_from_json);
    auto r = emails_from_json(v, o);
    if (!r) return std::unexpected(r.error());
    u.emails = std::move(*r);
    return {};
  }
  if (head == "addresses") {
    if (!sub.empty()) return set_list_sub(u.addresses, "Addresses", sub, value, o, &addresses_from_json);
    auto r = addresses_from_json(v, o);
    if (!r) return std::unexpected(r.error());
    u.addresses = std::move(*r);
    return {};
  }
  if (head == "phonenumbers") {
    if (!sub.empty()) return set_list_sub(u.phone_numbers, "PhoneNumbers", sub, value, o, &phones_from_json);
    auto r = phones_from_json(v, o);
    if (!r) return std::unexpected(r.error());
    u.phone_numbers = std::move(*r);
    return {};
  }
  if (path == "externalids") {
    auto r = external_ids_from_json(v);
    if (!r) return std::unexpected(r.error());
    u.external_ids = std::move(*r);
    return {};
  }
  return bad("AttributePath", "'" + std::string(raw_path) + "' is not supported.");
}

result<void> apply_group_attribute(domain::group& g, std::string_view raw_path, const json* value) {
  std::string path = to_lower_ascii(raw_path);
  if (path == "displayname") {
    if (!value || !value->is_string()) return bad("DisplayName", "must be a string.");
    g.display_name = value->get<std::string>();
    return {};
  }
  if (path == "description") return set_scalar(g.description, "Description", value);
  if (path == "externalids") {
    const json null_value;
    auto r = external_ids_from_json(value ? *value : null_value);
    if (!r) return std::unexpected(r.error());
    g.external_ids = std::move(*r);
    return {};
  }
  return bad("AttributePath", "'" + std::string(raw_path) + "' is not supported.");
}

}  // namespace atrium::proto
