#include "proto/scim/resources.hpp"
#include "base/try.hpp"

#include <algorithm>
#include <charconv>

#include "base/strings.hpp"
#include "domain/validation.hpp"
#include "proto/kit/attribute_json.hpp"

namespace atrium::proto::scim {

using nlohmann::json;

namespace {

void put(json& j, const char* key, const std::optional<std::string>& v) {
  if (v) j[key] = *v;
}
void put(json& j, const char* key, const std::optional<bool>& v) {
  if (v) j[key] = *v;
}

json meta_json(const char* type, const domain::audit_stamp& s, int64_t version, std::string location) {
  return {{"resourceType", type},
          {"created", iso8601(s.created_at)},
          {"lastModified", iso8601(s.updated_at)},
          {"location", std::move(location)},
          {"version", etag_of(version)}};
}

std::optional<std::string> scim_external_id(const std::vector<domain::external_id>& ids) {
  for (const auto& x : ids)
    if (x.issuer == scim_external_id_issuer) return x.id;
  return std::nullopt;
}

// Replaces (or removes, when value is empty) the SCIM entry of ExternalIds, keeping the others.
void set_scim_external_id(std::vector<domain::external_id>& ids, const std::optional<std::string>& value) {
  std::erase_if(ids, [](const domain::external_id& x) { return x.issuer == scim_external_id_issuer; });
  if (value) ids.push_back({std::string(scim_external_id_issuer), *value});
}

json name_json(const domain::name& n) {
  json j = json::object();
  put(j, "formatted", n.formatted), put(j, "familyName", n.family_name);
  put(j, "givenName", n.given_name), put(j, "middleName", n.middle_name);
  put(j, "honorificPrefix", n.honorific_prefix), put(j, "honorificSuffix", n.honorific_suffix);
  return j;
}

template <class T, class Fill>
json list_json(const std::vector<T>& items, Fill&& fill) {
  json a = json::array();
  for (const auto& x : items) {
    json o = json::object();
    fill(o, x);
    a.push_back(std::move(o));
  }
  return a;
}

json enterprise_json(const domain::enterprise& e, std::string_view base_url) {
  json j = json::object();
  put(j, "employeeNumber", e.employee_number), put(j, "costCenter", e.cost_center);
  put(j, "organization", e.organization), put(j, "division", e.division);
  put(j, "department", e.department);
  if (e.manager) j["manager"] = {{"value", *e.manager}, {"$ref", std::string(base_url) + "/Users/" + *e.manager}};
  return j;
}

scim_error invalid(std::string detail) { return {400, scim_type::invalid_value, std::move(detail)}; }
scim_error syntax(std::string detail) { return {400, scim_type::invalid_syntax, std::move(detail)}; }

scim_error from_validation(const error& e) {
  if (e.code == errc::validation) return invalid(e.message);
  return from_error(e);
}

// "schemas", when sent, must be a list of the URNs this resource type knows.
scim_result<void> check_schemas(const json& body, std::initializer_list<std::string_view> known) {
  const json* s = proto::find_key(body, "schemas");
  if (!s) return {};
  if (!s->is_array()) return std::unexpected(syntax("schemas must be a list of schema URNs."));
  for (const auto& urn : *s) {
    if (!urn.is_string()) return std::unexpected(syntax("schemas must be a list of schema URNs."));
    bool ok = false;
    for (auto k : known) ok = ok || iequals_ascii(urn.get_ref<const std::string&>(), k);
    if (!ok) return std::unexpected(syntax("Unknown schema URN '" + urn.get<std::string>().substr(0, 200) + "'."));
  }
  return {};
}

// Keys of a request body that a resource type understands; anything else is refused by name,
// so a mapping mistake at the IdP shows up instead of being dropped silently.
scim_result<void> check_keys(const json& body, resource_kind kind) {
  static constexpr std::string_view ignored[] = {"schemas", "id", "meta"};
  static constexpr std::string_view unsupported[] = {"password", "ims", "photos", "x509Certificates",
                                                     "entitlements", "roles"};
  for (auto it = body.begin(); it != body.end(); ++it) {
    const std::string& k = it.key();
    bool skip = false;
    for (auto i : ignored) skip = skip || iequals_ascii(k, i);
    if (skip) continue;
    // Unassigned (null, [] or {}, RFC 7643 §2.5) is no value at all: Entra's documented
    // create-user body carries "roles": [].
    bool unassigned = it->is_null() || ((it->is_array() || it->is_object()) && it->empty());
    bool is_unsupported = false;
    for (auto u : unsupported) is_unsupported = is_unsupported || iequals_ascii(k, u);
    if (is_unsupported && unassigned) continue;
    if (is_unsupported) return std::unexpected(invalid("The attribute '" + k + "' is not supported."));
    if (kind == resource_kind::user && iequals_ascii(k, enterprise_user_urn)) continue;
    auto core = kind == resource_kind::user ? user_schema_urn : group_schema_urn;
    if (!find_attribute(kind, core, k))
      return std::unexpected(invalid("Unknown attribute '" + k.substr(0, 100) + "'."));
  }
  return {};
}

scim_result<void> single_item(const json& body, const char* key) {
  const json* v = proto::find_key(body, key);
  if (v && v->is_array() && v->size() > 1)
    return std::unexpected(invalid(std::string("Currently list attributes only allow single item: ") + key + " has " +
                                   std::to_string(v->size()) + " values."));
  return {};
}

scim_result<std::string> required_text(const json& obj, std::string_view key, std::string_view shown) {
  auto v = proto::read_string(obj, key, shown);
  if (!v) return std::unexpected(invalid(v.error().message));
  if (!*v || (*v)->empty()) return std::unexpected(invalid("The attribute '" + std::string(shown) + "' is required."));
  return std::move(**v);
}

scim_result<std::optional<std::string>> optional_text(const json& obj, std::string_view key) {
  auto v = proto::read_string(obj, key, key);
  if (!v) return std::unexpected(invalid(v.error().message));
  return std::move(*v);
}

scim_result<void> read_user_scalars(const json& body, domain::user& u) {
  const std::pair<const char*, std::optional<std::string> domain::user::*> fields[] = {
      {"nickName", &domain::user::nick_name},   {"profileUrl", &domain::user::profile_url},
      {"title", &domain::user::title},          {"userType", &domain::user::user_type},
      {"preferredLanguage", &domain::user::preferred_language},
      {"locale", &domain::user::locale},        {"timezone", &domain::user::timezone}};
  for (auto [key, member] : fields) {
    TRY(v, optional_text(body, key));
    u.*member = std::move(v);
  }
  return {};
}

scim_result<void> read_user_lists(const json& body, domain::user& u) {
  proto::json_read_options lenient{true};
  for (const char* key : {"emails", "addresses", "phoneNumbers"})
    if (auto r = single_item(body, key); !r) return r;
  auto wrap = [](const json* v) { return v && v->is_object() ? json::array({*v}) : (v ? *v : json()); };
  if (auto e = proto::emails_from_json(wrap(proto::find_key(body, "emails")), lenient); e) u.emails = std::move(*e);
  else return std::unexpected(invalid(e.error().message));
  if (auto a = proto::addresses_from_json(wrap(proto::find_key(body, "addresses")), lenient); a) u.addresses = std::move(*a);
  else return std::unexpected(invalid(a.error().message));
  if (auto p = proto::phones_from_json(wrap(proto::find_key(body, "phoneNumbers")), lenient); p) u.phone_numbers = std::move(*p);
  else return std::unexpected(invalid(p.error().message));
  return {};
}

scim_result<std::optional<bool>> read_active(const json& body) {
  const json* v = proto::find_key(body, "active");
  if (!v || v->is_null()) return std::optional<bool>{};
  if (v->is_boolean()) return std::optional<bool>{v->get<bool>()};
  if (v->is_string()) {
    auto s = to_lower_ascii(v->get_ref<const std::string&>());
    if (s == "true") return std::optional<bool>{true};
    if (s == "false") return std::optional<bool>{false};
  }
  return std::unexpected(invalid("The attribute 'active' must be a boolean."));
}

}  // namespace

namespace {

// One entry of attributes/excludedAttributes: the top-level key it names (the enterprise
// extension is one key) and, when it goes deeper, the sub-attribute.
struct attribute_ref {
  std::string top;
  std::string sub;
};

attribute_ref parse_ref(std::string_view text) {
  auto lower = to_lower_ascii(text);
  for (auto urn : {user_schema_urn, group_schema_urn}) {
    std::string prefix = to_lower_ascii(urn) + ":";
    if (starts_with(lower, prefix)) {
      text.remove_prefix(prefix.size());
      lower = to_lower_ascii(text);
    }
  }
  std::string ext = to_lower_ascii(enterprise_user_urn);
  if (starts_with(lower, ext)) {
    auto rest = text.substr(ext.size());
    if (!rest.empty() && rest.front() == ':') rest.remove_prefix(1);
    return {std::string(enterprise_user_urn), std::string(rest.substr(0, rest.find('.')))};
  }
  auto dot = text.find('.');
  return {std::string(text.substr(0, dot)), dot == std::string_view::npos ? "" : std::string(text.substr(dot + 1))};
}

bool always_returned(std::string_view key) { return iequals_ascii(key, "id") || iequals_ascii(key, "schemas"); }

// Keeps only `subs` of an object, or of every object in a list (multi-valued attributes).
json keep_subs(const json& v, const std::vector<std::string>& subs) {
  auto keep_in = [&](const json& obj) {
    json out = json::object();
    for (auto it = obj.begin(); it != obj.end(); ++it)
      for (const auto& sub : subs)
        if (iequals_ascii(it.key(), sub)) out[it.key()] = *it;
    return out;
  };
  if (v.is_object()) return keep_in(v);
  if (!v.is_array()) return v;
  json out = json::array();
  for (const auto& item : v) out.push_back(item.is_object() ? keep_in(item) : item);
  return out;
}

void erase_sub(json& v, std::string_view sub) {
  auto erase_in = [&](json& obj) {
    for (auto it = obj.begin(); it != obj.end(); ++it)
      if (iequals_ascii(it.key(), sub)) {
        obj.erase(it);
        return;
      }
  };
  if (v.is_object()) erase_in(v);
  if (v.is_array())
    for (auto& item : v)
      if (item.is_object()) erase_in(item);
}

}  // namespace

bool projection::wants(std::string_view attribute) const {
  if (!attributes.empty()) {
    for (const auto& a : attributes)
      if (iequals_ascii(parse_ref(a).top, attribute)) return true;
    return false;
  }
  for (const auto& e : excluded_attributes) {
    auto ref = parse_ref(e);
    if (ref.sub.empty() && iequals_ascii(ref.top, attribute)) return false;
  }
  return true;
}

void project(json& resource, const projection& p) {
  if (!resource.is_object()) return;
  if (p.attributes.empty()) {
    for (const auto& e : p.excluded_attributes) {
      auto ref = parse_ref(e);
      for (auto it = resource.begin(); it != resource.end(); ++it) {
        if (!iequals_ascii(it.key(), ref.top) || always_returned(it.key())) continue;
        if (ref.sub.empty()) resource.erase(it);
        else erase_sub(*it, ref.sub);
        break;
      }
    }
    return;
  }
  std::vector<attribute_ref> refs;
  for (const auto& a : p.attributes) refs.push_back(parse_ref(a));
  json out = json::object();
  for (auto it = resource.begin(); it != resource.end(); ++it) {
    if (always_returned(it.key())) {
      out[it.key()] = *it;
      continue;
    }
    bool whole = false, named = false;
    std::vector<std::string> subs;
    for (const auto& r : refs) {
      if (!iequals_ascii(r.top, it.key())) continue;
      named = true;
      if (r.sub.empty()) whole = true;
      else subs.push_back(r.sub);
    }
    if (!named) continue;
    out[it.key()] = whole ? *it : keep_subs(*it, subs);
  }
  resource = std::move(out);
}

std::string etag_of(int64_t version) { return "W/\"" + std::to_string(version) + "\""; }

scim_result<service::version_condition> parse_etag(std::string_view header) {
  auto foreign = [] { return std::unexpected(scim_error{412, "", "The entity tag is not one this server issued."}); };
  if (trim(header) == "*") return service::version_condition{};
  std::vector<int64_t> versions;
  for (auto part : split(header, ',')) {
    auto v = trim(part);
    if (starts_with(v, "W/")) v.remove_prefix(2);
    if (v.size() < 3 || v.front() != '"' || v.back() != '"') return foreign();
    v = v.substr(1, v.size() - 2);
    int64_t n = 0;
    auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
    if (ec != std::errc() || p != v.data() + v.size()) return foreign();
    versions.push_back(n);
  }
  if (versions.empty()) return foreign();
  return service::version_condition{std::move(versions)};
}

json user_json(const service::user_view& v, std::string_view base_url) {
  const domain::user& u = v.user;
  bool with_enterprise = u.enterprise_ext && !u.enterprise_ext->empty();
  json schemas = json::array({user_schema_urn});
  if (with_enterprise) schemas.push_back(enterprise_user_urn);
  json j = {{"schemas", schemas}, {"id", u.id}};
  put(j, "externalId", scim_external_id(u.external_ids));
  j["userName"] = u.user_name;
  if (u.user_name_parts) j["name"] = name_json(*u.user_name_parts);
  put(j, "displayName", u.display_name), put(j, "nickName", u.nick_name);
  put(j, "profileUrl", u.profile_url), put(j, "title", u.title), put(j, "userType", u.user_type);
  put(j, "preferredLanguage", u.preferred_language), put(j, "locale", u.locale);
  put(j, "timezone", u.timezone);
  j["active"] = u.active;
  if (!u.emails.empty())
    j["emails"] = list_json(u.emails, [](json& o, const domain::email& e) {
      put(o, "value", e.value), put(o, "type", e.type), put(o, "primary", e.primary);
    });
  if (!u.addresses.empty())
    j["addresses"] = list_json(u.addresses, [](json& o, const domain::address& a) {
      put(o, "formatted", a.formatted), put(o, "streetAddress", a.street_address);
      put(o, "locality", a.locality), put(o, "region", a.region);
      put(o, "postalCode", a.postal_code), put(o, "country", a.country);
      put(o, "type", a.type), put(o, "primary", a.primary);
    });
  if (!u.phone_numbers.empty())
    j["phoneNumbers"] = list_json(u.phone_numbers, [](json& o, const domain::phone_number& p) {
      put(o, "value", p.value), put(o, "type", p.type), put(o, "primary", p.primary);
    });
  if (!v.groups.empty())
    j["groups"] = list_json(v.groups, [&](json& o, const service::group_ref& g) {
      o = {{"value", g.id}, {"$ref", std::string(base_url) + "/Groups/" + g.id},
           {"display", g.display_name}, {"type", g.direct ? "direct" : "indirect"}};
    });
  if (with_enterprise) j[std::string(enterprise_user_urn)] = enterprise_json(*u.enterprise_ext, base_url);
  j["meta"] = meta_json("User", u.stamp, u.version, std::string(base_url) + "/Users/" + u.id);
  return j;
}

json group_json(const service::group_view& v, std::string_view base_url, bool with_members) {
  const domain::group& g = v.group;
  json j = {{"schemas", json::array({group_schema_urn})}, {"id", g.id}};
  put(j, "externalId", scim_external_id(g.external_ids));
  j["displayName"] = g.display_name;
  if (with_members) {
    json members = json::array();
    for (const auto& m : v.members) {
      bool is_group = m.kind == domain::member_kind::group;
      members.push_back({{"value", m.id},
                         {"type", is_group ? "Group" : "User"},
                         {"$ref", std::string(base_url) + (is_group ? "/Groups/" : "/Users/") + m.id}});
    }
    j["members"] = std::move(members);
  }
  j["meta"] = meta_json("Group", g.stamp, g.version, std::string(base_url) + "/Groups/" + g.id);
  return j;
}

scim_result<domain::user> user_from_json(const json& body, const domain::user* current) {
  if (!body.is_object()) return std::unexpected(syntax("The request body must be a JSON object."));
  if (auto r = check_schemas(body, {user_schema_urn, enterprise_user_urn}); !r) return std::unexpected(r.error());
  if (auto r = check_keys(body, resource_kind::user); !r) return std::unexpected(r.error());
  domain::user u;
  if (current) {
    u.id = current->id;
    u.external_ids = current->external_ids;
    u.active = current->active;
    u.stamp = current->stamp;
    u.version = current->version;
  }
  TRY(user_name, required_text(body, "userName", "userName"));
  u.user_name = std::move(user_name);
  TRY(display_name, required_text(body, "displayName", "displayName"));
  u.display_name = std::move(display_name);
  const json* name = proto::find_key(body, "name");
  if (!name || name->is_null()) return std::unexpected(invalid("The attribute 'name.givenName' is required."));
  if (!name->is_object()) return std::unexpected(invalid("The attribute 'name' must be an object."));
  for (auto [key, shown] : {std::pair{"givenName", "name.givenName"}, {"familyName", "name.familyName"}})
    if (auto r = required_text(*name, key, shown); !r) return std::unexpected(r.error());
  auto parts = proto::name_from_json(*name);
  if (!parts) return std::unexpected(invalid(parts.error().message));
  u.user_name_parts = std::move(*parts);
  if (auto r = read_user_scalars(body, u); !r) return std::unexpected(r.error());
  if (auto r = read_user_lists(body, u); !r) return std::unexpected(r.error());
  TRY(active, read_active(body));
  if (active) u.active = *active;
  TRY(external, optional_text(body, "externalId"));
  set_scim_external_id(u.external_ids, external);
  if (const json* ext = proto::find_key(body, enterprise_user_urn); ext && !ext->is_null()) {
    auto e = proto::enterprise_from_json(*ext);
    if (!e) return std::unexpected(invalid(e.error().message));
    if (!e->empty()) u.enterprise_ext = std::move(*e);
  }
  if (auto r = domain::validate_user(u); !r) return std::unexpected(from_validation(r.error()));
  return u;
}

scim_result<group_body> group_from_json(const json& body, const domain::group* current) {
  if (!body.is_object()) return std::unexpected(syntax("The request body must be a JSON object."));
  if (auto r = check_schemas(body, {group_schema_urn}); !r) return std::unexpected(r.error());
  if (auto r = check_keys(body, resource_kind::group); !r) return std::unexpected(r.error());
  group_body out;
  if (current) out.group = *current;
  TRY(display_name, required_text(body, "displayName", "displayName"));
  out.group.display_name = std::move(display_name);
  TRY(external, optional_text(body, "externalId"));
  set_scim_external_id(out.group.external_ids, external);
  if (const json* members = proto::find_key(body, "members"); members && !members->is_null()) {
    if (!members->is_array()) return std::unexpected(invalid("The attribute 'members' must be a list."));
    std::vector<std::string> ids;
    ids.reserve(members->size());
    for (const auto& m : *members) {
      const json* value = m.is_object() ? proto::find_key(m, "value") : nullptr;
      if (!value || !value->is_string() || value->get_ref<const std::string&>().empty())
        return std::unexpected(invalid("Each member must be an object with a string 'value' (the member's id)."));
      ids.push_back(value->get<std::string>());
    }
    out.member_ids = std::move(ids);
  }
  return out;
}

}  // namespace atrium::proto::scim
