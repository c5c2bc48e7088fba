// The attribute tables (RFC 7643 §4, §8.7.1, pruned to what Atrium stores) and the discovery
// documents rendered from them (RFC 7643 §5, §6, §7; RFC 7644 §4).
#include "proto/scim/schemas.hpp"

#include <gtest/gtest.h>

#include "enterprise_urn.hpp"

#include <algorithm>

namespace atrium::proto::scim {
namespace {

using nlohmann::json;
using def = attribute_def;

const std::string base = "https://idp.example:8443/scim/v2";
using scim_tests::ext;

const def& user_attr(std::string_view name) {
  const def* a = find_attribute(resource_kind::user, "", name);
  EXPECT_TRUE(a) << name;
  static const def none{.name = "none", .description = ""};
  return a ? *a : none;
}

const json* find_named(const json& list, std::string_view name) {
  for (const auto& a : list)
    if (a.value("name", "") == name) return &a;
  return nullptr;
}

TEST(scim_schemas, user_core_attributes) {
  std::vector<std::string> names;
  for (const auto& a : schema_attributes("urn:ietf:params:scim:schemas:core:2.0:User")) names.emplace_back(a.name);
  EXPECT_EQ(names, (std::vector<std::string>{"id", "externalId", "userName", "name", "displayName", "nickName",
                                             "profileUrl", "title", "userType", "preferredLanguage", "locale",
                                             "timezone", "active", "emails", "phoneNumbers", "addresses", "groups",
                                             "meta"}));
  for (const char* absent : {"password", "ims", "photos", "entitlements", "roles", "x509Certificates"})
    EXPECT_EQ(find_attribute(resource_kind::user, "", absent), nullptr) << absent;
}

TEST(scim_schemas, characteristics_follow_rfc_7643) {
  const def& id = user_attr("id");
  EXPECT_EQ(id.mut, def::mutability::read_only);
  EXPECT_TRUE(id.case_exact);
  EXPECT_EQ(id.ret, def::returned::always);
  const def& user_name = user_attr("USERNAME");
  EXPECT_EQ(user_name.name, "userName");
  EXPECT_TRUE(user_name.required);
  EXPECT_FALSE(user_name.case_exact);
  EXPECT_EQ(user_name.uniq, def::uniqueness::server);
  EXPECT_TRUE(user_attr("externalId").case_exact);
  EXPECT_EQ(user_attr("active").t, def::type::boolean);
  EXPECT_EQ(user_attr("profileUrl").t, def::type::reference);
  EXPECT_EQ(user_attr("meta").mut, def::mutability::read_only);
  EXPECT_EQ(user_attr("groups").mut, def::mutability::read_only);
  EXPECT_TRUE(user_attr("emails").multi_valued);
  EXPECT_FALSE(user_attr("name").multi_valued);

  const def* given = find_sub_attribute(user_attr("name"), "GIVENNAME");
  ASSERT_TRUE(given);
  EXPECT_EQ(given->name, "givenName");
  const def* primary = find_sub_attribute(user_attr("emails"), "primary");
  ASSERT_TRUE(primary);
  EXPECT_EQ(primary->t, def::type::boolean);
  EXPECT_EQ(find_sub_attribute(user_attr("emails"), "display"), nullptr);
  const def* address_type = find_sub_attribute(user_attr("addresses"), "type");
  ASSERT_TRUE(address_type);
  EXPECT_EQ(address_type->canonical_values, (std::vector<std::string_view>{"work", "home", "other"}));
}

TEST(scim_schemas, group_attributes) {
  const def* display = find_attribute(resource_kind::group, "", "displayname");
  ASSERT_TRUE(display);
  EXPECT_TRUE(display->required);
  const def* members = find_attribute(resource_kind::group, "urn:ietf:params:scim:schemas:core:2.0:Group", "members");
  ASSERT_TRUE(members);
  EXPECT_TRUE(members->multi_valued);
  std::vector<std::string> subs;
  for (const auto& s : members->sub_attributes) subs.emplace_back(s.name);
  EXPECT_EQ(subs, (std::vector<std::string>{"value", "$ref", "type"}));
  const def* value = find_sub_attribute(*members, "value");
  ASSERT_TRUE(value);
  EXPECT_EQ(value->mut, def::mutability::immutable);
  EXPECT_TRUE(value->case_exact);
  EXPECT_EQ(find_sub_attribute(*members, "display"), nullptr);
  EXPECT_EQ(find_attribute(resource_kind::group, "", "userName"), nullptr);
  EXPECT_EQ(find_attribute(resource_kind::group, ext, "department"), nullptr);
}

TEST(scim_schemas, enterprise_extension_lookup) {
  const def* dept = find_attribute(resource_kind::user, "", "department");
  ASSERT_TRUE(dept);
  EXPECT_EQ(dept, find_attribute(resource_kind::user, ext, "Department"));
  // The core URN names only core attributes.
  EXPECT_EQ(find_attribute(resource_kind::user, "urn:ietf:params:scim:schemas:core:2.0:User", "department"), nullptr);
  EXPECT_EQ(find_attribute(resource_kind::user, "urn:example:other", "department"), nullptr);
  const def* manager = find_attribute(resource_kind::user, ext, "manager");
  ASSERT_TRUE(manager);
  EXPECT_EQ(manager->t, def::type::complex);
  const def* manager_display = find_sub_attribute(*manager, "displayName");
  ASSERT_TRUE(manager_display);
  EXPECT_EQ(manager_display->mut, def::mutability::read_only);
  std::vector<std::string> names;
  for (const auto& a : schema_attributes(ext)) names.emplace_back(a.name);
  EXPECT_EQ(names, (std::vector<std::string>{"employeeNumber", "costCenter", "organization", "division",
                                             "department", "manager"}));
  EXPECT_TRUE(schema_attributes("urn:example:nothing").empty());
}

TEST(scim_schemas, user_schema_document) {
  json s = schema_json("urn:ietf:params:scim:schemas:core:2.0:User", base);
  EXPECT_EQ(s["id"], "urn:ietf:params:scim:schemas:core:2.0:User");
  EXPECT_EQ(s["name"], "User");
  EXPECT_EQ(s["schemas"], json::array({"urn:ietf:params:scim:schemas:core:2.0:Schema"}));
  EXPECT_EQ(s["meta"], json({{"resourceType", "Schema"},
                             {"location", base + "/Schemas/urn:ietf:params:scim:schemas:core:2.0:User"}}));
  ASSERT_EQ(s["attributes"].size(), schema_attributes("urn:ietf:params:scim:schemas:core:2.0:User").size());

  const json* user_name = find_named(s["attributes"], "userName");
  ASSERT_TRUE(user_name);
  EXPECT_EQ(*user_name, json({{"name", "userName"},
                              {"type", "string"},
                              {"multiValued", false},
                              {"description", user_attr("userName").description},
                              {"required", true},
                              {"caseExact", false},
                              {"mutability", "readWrite"},
                              {"returned", "default"},
                              {"uniqueness", "server"}}));

  const json* emails = find_named(s["attributes"], "emails");
  ASSERT_TRUE(emails);
  EXPECT_EQ((*emails)["type"], "complex");
  EXPECT_EQ((*emails)["multiValued"], true);
  EXPECT_FALSE(emails->contains("caseExact"));
  EXPECT_EQ((*emails)["uniqueness"], "none");
  const json* type = find_named((*emails)["subAttributes"], "type");
  ASSERT_TRUE(type);
  EXPECT_EQ((*type)["canonicalValues"], json::array({"work", "home", "other"}));
  const json* primary = find_named((*emails)["subAttributes"], "primary");
  ASSERT_TRUE(primary);
  EXPECT_EQ((*primary)["type"], "boolean");
  EXPECT_FALSE(primary->contains("uniqueness"));

  const json* id = find_named(s["attributes"], "id");
  ASSERT_TRUE(id);
  EXPECT_EQ((*id)["mutability"], "readOnly");
  EXPECT_EQ((*id)["returned"], "always");
  EXPECT_EQ((*id)["caseExact"], true);
  const json* profile = find_named(s["attributes"], "profileUrl");
  ASSERT_TRUE(profile);
  EXPECT_EQ((*profile)["referenceTypes"], json::array({"external"}));
  const json* meta = find_named(s["attributes"], "meta");
  ASSERT_TRUE(meta);
  const json* modified = find_named((*meta)["subAttributes"], "lastModified");
  ASSERT_TRUE(modified);
  EXPECT_EQ((*modified)["type"], "dateTime");
}

TEST(scim_schemas, group_and_extension_documents) {
  json g = schema_json("urn:ietf:params:scim:schemas:core:2.0:Group", base);
  const json* members = find_named(g["attributes"], "members");
  ASSERT_TRUE(members);
  const json* value = find_named((*members)["subAttributes"], "value");
  ASSERT_TRUE(value);
  EXPECT_EQ((*value)["mutability"], "immutable");
  EXPECT_EQ(find_named((*members)["subAttributes"], "display"), nullptr);

  json e = schema_json(ext, base);
  EXPECT_EQ(e["id"], ext);
  EXPECT_EQ(e["name"], "EnterpriseUser");
  EXPECT_EQ(e["meta"]["location"], base + "/Schemas/" + ext);
  const json* manager = find_named(e["attributes"], "manager");
  ASSERT_TRUE(manager);
  EXPECT_EQ((*manager)["subAttributes"].size(), 3u);

  EXPECT_TRUE(schema_json("urn:example:unknown", base).is_null());
}

TEST(scim_schemas, schemas_list_response) {
  json l = schemas_list_json(base);
  EXPECT_EQ(l["schemas"], json::array({"urn:ietf:params:scim:api:messages:2.0:ListResponse"}));
  EXPECT_EQ(l["totalResults"], 3);
  EXPECT_EQ(l["itemsPerPage"], 3);
  EXPECT_EQ(l["startIndex"], 1);
  ASSERT_EQ(l["Resources"].size(), 3u);
  EXPECT_EQ(l["Resources"][0]["id"], "urn:ietf:params:scim:schemas:core:2.0:User");
  EXPECT_EQ(l["Resources"][1]["id"], "urn:ietf:params:scim:schemas:core:2.0:Group");
  EXPECT_EQ(l["Resources"][2]["id"], ext);
}

TEST(scim_schemas, resource_types) {
  json u = resource_type_json(resource_kind::user, base);
  EXPECT_EQ(u, json({{"schemas", json::array({"urn:ietf:params:scim:schemas:core:2.0:ResourceType"})},
                     {"id", "User"},
                     {"name", "User"},
                     {"endpoint", "/Users"},
                     {"description", "User Account"},
                     {"schema", "urn:ietf:params:scim:schemas:core:2.0:User"},
                     {"schemaExtensions", json::array({{{"schema", ext}, {"required", false}}})},
                     {"meta", {{"resourceType", "ResourceType"}, {"location", base + "/ResourceTypes/User"}}}}));
  json g = resource_type_json(resource_kind::group, base);
  EXPECT_EQ(g["endpoint"], "/Groups");
  EXPECT_EQ(g["schema"], "urn:ietf:params:scim:schemas:core:2.0:Group");
  EXPECT_FALSE(g.contains("schemaExtensions"));
  EXPECT_EQ(g["meta"]["location"], base + "/ResourceTypes/Group");

  json l = resource_types_list_json(base);
  EXPECT_EQ(l["totalResults"], 2);
  EXPECT_EQ(l["startIndex"], 1);
  EXPECT_EQ(l["Resources"], json::array({u, g}));
}

TEST(scim_schemas, service_provider_config) {
  json c = service_provider_config_json(base, {.max_results = 250});
  EXPECT_EQ(c["schemas"], json::array({"urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"}));
  EXPECT_FALSE(c.contains("documentationUri"));
  EXPECT_EQ(c["patch"], json({{"supported", true}}));
  EXPECT_EQ(c["bulk"], json({{"supported", false}, {"maxOperations", 0}, {"maxPayloadSize", 0}}));
  EXPECT_EQ(c["filter"], json({{"supported", true}, {"maxResults", 250}}));
  EXPECT_EQ(c["changePassword"], json({{"supported", false}}));
  EXPECT_EQ(c["sort"], json({{"supported", false}}));
  EXPECT_EQ(c["etag"], json({{"supported", true}}));
  ASSERT_EQ(c["authenticationSchemes"].size(), 1u);
  EXPECT_EQ(c["authenticationSchemes"][0]["type"], "oauthbearertoken");
  EXPECT_EQ(c["authenticationSchemes"][0]["name"], "OAuth Bearer Token");
  EXPECT_EQ(c["authenticationSchemes"][0]["primary"], true);
  EXPECT_TRUE(c["authenticationSchemes"][0]["description"].is_string());
  EXPECT_EQ(c["meta"], json({{"resourceType", "ServiceProviderConfig"}, {"location", base + "/ServiceProviderConfig"}}));

  provider_limits lim;
  lim.documentation_uri = "https://atrium.example/docs/scim";
  EXPECT_EQ(service_provider_config_json(base, lim)["documentationUri"], "https://atrium.example/docs/scim");
}

}  // namespace
}  // namespace atrium::proto::scim

