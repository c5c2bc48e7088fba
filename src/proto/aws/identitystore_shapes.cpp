#include "proto/aws/identitystore_shapes.hpp"

#include <algorithm>

#include "base/strings.hpp"
#include "domain/ids.hpp"
#include "proto/kit/attribute_json.hpp"

namespace atrium::proto::aws {

using nlohmann::json;

namespace {

void put(json& j, const char* key, const std::optional<std::string>& v) {
  if (v) j[key] = *v;
}
void put(json& j, const char* key, const std::optional<bool>& v) {
  if (v) j[key] = *v;
}

json external_ids_json(const std::vector<domain::external_id>& ids) {
  json a = json::array();
  for (const auto& x : ids) a.push_back({{"Issuer", x.issuer}, {"Id", x.id}});
  return a;
}

json name_json(const domain::name& n) {
  json j = json::object();
  put(j, "Formatted", n.formatted), put(j, "FamilyName", n.family_name);
  put(j, "GivenName", n.given_name), put(j, "MiddleName", n.middle_name);
  put(j, "HonorificPrefix", n.honorific_prefix), put(j, "HonorificSuffix", n.honorific_suffix);
  return j;
}

json enterprise_json(const domain::enterprise& e) {
  json j = json::object();
  put(j, "employeeNumber", e.employee_number), put(j, "costCenter", e.cost_center);
  put(j, "organization", e.organization), put(j, "division", e.division);
  put(j, "department", e.department);
  if (e.manager) j["manager"] = {{"value", *e.manager}};
  return j;
}

void put_stamp(json& j, const domain::audit_stamp& s) {
  j["CreatedAt"] = epoch_seconds(s.created_at);
  j["CreatedBy"] = s.created_by;
  j["UpdatedAt"] = epoch_seconds(s.updated_at);
  j["UpdatedBy"] = s.updated_by;
}

result<void> bad(std::string msg) { return fail(errc::validation, std::move(msg)); }

}  // namespace

json user_to_json(const domain::user& u, const std::string& store_id, bool with_enterprise) {
  json j = {{"IdentityStoreId", store_id}, {"UserId", u.id}, {"UserName", u.user_name}};
  if (!u.external_ids.empty()) j["ExternalIds"] = external_ids_json(u.external_ids);
  if (u.user_name_parts) j["Name"] = name_json(*u.user_name_parts);
  put(j, "DisplayName", u.display_name), put(j, "NickName", u.nick_name);
  put(j, "ProfileUrl", u.profile_url);
  if (!u.emails.empty()) {
    json a = json::array();
    for (const auto& e : u.emails) {
      json x = json::object();
      put(x, "Value", e.value), put(x, "Type", e.type), put(x, "Primary", e.primary);
      a.push_back(x);
    }
    j["Emails"] = a;
  }
  if (!u.addresses.empty()) {
    json a = json::array();
    for (const auto& ad : u.addresses) {
      json x = json::object();
      put(x, "StreetAddress", ad.street_address), put(x, "Locality", ad.locality);
      put(x, "Region", ad.region), put(x, "PostalCode", ad.postal_code);
      put(x, "Country", ad.country), put(x, "Formatted", ad.formatted);
      put(x, "Type", ad.type), put(x, "Primary", ad.primary);
      a.push_back(x);
    }
    j["Addresses"] = a;
  }
  if (!u.phone_numbers.empty()) {
    json a = json::array();
    for (const auto& p : u.phone_numbers) {
      json x = json::object();
      put(x, "Value", p.value), put(x, "Type", p.type), put(x, "Primary", p.primary);
      a.push_back(x);
    }
    j["PhoneNumbers"] = a;
  }
  put(j, "UserType", u.user_type), put(j, "Title", u.title);
  put(j, "PreferredLanguage", u.preferred_language), put(j, "Locale", u.locale);
  put(j, "Timezone", u.timezone);
  j["UserStatus"] = u.active ? "ENABLED" : "DISABLED";
  put_stamp(j, u.stamp);
  if (with_enterprise && u.enterprise_ext && !u.enterprise_ext->empty())
    j["Extensions"] = {{std::string(proto::enterprise_extension), enterprise_json(*u.enterprise_ext)}};
  return j;
}

json group_to_json(const domain::group& g, const std::string& store_id) {
  json j = {{"IdentityStoreId", store_id}, {"GroupId", g.id}, {"DisplayName", g.display_name}};
  if (!g.external_ids.empty()) j["ExternalIds"] = external_ids_json(g.external_ids);
  put(j, "Description", g.description);
  put_stamp(j, g.stamp);
  return j;
}

json membership_to_json(const domain::membership& m, const std::string& store_id) {
  json j = {{"IdentityStoreId", store_id},
            {"MembershipId", m.id},
            {"GroupId", m.group_id},
            {"MemberId", {{"UserId", m.member_id}}}};
  put_stamp(j, m.stamp);
  return j;
}

result<void> only_members(const json& req, std::initializer_list<const char*> allowed) {
  if (!req.is_object()) return bad("The request must be a JSON object.");
  for (auto it = req.begin(); it != req.end(); ++it) {
    bool ok = false;
    for (const char* a : allowed) ok = ok || it.key() == a;
    if (!ok) return bad("Unknown parameter '" + it.key() + "'.");
  }
  return {};
}

result<std::optional<std::string>> optional_string(const json& req, const char* key) {
  return proto::read_string(req, key, key);
}

result<std::string> required_string(const json& req, const char* key) {
  auto v = optional_string(req, key);
  if (!v) return std::unexpected(v.error());
  if (!*v) return fail(errc::validation, std::string(key) + " is required.");
  return std::move(**v);
}

result<std::string> required_resource_id(const json& req, const char* key) {
  auto v = required_string(req, key);
  if (!v) return v;
  if (!domain::is_resource_id(*v))
    return fail(errc::validation, std::string(key) + " '" + v->substr(0, 64) + "' is not a valid identifier.");
  return v;
}

result<std::string> member_user_id(const json& req) {
  auto it = req.find("MemberId");
  if (it == req.end() || !it->is_object()) return fail(errc::validation, "MemberId is required.");
  if (auto r = only_members(*it, {"UserId"}); !r) return std::unexpected(r.error());
  return required_resource_id(*it, "UserId");
}

result<int> max_results(const json& req) {
  auto it = req.find("MaxResults");
  if (it == req.end() || it->is_null()) return 100;
  if (!it->is_number_integer()) return fail(errc::validation, "MaxResults must be an integer.");
  auto n = it->get<int64_t>();
  if (n < 1 || n > 100) return fail(errc::validation, "MaxResults must be between 1 and 100.");
  return static_cast<int>(n);
}

result<std::optional<std::string>> next_token(const json& req) {
  auto v = optional_string(req, "NextToken");
  if (v && *v && (**v).empty()) return fail(errc::validation, "NextToken must not be empty.");
  return v;
}

result<bool> wants_enterprise(const json& req) {
  auto it = req.find("Extensions");
  if (it == req.end() || it->is_null()) return false;
  if (!it->is_array() || it->empty() || it->size() > 10)
    return fail(errc::validation, "Extensions must be a list of 1-10 extension names.");
  for (const auto& name : *it)
    if (!name.is_string() || name.get<std::string>() != proto::enterprise_extension)
      return fail(errc::validation, "Extensions: only aws:identitystore:enterprise is supported.");
  return true;
}

result<std::vector<attribute_operation>> attribute_operations(const json& req) {
  auto it = req.find("Operations");
  if (it == req.end() || !it->is_array() || it->empty() || it->size() > 100)
    return fail(errc::validation, "Operations must be a list of 1-100 AttributeOperation objects.");
  std::vector<attribute_operation> ops;
  for (const auto& op : *it) {
    if (!op.is_object()) return fail(errc::validation, "Each operation must be an object.");
    if (auto r = only_members(op, {"AttributePath", "AttributeValue"}); !r) return std::unexpected(r.error());
    auto path = required_string(op, "AttributePath");
    if (!path) return std::unexpected(path.error());
    if (path->size() > 255) return fail(errc::validation, "AttributePath is longer than 255 characters.");
    attribute_operation a{*path, std::nullopt};
    if (auto v = op.find("AttributeValue"); v != op.end() && !v->is_null()) a.value = *v;
    ops.push_back(std::move(a));
  }
  return ops;
}

service::user_edit user_edit_of(std::vector<attribute_operation> ops) {
  return [ops = std::move(ops)](domain::user& u) -> result<void> {
    for (const auto& op : ops)
      if (auto r = proto::apply_user_attribute(u, op.path, op.value ? &*op.value : nullptr); !r) return r;
    return {};
  };
}

service::group_attribute_edit group_edit_of(std::vector<attribute_operation> ops) {
  return [ops = std::move(ops)](domain::group& g) -> result<void> {
    for (const auto& op : ops)
      if (auto r = proto::apply_group_attribute(g, op.path, op.value ? &*op.value : nullptr); !r) return r;
    return {};
  };
}

result<service::alternate_identifier> alternate_identifier(const json& req) {
  auto it = req.find("AlternateIdentifier");
  if (it == req.end() || !it->is_object() || it->size() != 1)
    return fail(errc::validation,
                "AlternateIdentifier must hold exactly one of ExternalId or UniqueAttribute.");
  service::alternate_identifier alt;
  if (auto x = it->find("ExternalId"); x != it->end()) {
    auto ids = proto::external_ids_from_json(json::array({*x}));
    if (!ids) return std::unexpected(ids.error());
    alt.external_id = ids->front();
    return alt;
  }
  auto u = it->find("UniqueAttribute");
  if (u == it->end() || !u->is_object())
    return fail(errc::validation, "AlternateIdentifier must hold ExternalId or UniqueAttribute.");
  auto path = required_string(*u, "AttributePath");
  if (!path) return std::unexpected(path.error());
  auto v = u->find("AttributeValue");
  if (v == u->end()) return fail(errc::validation, "UniqueAttribute.AttributeValue is required.");
  alt.attribute_path = *path;
  if (v->is_string()) alt.attribute_value = v->get<std::string>();
  return alt;
}

result<domain::user> user_from_request(const json& req) {
  if (auto r = only_members(req, {"IdentityStoreId", "UserName", "Name", "DisplayName", "NickName",
                                  "ProfileUrl", "Emails", "Addresses", "PhoneNumbers", "UserType",
                                  "Title", "PreferredLanguage", "Locale", "Timezone", "Extensions"});
      !r)
    return std::unexpected(r.error());
  domain::user u;
  auto user_name = required_string(req, "UserName");
  if (!user_name) return std::unexpected(user_name.error());
  u.user_name = *user_name;
  if (auto n = req.find("Name"); n != req.end() && !n->is_null()) {
    auto name = proto::name_from_json(*n);
    if (!name) return std::unexpected(name.error());
    u.user_name_parts = *name;
  }
  for (auto [key, member] : {std::pair{"DisplayName", &domain::user::display_name},
                             {"NickName", &domain::user::nick_name},
                             {"ProfileUrl", &domain::user::profile_url},
                             {"UserType", &domain::user::user_type}, {"Title", &domain::user::title},
                             {"PreferredLanguage", &domain::user::preferred_language},
                             {"Locale", &domain::user::locale}, {"Timezone", &domain::user::timezone}}) {
    auto v = optional_string(req, key);
    if (!v) return std::unexpected(v.error());
    u.*member = *v;
  }
  const json null_value;
  auto list = [&](const char* key) -> const json& {
    auto it = req.find(key);
    return it == req.end() ? null_value : *it;
  };
  auto emails = proto::emails_from_json(list("Emails"));
  if (!emails) return std::unexpected(emails.error());
  u.emails = *emails;
  auto addresses = proto::addresses_from_json(list("Addresses"));
  if (!addresses) return std::unexpected(addresses.error());
  u.addresses = *addresses;
  auto phones = proto::phones_from_json(list("PhoneNumbers"));
  if (!phones) return std::unexpected(phones.error());
  u.phone_numbers = *phones;
  if (auto ext = req.find("Extensions"); ext != req.end() && !ext->is_null()) {
    if (!ext->is_object()) return fail(errc::validation, "Extensions must be a map.");
    for (auto it = ext->begin(); it != ext->end(); ++it) {
      if (it.key() != proto::enterprise_extension)
        return fail(errc::validation, "Extensions: only aws:identitystore:enterprise is supported.");
      auto e = proto::enterprise_from_json(it.value());
      if (!e) return std::unexpected(e.error());
      if (!e->empty()) u.enterprise_ext = *e;
    }
  }
  return u;
}

result<domain::group> group_from_request(const json& req) {
  if (auto r = only_members(req, {"IdentityStoreId", "DisplayName", "Description"}); !r)
    return std::unexpected(r.error());
  domain::group g;
  auto name = required_string(req, "DisplayName");
  if (!name) return std::unexpected(name.error());
  g.display_name = *name;
  auto d = optional_string(req, "Description");
  if (!d) return std::unexpected(d.error());
  g.description = *d;
  return g;
}

json audit_parameters(const json& req, std::span<const std::string_view> kept) {
  json out = json::object();
  if (!req.is_object()) return out;
  for (auto it = req.begin(); it != req.end(); ++it) {
    bool keep = std::ranges::find(kept, it.key()) != kept.end();
    out[it.key()] = keep ? it.value() : json("HIDDEN_DUE_TO_SECURITY_REASONS");
  }
  return out;
}

}  // namespace atrium::proto::aws
