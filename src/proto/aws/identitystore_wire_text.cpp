#include "proto/aws/identitystore_wire_text.hpp"

#include "base/clock.hpp"
#include "base/json_string.hpp"
#include "proto/kit/attribute_json.hpp"

namespace atrium::proto::aws {

namespace {

// One JSON object being written; members must be added in name order (bytewise, as std::map
// orders the library's object members).
class wire_object {
 public:
  explicit wire_object(std::string& out) : out_(out) { out_ += '{'; }
  wire_object(const wire_object&) = delete;
  wire_object& operator=(const wire_object&) = delete;
  ~wire_object() { out_ += '}'; }

  std::string& key(std::string_view k) {
    if (!first_) out_ += ',';
    first_ = false;
    out_ += '"';
    out_ += k;
    out_ += "\":";
    return out_;
  }
  void str(std::string_view k, std::string_view v) { append_json_string(key(k), v); }
  void opt(std::string_view k, const std::optional<std::string>& v) {
    if (v) str(k, *v);
  }
  void opt(std::string_view k, const std::optional<bool>& v) {
    if (v) key(k) += *v ? "true" : "false";
  }
  void time(std::string_view k, sys_time t) { append_json_number(key(k), epoch_seconds(t)); }

 private:
  std::string& out_;
  bool first_ = true;
};

// CreatedAt, CreatedBy then (after the caller's members between them) UpdatedAt, UpdatedBy.
void put_created(wire_object& o, const domain::audit_stamp& s) {
  o.time("CreatedAt", s.created_at);
  o.str("CreatedBy", s.created_by);
}
void put_updated(wire_object& o, const domain::audit_stamp& s) {
  o.time("UpdatedAt", s.updated_at);
  o.str("UpdatedBy", s.updated_by);
}

// "key":[{...},...] with each item's members written by put(wire_object&, item); nothing when empty
// (the service leaves empty lists out).
template <class T, class Put>
void put_array(wire_object& o, std::string_view k, const std::vector<T>& items, Put put) {
  if (items.empty()) return;
  std::string& out = o.key(k);
  out += '[';
  for (size_t i = 0; i < items.size(); ++i) {
    if (i) out += ',';
    wire_object x(out);
    put(x, items[i]);
  }
  out += ']';
}

void put_external_ids(wire_object& o, const std::vector<domain::external_id>& ids) {
  put_array(o, "ExternalIds", ids, [](wire_object& x, const domain::external_id& e) {
    x.str("Id", e.id);
    x.str("Issuer", e.issuer);
  });
}

// Emails and PhoneNumbers items: {Primary, Type, Value}.
template <class T>
void put_valued_list(wire_object& o, std::string_view k, const std::vector<T>& items) {
  put_array(o, k, items, [](wire_object& x, const T& v) {
    x.opt("Primary", v.primary);
    x.opt("Type", v.type);
    x.opt("Value", v.value);
  });
}

void put_addresses(wire_object& o, const std::vector<domain::address>& items) {
  put_array(o, "Addresses", items, [](wire_object& x, const domain::address& a) {
    x.opt("Country", a.country), x.opt("Formatted", a.formatted), x.opt("Locality", a.locality);
    x.opt("PostalCode", a.postal_code), x.opt("Primary", a.primary), x.opt("Region", a.region);
    x.opt("StreetAddress", a.street_address), x.opt("Type", a.type);
  });
}

void put_name(wire_object& o, const std::optional<domain::name>& n) {
  if (!n) return;
  wire_object x(o.key("Name"));
  x.opt("FamilyName", n->family_name), x.opt("Formatted", n->formatted), x.opt("GivenName", n->given_name);
  x.opt("HonorificPrefix", n->honorific_prefix), x.opt("HonorificSuffix", n->honorific_suffix);
  x.opt("MiddleName", n->middle_name);
}

void put_enterprise(wire_object& o, const domain::enterprise& e) {
  wire_object ext(o.key("Extensions"));
  wire_object x(ext.key(proto::enterprise_extension));
  x.opt("costCenter", e.cost_center), x.opt("department", e.department), x.opt("division", e.division);
  x.opt("employeeNumber", e.employee_number);
  if (e.manager) {
    wire_object m(x.key("manager"));
    m.str("value", *e.manager);
  }
  x.opt("organization", e.organization);
}

}  // namespace

void append_user_text(std::string& out, const domain::user& u, const std::string& store_id, bool with_enterprise) {
  wire_object j(out);
  put_addresses(j, u.addresses);
  put_created(j, u.stamp);
  j.opt("DisplayName", u.display_name);
  put_valued_list(j, "Emails", u.emails);
  if (with_enterprise && u.enterprise_ext && !u.enterprise_ext->empty()) put_enterprise(j, *u.enterprise_ext);
  put_external_ids(j, u.external_ids);
  j.str("IdentityStoreId", store_id);
  j.opt("Locale", u.locale);
  put_name(j, u.user_name_parts);
  j.opt("NickName", u.nick_name);
  put_valued_list(j, "PhoneNumbers", u.phone_numbers);
  j.opt("PreferredLanguage", u.preferred_language);
  j.opt("ProfileUrl", u.profile_url);
  j.opt("Timezone", u.timezone);
  j.opt("Title", u.title);
  put_updated(j, u.stamp);
  j.str("UserId", u.id);
  j.str("UserName", u.user_name);
  j.str("UserStatus", u.active ? "ENABLED" : "DISABLED");
  j.opt("UserType", u.user_type);
}

std::string user_text(const domain::user& u, const std::string& store_id, bool with_enterprise) {
  std::string out;
  out.reserve(512);
  append_user_text(out, u, store_id, with_enterprise);
  return out;
}

std::string group_text(const domain::group& g, const std::string& store_id) {
  std::string out;
  out.reserve(320);
  {
    wire_object j(out);
    put_created(j, g.stamp);
    j.opt("Description", g.description);
    j.str("DisplayName", g.display_name);
    put_external_ids(j, g.external_ids);
    j.str("GroupId", g.id);
    j.str("IdentityStoreId", store_id);
    put_updated(j, g.stamp);
  }
  return out;
}

std::string membership_text(const domain::membership& m, const std::string& store_id) {
  std::string out;
  out.reserve(320);
  {
    wire_object j(out);
    put_created(j, m.stamp);
    j.str("GroupId", m.group_id);
    j.str("IdentityStoreId", store_id);
    {
      wire_object member(j.key("MemberId"));
      member.str("UserId", m.member_id);
    }
    j.str("MembershipId", m.id);
    put_updated(j, m.stamp);
  }
  return out;
}

std::string users_page_text(const std::vector<domain::user>& users, const std::optional<std::string>& next_token,
                            const std::string& store_id, bool with_enterprise) {
  std::string out;
  out.reserve(64 + users.size() * 512);
  {
    wire_object j(out);
    j.opt("NextToken", next_token);
    std::string& list = j.key("Users");
    list += '[';
    for (size_t i = 0; i < users.size(); ++i) {
      if (i) list += ',';
      append_user_text(list, users[i], store_id, with_enterprise);
    }
    list += ']';
  }
  return out;
}

}  // namespace atrium::proto::aws
