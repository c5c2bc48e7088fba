#include "proto/scim/schemas.hpp"

#include "base/strings.hpp"

namespace atrium::proto::scim {

using nlohmann::json;

namespace {

using def = attribute_def;
using type = def::type;
using mut = def::mutability;
using ret = def::returned;
using uniq = def::uniqueness;

// Common attributes (RFC 7643 §3.1). They are listed inside the core schemas, which §3.1
// allows "for backward compatibility", so that one table drives PATCH for every attribute.
def id_attribute() {
  return {.name = "id", .case_exact = true, .mut = mut::read_only, .ret = ret::always, .uniq = uniq::server,
          .description = "Unique identifier for the SCIM resource as defined by the service provider."};
}

def external_id_attribute() {
  return {.name = "externalId", .case_exact = true,
          .description = "A string that is an identifier for the resource as defined by the provisioning client."};
}

def meta_attribute() {
  auto ro = [](std::string_view name, type t, bool exact, std::string_view description) {
    return def{.name = name, .t = t, .case_exact = exact, .mut = mut::read_only, .description = description};
  };
  def location = ro("location", type::reference, true, "The URI of the resource being returned.");
  location.reference_types = {"uri"};
  return {.name = "meta", .t = type::complex, .mut = mut::read_only,
          .description = "A complex attribute containing resource metadata.",
          .sub_attributes = {
              ro("resourceType", type::string, true, "The name of the resource type of the resource."),
              ro("created", type::date_time, false, "The DateTime that the resource was added to the service provider."),
              ro("lastModified", type::date_time, false, "The most recent DateTime that the details of this resource were updated at the service provider."),
              location,
              ro("version", type::string, true, "The version of the resource being returned."),
          }};
}

def text(std::string_view name, std::string_view description) {
  return {.name = name, .description = description};
}

def primary_attribute(std::string_view what) {
  return {.name = "primary", .t = type::boolean,
          .description = what};
}

// emails, phoneNumbers: value, type, primary (RFC 7643 §4.1.2; "display" is not stored).
def value_type_primary(std::string_view name, std::string_view description, std::string_view value_description,
                       std::vector<std::string_view> types) {
  def type_attr = text("type", "A label indicating the attribute's function, e.g., 'work' or 'home'.");
  type_attr.canonical_values = std::move(types);
  return {.name = name, .t = type::complex, .multi_valued = true, .description = description,
          .sub_attributes = {text("value", value_description), type_attr,
                             primary_attribute("A Boolean value indicating the 'primary' or preferred attribute value for this attribute.")}};
}

def name_attribute() {
  return {.name = "name", .t = type::complex,
          .description = "The components of the user's real name.",
          .sub_attributes = {
              text("formatted", "The full name, including all middle names, titles, and suffixes as appropriate, formatted for display."),
              text("familyName", "The family name of the User, or last name in most Western languages."),
              text("givenName", "The given name of the User, or first name in most Western languages."),
              text("middleName", "The middle name(s) of the User."),
              text("honorificPrefix", "The honorific prefix(es) of the User, or title in most Western languages."),
              text("honorificSuffix", "The honorific suffix(es) of the User, or suffix in most Western languages."),
          }};
}

def addresses_attribute() {
  def type_attr = text("type", "A label indicating the attribute's function, e.g., 'work' or 'home'.");
  type_attr.canonical_values = {"work", "home", "other"};
  return {.name = "addresses", .t = type::complex, .multi_valued = true,
          .description = "A physical mailing address for this User.",
          .sub_attributes = {
              text("formatted", "The full mailing address, formatted for display or use with a mailing label."),
              text("streetAddress", "The full street address component, which may include house number, street name, P.O. box, and multi-line extended street address information."),
              text("locality", "The city or locality component."),
              text("region", "The state or region component."),
              text("postalCode", "The zip code or postal code component."),
              text("country", "The country name component."),
              type_attr,
              primary_attribute("A Boolean value indicating the 'primary' or preferred attribute value for this attribute."),
          }};
}

def groups_attribute() {
  auto ro = [](std::string_view name, std::string_view description) {
    return def{.name = name, .mut = mut::read_only, .description = description};
  };
  def value = ro("value", "The identifier of the User's group.");
  value.case_exact = true;
  def ref = ro("$ref", "The URI of the corresponding 'Group' resource to which the user belongs.");
  ref.t = type::reference;
  ref.case_exact = true;
  ref.reference_types = {"User", "Group"};
  def kind = ro("type", "A label indicating the attribute's function, e.g., 'direct' or 'indirect'.");
  kind.canonical_values = {"direct", "indirect"};
  return {.name = "groups", .t = type::complex, .multi_valued = true, .mut = mut::read_only,
          .description = "A list of groups to which the user belongs, either through direct membership, through nested groups, or dynamically calculated.",
          .sub_attributes = {value, ref, ro("display", "A human-readable name, primarily used for display purposes."), kind}};
}

std::vector<def> make_user_attributes() {
  def profile = text("profileUrl", "A fully qualified URL pointing to a page representing the User's online profile.");
  profile.t = type::reference;
  profile.reference_types = {"external"};
  return {
      id_attribute(),
      external_id_attribute(),
      {.name = "userName", .required = true, .uniq = uniq::server,
       .description = "Unique identifier for the User, typically used by the user to directly authenticate to the service provider."},
      name_attribute(),
      text("displayName", "The name of the User, suitable for display to end-users."),
      text("nickName", "The casual way to address the user in real life."),
      profile,
      text("title", "The user's title, such as \"Vice President\"."),
      text("userType", "Used to identify the relationship between the organization and the user."),
      text("preferredLanguage", "Indicates the User's preferred written or spoken language."),
      text("locale", "Used to indicate the User's default location for purposes of localizing items such as currency, date time format, or numerical representations."),
      text("timezone", "The User's time zone in the 'Olson' time zone database format, e.g., 'America/Los_Angeles'."),
      {.name = "active", .t = type::boolean, .description = "A Boolean value indicating the User's administrative status."},
      value_type_primary("emails", "Email addresses for the user.", "Email addresses for the user.", {"work", "home", "other"}),
      value_type_primary("phoneNumbers", "Phone numbers for the User.", "Phone number of the User.",
                         {"work", "home", "mobile", "fax", "pager", "other"}),
      addresses_attribute(),
      groups_attribute(),
      meta_attribute(),
  };
}

def members_attribute() {
  // Members are added and removed as a whole; an existing member's fields never change.
  auto im = [](std::string_view name, type t, std::string_view description) {
    return def{.name = name, .t = t, .case_exact = true, .mut = mut::immutable, .description = description};
  };
  def ref = im("$ref", type::reference, "The URI corresponding to a SCIM resource that is a member of this Group.");
  ref.reference_types = {"User", "Group"};
  def kind = im("type", type::string, "A label indicating the type of resource, e.g., 'User' or 'Group'.");
  kind.case_exact = false;
  kind.canonical_values = {"User", "Group"};
  return {.name = "members", .t = type::complex, .multi_valued = true, .description = "A list of members of the Group.",
          .sub_attributes = {im("value", type::string, "Identifier of the member of this Group."), ref, kind}};
}

std::vector<def> make_group_attributes() {
  return {
      id_attribute(),
      external_id_attribute(),
      // RFC 7643 §4.2 has uniqueness "none"; Atrium, like the identity store, refuses two groups
      // with the same display name, so the document says "server".
      {.name = "displayName", .required = true, .uniq = uniq::server,
       .description = "A human-readable name for the Group."},
      members_attribute(),
      meta_attribute(),
  };
}

std::vector<def> make_enterprise_attributes() {
  def value = text("value", "The id of the SCIM resource representing the User's manager.");
  value.case_exact = true;
  def ref = text("$ref", "The URI of the SCIM resource representing the User's manager.");
  ref.t = type::reference;
  ref.case_exact = true;
  ref.reference_types = {"User"};
  def display = text("displayName", "The displayName of the User's manager.");
  display.mut = mut::read_only;
  return {
      text("employeeNumber", "Numeric or alphanumeric identifier assigned to a person, typically based on order of hire or association with an organization."),
      text("costCenter", "Identifies the name of a cost center."),
      text("organization", "Identifies the name of an organization."),
      text("division", "Identifies the name of a division."),
      text("department", "Identifies the name of a department."),
      {.name = "manager", .t = type::complex,
       .description = "The User's manager. A complex type that optionally allows service providers to represent organizational hierarchy by referencing the 'id' attribute of another User.",
       .sub_attributes = {value, ref, display}},
  };
}

const def* find_in(const std::vector<def>& attrs, std::string_view name) {
  for (const auto& a : attrs)
    if (iequals_ascii(a.name, name)) return &a;
  return nullptr;
}

const char* to_string(type t) {
  switch (t) {
    case type::string: return "string";
    case type::boolean: return "boolean";
    case type::decimal: return "decimal";
    case type::integer: return "integer";
    case type::date_time: return "dateTime";
    case type::reference: return "reference";
    case type::complex: return "complex";
  }
  return "string";
}

const char* to_string(mut m) {
  switch (m) {
    case mut::read_only: return "readOnly";
    case mut::read_write: return "readWrite";
    case mut::immutable: return "immutable";
    case mut::write_only: return "writeOnly";
  }
  return "readWrite";
}

const char* to_string(ret r) {
  switch (r) {
    case ret::always: return "always";
    case ret::never: return "never";
    case ret::default_: return "default";
    case ret::request: return "request";
  }
  return "default";
}

const char* to_string(uniq u) {
  switch (u) {
    case uniq::none: return "none";
    case uniq::server: return "server";
    case uniq::global: return "global";
  }
  return "none";
}

json strings_json(const std::vector<std::string_view>& v) {
  json out = json::array();
  for (auto s : v) out.push_back(std::string(s));
  return out;
}

// One attribute in the RFC 7643 §7 form, as in the §8.7.1 examples: caseExact only for the types
// it applies to (string and reference), no uniqueness for booleans, subAttributes for complex.
json attribute_json(const def& a) {
  json j = {{"name", std::string(a.name)},
            {"type", to_string(a.t)},
            {"multiValued", a.multi_valued},
            {"description", std::string(a.description)},
            {"required", a.required}};
  if (a.t == type::string || a.t == type::reference) j["caseExact"] = a.case_exact;
  if (!a.canonical_values.empty()) j["canonicalValues"] = strings_json(a.canonical_values);
  if (!a.reference_types.empty()) j["referenceTypes"] = strings_json(a.reference_types);
  if (a.t == type::complex) {
    json subs = json::array();
    for (const auto& s : a.sub_attributes) subs.push_back(attribute_json(s));
    j["subAttributes"] = std::move(subs);
  }
  j["mutability"] = to_string(a.mut);
  j["returned"] = to_string(a.ret);
  if (a.t != type::boolean) j["uniqueness"] = to_string(a.uniq);
  return j;
}

json list_response(json resources) {
  auto n = resources.size();
  return {{"schemas", json::array({std::string(list_response_urn)})},
          {"totalResults", n},
          {"itemsPerPage", n},
          {"startIndex", 1},
          {"Resources", std::move(resources)}};
}

struct schema_info {
  std::string_view urn, name, description;
};
constexpr schema_info known_schemas[] = {
    {user_schema_urn, "User", "User Account"},
    {group_schema_urn, "Group", "Group"},
    {enterprise_user_urn, "EnterpriseUser", "Enterprise User"},
};

}  // namespace

const std::vector<attribute_def>& schema_attributes(std::string_view urn) {
  static const std::vector<def> user = make_user_attributes();
  static const std::vector<def> group = make_group_attributes();
  static const std::vector<def> enterprise = make_enterprise_attributes();
  static const std::vector<def> none;
  if (iequals_ascii(urn, user_schema_urn)) return user;
  if (iequals_ascii(urn, group_schema_urn)) return group;
  if (iequals_ascii(urn, enterprise_user_urn)) return enterprise;
  return none;
}

const attribute_def* find_attribute(resource_kind kind, std::string_view urn, std::string_view name) {
  auto core = kind == resource_kind::user ? user_schema_urn : group_schema_urn;
  if (urn.empty() || iequals_ascii(urn, core)) {
    if (const def* a = find_in(schema_attributes(core), name)) return a;
    if (!urn.empty() || kind != resource_kind::user) return nullptr;
    return find_in(schema_attributes(enterprise_user_urn), name);
  }
  if (kind == resource_kind::user && iequals_ascii(urn, enterprise_user_urn))
    return find_in(schema_attributes(enterprise_user_urn), name);
  return nullptr;
}

const attribute_def* find_sub_attribute(const attribute_def& parent, std::string_view name) {
  return find_in(parent.sub_attributes, name);
}

nlohmann::json schema_json(std::string_view urn, std::string_view base_url) {
  for (const auto& s : known_schemas) {
    if (!iequals_ascii(urn, s.urn)) continue;
    json attrs = json::array();
    for (const auto& a : schema_attributes(s.urn)) attrs.push_back(attribute_json(a));
    return {{"schemas", json::array({std::string(schema_urn)})},
            {"id", std::string(s.urn)},
            {"name", std::string(s.name)},
            {"description", std::string(s.description)},
            {"attributes", std::move(attrs)},
            {"meta", {{"resourceType", "Schema"},
                      {"location", std::string(base_url) + "/Schemas/" + std::string(s.urn)}}}};
  }
  return nullptr;
}

nlohmann::json schemas_list_json(std::string_view base_url) {
  json all = json::array();
  for (const auto& s : known_schemas) all.push_back(schema_json(s.urn, base_url));
  return list_response(std::move(all));
}

nlohmann::json resource_type_json(resource_kind kind, std::string_view base_url) {
  bool user = kind == resource_kind::user;
  std::string name = user ? "User" : "Group";
  json j = {{"schemas", json::array({std::string(resource_type_urn)})},
            {"id", name},
            {"name", name},
            {"endpoint", user ? "/Users" : "/Groups"},
            {"description", user ? "User Account" : "Group"},
            {"schema", std::string(user ? user_schema_urn : group_schema_urn)}};
  if (user)
    j["schemaExtensions"] = json::array({{{"schema", std::string(enterprise_user_urn)}, {"required", false}}});
  j["meta"] = {{"resourceType", "ResourceType"},
               {"location", std::string(base_url) + "/ResourceTypes/" + name}};
  return j;
}

nlohmann::json resource_types_list_json(std::string_view base_url) {
  return list_response(json::array({resource_type_json(resource_kind::user, base_url),
                                    resource_type_json(resource_kind::group, base_url)}));
}

nlohmann::json service_provider_config_json(std::string_view base_url, const provider_limits& lim) {
  json j = {{"schemas", json::array({std::string(service_provider_config_urn)})}};
  if (!lim.documentation_uri.empty()) j["documentationUri"] = lim.documentation_uri;
  j["patch"] = {{"supported", true}};
  // Bulk (RFC 7644 §3.7) is not supported, so it accepts no operations and no payload.
  j["bulk"] = {{"supported", false}, {"maxOperations", lim.max_operations}, {"maxPayloadSize", 0}};
  j["filter"] = {{"supported", true}, {"maxResults", lim.max_results}};
  j["changePassword"] = {{"supported", false}};
  j["sort"] = {{"supported", false}};
  j["etag"] = {{"supported", true}};
  j["authenticationSchemes"] = json::array(
      {{{"type", "oauthbearertoken"},
        {"name", "OAuth Bearer Token"},
        {"description", "Authentication scheme using the OAuth Bearer Token Standard (RFC 6750)."},
        {"specUri", "https://www.rfc-editor.org/info/rfc6750"},
        {"primary", true}}});
  j["meta"] = {{"resourceType", "ServiceProviderConfig"},
               {"location", std::string(base_url) + "/ServiceProviderConfig"}};
  return j;
}

}  // namespace atrium::proto::scim
