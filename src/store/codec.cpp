#include "store/codec.hpp"

#include "store/codec_reader.hpp"

#include <nlohmann/json.hpp>

namespace atrium::store {

using nlohmann::json;

namespace {

void put(json& j, const char* k, const std::optional<std::string>& v) {
  if (v) j[k] = *v;
}
void put(json& j, const char* k, const std::optional<bool>& v) {
  if (v) j[k] = *v;
}
void get(const json& j, const char* k, std::optional<std::string>& v) {
  if (auto it = j.find(k); it != j.end() && it->is_string()) v = it->get<std::string>();
}
void get(const json& j, const char* k, std::optional<bool>& v) {
  if (auto it = j.find(k); it != j.end() && it->is_boolean()) v = it->get<bool>();
}

// j[key] as an integer, fallback when absent. nlohmann converts a float by a cast, undefined for
// one beyond int64 (the stored-document fuzz target found it): that is a shape error here.
int64_t int_value(const json& j, const char* key, int64_t fallback) {
  auto it = j.find(key);
  if (it == j.end()) return fallback;
  if (it->is_number_float()) {
    double d = it->get<double>();
    if (!(d >= -9223372036854775808.0 && d < 9223372036854775808.0))
      throw json::type_error::create(302, "number out of range", &*it);
  }
  return it->get<int64_t>();
}

json stamp_json(const domain::audit_stamp& s) {
  return {{"created_at", epoch_millis(s.created_at)}, {"created_by", s.created_by},
          {"updated_at", epoch_millis(s.updated_at)}, {"updated_by", s.updated_by},
          {"created_via", domain::to_string(s.created_via)},
          {"updated_via", domain::to_string(s.updated_via)}};
}

// An unknown door name is an error, not a silent "api": the stored data is not what this
// binary wrote.
result<domain::door> door_from(const json& j, const char* key) {
  auto d = domain::door_from_string(j.value(key, "api"));
  if (!d) return fail(errc::internal, std::string("unknown door in stamp.") + key);
  return *d;
}

result<domain::audit_stamp> stamp_from(const json& j) {
  domain::audit_stamp s;
  if (!j.is_object()) return fail(errc::internal, "stamp is not an object");
  s.created_at = from_epoch_millis(int_value(j, "created_at", 0));
  s.updated_at = from_epoch_millis(int_value(j, "updated_at", 0));
  s.created_by = j.value("created_by", "");
  s.updated_by = j.value("updated_by", "");
  auto created_via = door_from(j, "created_via");
  if (!created_via) return std::unexpected(created_via.error());
  auto updated_via = door_from(j, "updated_via");
  if (!updated_via) return std::unexpected(updated_via.error());
  s.created_via = *created_via;
  s.updated_via = *updated_via;
  return s;
}

json external_ids_json(const std::vector<domain::external_id>& v) {
  json a = json::array();
  for (const auto& x : v) a.push_back({{"issuer", x.issuer}, {"id", x.id}});
  return a;
}

std::vector<domain::external_id> external_ids_from(const json& j) {
  std::vector<domain::external_id> out;
  if (j.is_array())
    for (const auto& x : j) out.push_back({x.value("issuer", ""), x.value("id", "")});
  return out;
}

// Parses doc and runs fn on it. A wrong type anywhere (nlohmann throws type_error) becomes an
// error value; messages name the entity, never the stored values.
template <class T, class Fn>
result<T> guarded(std::string_view doc, const char* what, Fn fn) {
  auto j = json::parse(doc, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return fail(errc::internal, std::string("stored ") + what + " is corrupt");
  try {
    result<T> r = fn(j);
    if (!r) r.error().message = std::string("stored ") + what + ": " + r.error().message;
    return r;
  } catch (const json::exception&) {
    return fail(errc::internal, std::string("stored ") + what + " has an unexpected shape");
  }
}

}  // namespace

std::string encode_user(const domain::user& u) {
  json j = {{"id", u.id}, {"user_name", u.user_name}, {"active", u.active}, {"version", u.version},
            {"external_ids", external_ids_json(u.external_ids)}, {"stamp", stamp_json(u.stamp)}};
  if (u.user_name_parts) {
    const auto& n = *u.user_name_parts;
    json nj = json::object();
    put(nj, "formatted", n.formatted), put(nj, "family_name", n.family_name);
    put(nj, "given_name", n.given_name), put(nj, "middle_name", n.middle_name);
    put(nj, "honorific_prefix", n.honorific_prefix), put(nj, "honorific_suffix", n.honorific_suffix);
    j["name"] = nj;
  }
  put(j, "display_name", u.display_name), put(j, "nick_name", u.nick_name);
  put(j, "profile_url", u.profile_url), put(j, "user_type", u.user_type), put(j, "title", u.title);
  put(j, "preferred_language", u.preferred_language), put(j, "locale", u.locale);
  put(j, "timezone", u.timezone);
  json emails = json::array(), addresses = json::array(), phones = json::array();
  for (const auto& e : u.emails) {
    json x = json::object();
    put(x, "value", e.value), put(x, "type", e.type), put(x, "primary", e.primary);
    emails.push_back(x);
  }
  for (const auto& a : u.addresses) {
    json x = json::object();
    put(x, "street_address", a.street_address), put(x, "locality", a.locality);
    put(x, "region", a.region), put(x, "postal_code", a.postal_code), put(x, "country", a.country);
    put(x, "formatted", a.formatted), put(x, "type", a.type), put(x, "primary", a.primary);
    addresses.push_back(x);
  }
  for (const auto& p : u.phone_numbers) {
    json x = json::object();
    put(x, "value", p.value), put(x, "type", p.type), put(x, "primary", p.primary);
    phones.push_back(x);
  }
  j["emails"] = emails, j["addresses"] = addresses, j["phone_numbers"] = phones;
  if (u.enterprise_ext) {
    const auto& e = *u.enterprise_ext;
    json x = json::object();
    put(x, "employee_number", e.employee_number), put(x, "cost_center", e.cost_center);
    put(x, "organization", e.organization), put(x, "division", e.division);
    put(x, "department", e.department), put(x, "manager", e.manager);
    j["enterprise"] = x;
  }
  return j.dump();
}

result<domain::user> detail::decode_user_dom(std::string_view doc) {
  return guarded<domain::user>(doc, "user", [](const json& j) -> result<domain::user> {
    domain::user u;
    u.id = j.at("id").get<std::string>();
    u.user_name = j.at("user_name").get<std::string>();
    u.active = j.value("active", true);
    u.version = int_value(j, "version", 1);
    u.external_ids = external_ids_from(j.value("external_ids", json::array()));
    auto stamp = stamp_from(j.value("stamp", json::object()));
    if (!stamp) return std::unexpected(stamp.error());
    u.stamp = *stamp;
    if (auto n = j.find("name"); n != j.end()) {
      domain::name nm;
      get(*n, "formatted", nm.formatted), get(*n, "family_name", nm.family_name);
      get(*n, "given_name", nm.given_name), get(*n, "middle_name", nm.middle_name);
      get(*n, "honorific_prefix", nm.honorific_prefix), get(*n, "honorific_suffix", nm.honorific_suffix);
      u.user_name_parts = nm;
    }
    get(j, "display_name", u.display_name), get(j, "nick_name", u.nick_name);
    get(j, "profile_url", u.profile_url), get(j, "user_type", u.user_type), get(j, "title", u.title);
    get(j, "preferred_language", u.preferred_language), get(j, "locale", u.locale);
    get(j, "timezone", u.timezone);
    for (const auto& x : j.value("emails", json::array())) {
      domain::email e;
      get(x, "value", e.value), get(x, "type", e.type), get(x, "primary", e.primary);
      u.emails.push_back(e);
    }
    for (const auto& x : j.value("addresses", json::array())) {
      domain::address a;
      get(x, "street_address", a.street_address), get(x, "locality", a.locality);
      get(x, "region", a.region), get(x, "postal_code", a.postal_code), get(x, "country", a.country);
      get(x, "formatted", a.formatted), get(x, "type", a.type), get(x, "primary", a.primary);
      u.addresses.push_back(a);
    }
    for (const auto& x : j.value("phone_numbers", json::array())) {
      domain::phone_number p;
      get(x, "value", p.value), get(x, "type", p.type), get(x, "primary", p.primary);
      u.phone_numbers.push_back(p);
    }
    if (auto e = j.find("enterprise"); e != j.end()) {
      domain::enterprise x;
      get(*e, "employee_number", x.employee_number), get(*e, "cost_center", x.cost_center);
      get(*e, "organization", x.organization), get(*e, "division", x.division);
      get(*e, "department", x.department), get(*e, "manager", x.manager);
      u.enterprise_ext = x;
    }
    return u;
  });
}

// The SAX reader for the shape encode_user writes; the DOM decoder for anything else (and for
// every error), so both give the same value for every text (codec_reader.hpp).
result<domain::user> decode_user(std::string_view doc) {
  if (auto u = detail::read_user_fast(doc)) return std::move(*u);
  return detail::decode_user_dom(doc);
}

std::string encode_group(const domain::group& g) {
  json j = {{"id", g.id}, {"display_name", g.display_name}, {"version", g.version},
            {"external_ids", external_ids_json(g.external_ids)}, {"stamp", stamp_json(g.stamp)}};
  put(j, "description", g.description);
  return j.dump();
}

result<domain::group> detail::decode_group_dom(std::string_view doc) {
  return guarded<domain::group>(doc, "group", [](const json& j) -> result<domain::group> {
    domain::group g;
    g.id = j.at("id").get<std::string>();
    g.display_name = j.at("display_name").get<std::string>();
    g.version = int_value(j, "version", 1);
    g.external_ids = external_ids_from(j.value("external_ids", json::array()));
    auto stamp = stamp_from(j.value("stamp", json::object()));
    if (!stamp) return std::unexpected(stamp.error());
    g.stamp = *stamp;
    get(j, "description", g.description);
    return g;
  });
}

result<domain::group> decode_group(std::string_view doc) {
  if (auto g = detail::read_group_fast(doc)) return std::move(*g);
  return detail::decode_group_dom(doc);
}

std::string encode_membership(const domain::membership& m) {
  return json{{"id", m.id}, {"group_id", m.group_id}, {"member_id", m.member_id},
              {"kind", m.kind == domain::member_kind::group ? "group" : "user"},
              {"stamp", stamp_json(m.stamp)}}
      .dump();
}

result<domain::membership> decode_membership(std::string_view doc) {
  return guarded<domain::membership>(doc, "membership", [](const json& j) -> result<domain::membership> {
    domain::membership m;
    m.id = j.at("id").get<std::string>();
    m.group_id = j.at("group_id").get<std::string>();
    m.member_id = j.at("member_id").get<std::string>();
    auto kind = j.value("kind", "user");
    if (kind != "user" && kind != "group") return fail(errc::internal, "unknown member kind");
    m.kind = kind == "group" ? domain::member_kind::group : domain::member_kind::user;
    auto stamp = stamp_from(j.value("stamp", json::object()));
    if (!stamp) return std::unexpected(stamp.error());
    m.stamp = *stamp;
    return m;
  });
}

}  // namespace atrium::store
