// Applications on the real store: catalog defaults and fields, custom applications, the SAML
// settings (SP metadata import, response and schema configuration), assignments, the portal's
// tiles with nested groups, and the CloudTrail records of each change.
#include "service/applications/application_service.hpp"

#include "app_fixture.hpp"

namespace atrium::service::apptest {

namespace {

const char* carol_id = "0123456789-00000000-0000-4000-8000-0000000000c1";
const char* eng_id = "0123456789-00000000-0000-4000-8000-0000000000e1";
const char* all_id = "0123456789-00000000-0000-4000-8000-0000000000e2";

std::string sp_metadata(const std::string& cert_b64) {
  return "<md:EntityDescriptor xmlns:md=\"urn:oasis:names:tc:SAML:2.0:metadata\" xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\" "
         "entityID=\"https://wiki.example.test/shibboleth\"><md:SPSSODescriptor AuthnRequestsSigned=\"true\" "
         "protocolSupportEnumeration=\"urn:oasis:names:tc:SAML:2.0:protocol\"><md:KeyDescriptor use=\"signing\"><ds:KeyInfo>"
         "<ds:X509Data><ds:X509Certificate>" + cert_b64 + "</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>"
         "<md:KeyDescriptor use=\"encryption\"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>AAAA</ds:X509Certificate>"
         "</ds:X509Data></ds:KeyInfo></md:KeyDescriptor>"
         "<md:AssertionConsumerService Binding=\"urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Artifact\" "
         "Location=\"https://wiki.example.test/Shibboleth.sso/SAML2/Artifact\" index=\"0\"/>"
         "<md:AssertionConsumerService Binding=\"urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST\" "
         "Location=\"https://wiki.example.test/Shibboleth.sso/SAML2/POST\" index=\"1\" isDefault=\"true\"/>"
         "</md:SPSSODescriptor></md:EntityDescriptor>";
}

}  // namespace

class applications : public app_services_test {};

TEST_F(applications, catalog_entries_give_their_defaults_and_fields_fill_the_urls) {
  ASSERT_GE(catalog_->entries().size(), 25u);
  const auto* slack = catalog_->find("slack");
  ASSERT_NE(slack, nullptr);
  auto a = apps_->create(op("CreateApplication"), {domain::catalog_provider_arn("slack"), "Slack", std::string("Chat"), {}, {}});
  ASSERT_TRUE(a) << a.error().message;
  EXPECT_TRUE(domain::is_application_id(a->id));
  EXPECT_EQ(a->mappings, slack->mappings);
  EXPECT_EQ(domain::subject_name_id_format(a->mappings), domain::name_id_format::persistent);
  EXPECT_EQ(a->response.sign, domain::saml_sign_target::both);
  EXPECT_FALSE(a->configured());  // the workspace is not known yet

  service_provider_edit bad;
  bad.template_fields = std::map<std::string, std::string>{{"workspace", "Not A Domain!"}};
  auto refused = settings_->update_service_provider(op("UpdateApplicationInstanceServiceProviderConfiguration"), a->id, bad);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, errc::validation);
  service_provider_edit unknown;
  unknown.template_fields = std::map<std::string, std::string>{{"tenant", "x"}};
  EXPECT_FALSE(settings_->update_service_provider(op("UpdateApplicationInstanceServiceProviderConfiguration"), a->id, unknown));

  service_provider_edit e;
  e.template_fields = std::map<std::string, std::string>{{"workspace", "acme"}};
  auto c = settings_->update_service_provider(op("UpdateApplicationInstanceServiceProviderConfiguration"), a->id, e);
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->sp.entity_id, "https://slack.com");
  ASSERT_EQ(c->sp.acs.size(), 1u);
  EXPECT_EQ(c->sp.acs[0].url, "https://acme.slack.com/sso/saml");
  EXPECT_EQ(c->portal.origin, domain::sign_in_origin::application);
  EXPECT_EQ(c->portal.application_url, "https://acme.slack.com");
  EXPECT_TRUE(c->configured());
}

// Every entry, filled with its fields' examples, makes a valid application (without making a
// key pair for each: the defaults and the filled settings are what is checked).
TEST_F(applications, every_catalog_entry_filled_with_its_examples_is_a_valid_application) {
  for (const auto& e : catalog_->entries()) {
    std::map<std::string, std::string> fields;
    for (const auto& f : e.fields) fields[f.name] = f.example;
    auto filled = application_catalog::fill(e, fields);
    ASSERT_TRUE(filled) << e.id << ": " << filled.error().message;
    domain::application a;
    a.name = e.display_name;
    a.provider_arn = domain::catalog_provider_arn(e.id);
    a.mappings = e.mappings;
    a.response.sign = e.sign;
    a.sp.entity_id = filled->entity_id;
    a.sp.acs = {{filled->acs_url, 0, true}};
    a.response.relay_state = filled->relay_state;
    if (filled->start_url) a.portal = {domain::sign_in_origin::application, filled->start_url, true};
    EXPECT_TRUE(domain::validate_application(a)) << e.id << ": " << domain::validate_application(a).error().message;
    EXPECT_TRUE(a.configured()) << e.id;
    if (!e.fields.empty()) {
      EXPECT_FALSE(application_catalog::fill(e, {})) << e.id << ": a missing field is refused";
    }
  }
}

TEST_F(applications, unknown_providers_and_bad_names_are_refused) {
  auto p = apps_->create(op("CreateApplication"), {domain::catalog_provider_arn("no-such-app"), "X", std::nullopt, {}, {}});
  ASSERT_FALSE(p);
  EXPECT_EQ(p.error().code, errc::not_found);
  EXPECT_FALSE(apps_->create(op("CreateApplication"), {std::string(domain::custom_saml_provider_arn), std::string(101, 'x'), std::nullopt, {}, {}}));
  EXPECT_EQ(apps_->describe(op("DescribeApplication"), "apl-0000000000000000").error().code, errc::not_found);
}

TEST_F(applications, sp_metadata_import_takes_post_acs_urls_and_signing_certificates) {
  auto a = configured_app();
  auto b64 = crypto::pem_certificate_base64(sp_keys().certificate_pem);
  ASSERT_TRUE(b64);
  auto c = settings_->import_service_provider(op("ImportApplicationInstanceServiceProvider"), a.id, sp_metadata(*b64));
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->sp.entity_id, "https://wiki.example.test/shibboleth");
  ASSERT_EQ(c->sp.acs.size(), 1u);  // the artifact endpoint is not one a Response is posted to
  EXPECT_EQ(c->sp.acs[0].url, "https://wiki.example.test/Shibboleth.sso/SAML2/POST");
  EXPECT_EQ(c->sp.acs[0].index, 1);
  EXPECT_TRUE(c->sp.acs[0].is_default);
  ASSERT_EQ(c->sp.signing_certificates.size(), 1u);
  EXPECT_EQ(crypto::pem_certificate_base64(c->sp.signing_certificates[0]).value_or(""), *b64);
  // Not metadata, or a DTD: refused, nothing changed.
  EXPECT_FALSE(settings_->import_service_provider(op("ImportApplicationInstanceServiceProvider"), a.id, "<x/>"));
  EXPECT_FALSE(settings_->import_service_provider(op("ImportApplicationInstanceServiceProvider"), a.id,
                                                  "<!DOCTYPE x [<!ENTITY a \"b\">]>" + sp_metadata(*b64)));
}

TEST_F(applications, response_and_schema_configuration) {
  auto a = configured_app();
  response_edit r;
  r.session_duration = std::chrono::hours(4);
  r.relay_state = std::optional<std::string>("/home");
  r.sign = domain::saml_sign_target::assertion;
  r.name_id_format = domain::name_id_format::persistent;
  auto c = settings_->update_response(op("UpdateApplicationInstanceResponseConfiguration"), a.id, r);
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->response.session_duration, std::chrono::hours(4));
  EXPECT_EQ(c->response.relay_state, "/home");
  EXPECT_EQ(c->mappings.front().format, "persistent");
  r = {};
  r.session_duration = std::chrono::hours(13);
  EXPECT_FALSE(settings_->update_response(op("UpdateApplicationInstanceResponseConfiguration"), a.id, r));
  r = {};
  r.relay_state = std::optional<std::string>(std::string(81, 'x'));
  EXPECT_FALSE(settings_->update_response(op("UpdateApplicationInstanceResponseConfiguration"), a.id, r));
  EXPECT_FALSE(settings_->update_response_schema(op("UpdateApplicationInstanceResponseSchemaConfiguration"), a.id,
                                                 {{"a", "${user:unknown}", "basic"}}));
}

TEST_F(applications, assignments_and_the_portal_tiles_count_nested_groups) {
  add_user(carol_id, "carol");
  add_group(eng_id, "eng");
  add_group(all_id, "all");
  add_member(eng_id, carol_id);
  add_member(all_id, eng_id, domain::member_kind::group);
  auto wiki = configured_app("Wiki");
  auto chat = configured_app("Chat");
  auto hidden = configured_app("Hidden");
  EXPECT_TRUE(apps_->for_user(carol_id)->empty());
  ASSERT_TRUE(apps_->assign(op("CreateApplicationAssignment"), wiki.id, {domain::principal_type::group, all_id}));
  ASSERT_TRUE(apps_->assign(op("CreateApplicationAssignment"), wiki.id, {domain::principal_type::group, all_id}));  // twice: fine
  ASSERT_TRUE(apps_->assign(op("CreateApplicationAssignment"), chat.id, {domain::principal_type::user, carol_id}));
  ASSERT_TRUE(apps_->assign(op("CreateApplicationAssignment"), hidden.id, {domain::principal_type::user, carol_id}));
  display_edit invisible;
  invisible.visible = false;
  ASSERT_TRUE(settings_->update_display_data(op("UpdateApplicationInstanceDisplayData"), hidden.id, invisible));
  auto missing = apps_->assign(op("CreateApplicationAssignment"), wiki.id,
                               {domain::principal_type::user, "0123456789-00000000-0000-4000-8000-00000000ffff"});
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, errc::not_found);
  EXPECT_EQ(apps_->assign(op("CreateApplicationAssignment"), wiki.id, {domain::principal_type::group, carol_id}).error().code,
            errc::not_found);  // a user is not a group

  auto tiles = apps_->for_user(carol_id);
  ASSERT_TRUE(tiles);
  ASSERT_EQ(tiles->size(), 2u);
  EXPECT_EQ((*tiles)[0].name, "Chat");
  EXPECT_EQ((*tiles)[1].name, "Wiki");

  auto listed = apps_->list_assignments(op("ListApplicationAssignments"), wiki.id, {"", 10});
  ASSERT_TRUE(listed);
  ASSERT_EQ(listed->items.size(), 1u);
  EXPECT_EQ(listed->items[0].principal_kind, domain::principal_type::group);
  auto mine = apps_->list_assignments_for(op("ListApplicationAssignmentsForPrincipal"), {domain::principal_type::user, carol_id},
                                          std::nullopt, {"", 10});
  ASSERT_TRUE(mine);
  EXPECT_EQ(mine->items.size(), 2u);  // direct ones only (chat, hidden)
  EXPECT_EQ(apps_->unassign(op("DeleteApplicationAssignment"), wiki.id, {domain::principal_type::user, carol_id}).error().code,
            errc::not_found);
  ASSERT_TRUE(apps_->unassign(op("DeleteApplicationAssignment"), wiki.id, {domain::principal_type::group, all_id}));
  EXPECT_EQ(apps_->for_user(carol_id)->size(), 1u);

  // Deleting the application takes its assignments along.
  ASSERT_TRUE(apps_->remove(op("DeleteApplication"), chat.id));
  EXPECT_TRUE(apps_->for_user(carol_id)->empty());
  EXPECT_EQ(apps_->remove(op("DeleteApplication"), chat.id).error().code, errc::not_found);
}

TEST_F(applications, every_change_is_audited_with_its_event_name) {
  auto a = configured_app();
  ASSERT_TRUE(apps_->update(op("UpdateApplication"), a.id, {std::string("Wiki 2"), {}, {}, {}}));
  ASSERT_TRUE(settings_->create_certificate(op("CreateApplicationInstanceCertificate"), a.id, {2048, 1}));
  std::string all;
  for (const auto& r : audit_records()) all += r.json;
  for (const char* name : {"CreateApplication", "UpdateApplicationInstanceServiceProviderConfiguration", "UpdateApplication",
                           "CreateApplicationInstanceCertificate"})
    EXPECT_NE(all.find(std::string("\"eventName\":\"") + name + "\""), std::string::npos) << name;
  EXPECT_EQ(all.find("BEGIN PRIVATE KEY"), std::string::npos);  // keys never reach a record
}

TEST_F(applications, the_quota_of_applications) {
  application_service small(*audited_, clk_, rnd_, box_, *catalog_, {instance_id, account_id, "eu-west-1", {2048, 60}, 1});
  ASSERT_TRUE(small.create(op("CreateApplication"), {std::string(domain::custom_saml_provider_arn), "One", std::nullopt, {}, {}}));
  auto two = small.create(op("CreateApplication"), {std::string(domain::custom_saml_provider_arn), "Two", std::nullopt, {}, {}});
  ASSERT_FALSE(two);
  EXPECT_EQ(two.error().code, errc::quota_exceeded);
}

}  // namespace atrium::service::apptest
