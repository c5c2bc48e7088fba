// The identity source and external IdP configuration on the real store (issue 17 items 1, 2,
// 5, 7, 8): metadata and manual entry with their errors, the switch in both directions and from
// one IdP to another with the guide's confirmation and what each keeps, delete configuration.
#include "service/idsource/identity_source_service.hpp"

#include "idsource_fixture.hpp"
#include "store/credential_repository.hpp"
#include "xml/saml_metadata.hpp"

namespace atrium::service::idtest {

namespace {
const char* switch_alice = "0123456789-00000000-0000-4000-8000-000000000001";

identity_source_state state_of(store::database& db) {
  identity_source_state st;
  EXPECT_TRUE(db.read([&](store::transaction& tx) -> result<void> {
    auto s = read_identity_source(tx);
    if (!s) return std::unexpected(s.error());
    st = *s;
    return {};
  }));
  return st;
}

bool audited(const std::vector<store::audit_record>& records, const std::string& event) {
  for (const auto& r : records)
    if (r.json.find("\"eventName\":\"" + event + "\"") != std::string::npos) return true;
  return false;
}
}  // namespace

using identity_source = idsource_test;

TEST_F(identity_source, the_default_is_the_built_in_store_and_the_sp_metadata_names_the_portal) {
  auto v = svc_->describe(op("DescribeIdentitySource"));
  ASSERT_TRUE(v) << v.error().message;
  EXPECT_FALSE(v->state.external);
  EXPECT_FALSE(v->state.multiple_idps);
  EXPECT_TRUE(v->idps.empty());
  EXPECT_EQ(v->sp.entity_id, std::string(base_url) + "/portal/sp");
  EXPECT_EQ(v->sp.acs_url, std::string(base_url) + "/portal/sp/acs");
  // The metadata is an SP's metadata as the IdP side reads it (xml/ reads its own output back).
  auto md = xml::read_sp_metadata(v->sp.metadata);
  ASSERT_TRUE(md) << md.error().message;
  EXPECT_EQ(md->entity_id, v->sp.entity_id);
  ASSERT_EQ(md->acs.size(), 1u);
  EXPECT_EQ(md->acs[0].location, v->sp.acs_url);
  EXPECT_TRUE(md->authn_requests_signed);
  ASSERT_EQ(md->signing_certificates.size(), 1u);
  // The key pair is made once and kept (sealed) in the store.
  auto again = svc_->service_provider();
  ASSERT_TRUE(again);
  EXPECT_EQ(again->metadata, v->sp.metadata);
}

TEST_F(identity_source, metadata_upload_and_manual_entry) {
  idp_input in;
  in.metadata = idp_metadata_xml();
  in.domains = std::vector<std::string>{"Example.com", "example.com"};
  auto id = svc_->create_idp(op("CreateExternalIdPConfigurationForDirectory"), in);
  ASSERT_TRUE(id) << id.error().message;
  auto v = svc_->describe(op("DescribeIdentitySource"));
  ASSERT_TRUE(v);
  ASSERT_EQ(v->idps.size(), 1u);
  const auto& r = v->idps[0];
  EXPECT_EQ(r.entity_id, idp_entity);
  EXPECT_EQ(r.sso_url, idp_sso);  // the HTTP-Redirect endpoint, not the POST one
  EXPECT_TRUE(r.sign_authn_requests);  // WantAuthnRequestsSigned
  EXPECT_FALSE(r.enabled);
  EXPECT_EQ(r.domains, (std::vector<std::string>{"example.com"}));
  ASSERT_EQ(certificate_views(r).size(), 1u);
  EXPECT_EQ(certificate_views(r)[0].subject, "CN=IdP one,O=Atrium");

  idp_input manual;
  manual.entity_id = "https://manual.example.test";
  manual.sso_url = "https://manual.example.test/sso";
  manual.certificates = std::vector<std::string>{idp_keys(1).certificate_pem};
  EXPECT_TRUE(svc_->create_idp(op("CreateExternalIdPConfigurationForDirectory"), manual));
  // The same entity ID twice is a conflict.
  auto dup = svc_->create_idp(op("CreateExternalIdPConfigurationForDirectory"), manual);
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().code, errc::conflict);
  EXPECT_TRUE(audited(audit_records(), "CreateExternalIdPConfigurationForDirectory"));
}

TEST_F(identity_source, bad_metadata_and_certificates_have_clear_errors) {
  auto refused = [&](idp_input in, const std::string& words) {
    auto r = svc_->create_idp(op("CreateExternalIdPConfigurationForDirectory"), in);
    ASSERT_FALSE(r) << words;
    EXPECT_EQ(r.error().code, errc::validation);
    EXPECT_NE(r.error().message.find(words), std::string::npos) << r.error().message;
  };
  idp_input md;
  md.metadata = "<md:EntityDescriptor";
  refused(md, "metadata cannot be used");
  md.metadata = "<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><x>&e;</x>";
  refused(md, "metadata cannot be used");
  auto no_redirect = idp_metadata_xml();
  no_redirect.replace(no_redirect.find("bindings:HTTP-Redirect"), 22, "bindings:HTTP-Artifact");
  md.metadata = no_redirect;
  refused(md, "HTTP-Redirect");

  idp_input manual;
  manual.entity_id = "https://m.example.test";
  manual.sso_url = "https://m.example.test/sso";
  manual.certificates = std::vector<std::string>{"not a certificate"};
  refused(manual, "not PEM");
  auto expired = crypto::make_idp_key_pair("old", clk_.now() - std::chrono::days(400), std::chrono::days(30), 2048);
  ASSERT_TRUE(expired);
  manual.certificates = std::vector<std::string>{expired->certificate_pem};
  refused(manual, "expired on");
  manual.certificates = std::vector<std::string>{idp_keys(0).certificate_pem};
  manual.sso_url = "http://idp.example.test/sso";
  refused(manual, "https");
  manual.sso_url = "https://m.example.test/sso";
  manual.domains = std::vector<std::string>{"not a domain"};
  refused(manual, "not a DNS name");
  manual.domains.reset();
  manual.metadata = idp_metadata_xml();
  refused(manual, "either Metadata");
}

TEST_F(identity_source, switching_needs_accept_and_keeps_users_groups_and_passwords) {
  add_user(switch_alice, "alice@example.test");
  ASSERT_TRUE(db_->write([&](store::transaction& tx) {
    return tx.credentials().put_password({switch_alice, "$argon2id$fake", {}, clk_.now(), false});
  }));
  idp_input in;
  in.metadata = idp_metadata_xml();
  auto id = svc_->create_idp(op("CreateExternalIdPConfigurationForDirectory"), in);
  ASSERT_TRUE(id);
  auto no = svc_->enable_idp(op("EnableExternalIdPConfigurationForDirectory"), *id, "CONFIRM");
  ASSERT_FALSE(no);
  EXPECT_EQ(no.error().code, errc::validation);
  EXPECT_FALSE(state_of(*db_).external);

  auto on = svc_->enable_idp(op("EnableExternalIdPConfigurationForDirectory"), *id, "ACCEPT");
  ASSERT_TRUE(on) << on.error().message;
  EXPECT_EQ(on->identity_source, "EXTERNAL_IDP");
  EXPECT_EQ(on->users, 1);
  EXPECT_EQ(on->users_with_password, 1);
  EXPECT_TRUE(state_of(*db_).external);
  // Password sign-in is the IdP's now.
  auto allowed = sp_->password_sign_in_allowed("alice@example.test");
  ASSERT_TRUE(allowed);
  EXPECT_FALSE(*allowed);
  auto sends = sp_->sends_to_idp();
  ASSERT_TRUE(sends);
  EXPECT_TRUE(*sends);
  // An enabled IdP cannot be deleted.
  auto del = svc_->delete_idp(op("DeleteExternalIdPConfigurationForDirectory"), *id);
  ASSERT_FALSE(del);
  EXPECT_EQ(del.error().code, errc::conflict);

  auto off = svc_->disable_external(op("DisableExternalIdPConfigurationForDirectory"), "ACCEPT");
  ASSERT_TRUE(off) << off.error().message;
  EXPECT_EQ(off->identity_source, "BUILT_IN");
  EXPECT_EQ(off->disabled_idps, (std::vector<std::string>{*id}));
  EXPECT_EQ(off->users_with_password, 1);  // alice signs in with her old password again
  EXPECT_FALSE(state_of(*db_).external);
  // The user and the password are still there.
  ASSERT_TRUE(db_->read([&](store::transaction& tx) -> result<void> {
    auto u = tx.users().get(switch_alice);
    EXPECT_TRUE(u && *u);
    auto p = tx.credentials().get_password(switch_alice);
    EXPECT_TRUE(p && *p);
    return {};
  }));
  EXPECT_TRUE(svc_->delete_idp(op("DeleteExternalIdPConfigurationForDirectory"), *id));
  auto records = audit_records();
  for (const char* e : {"EnableExternalIdPConfigurationForDirectory", "DisableExternalIdPConfigurationForDirectory",
                        "DeleteExternalIdPConfigurationForDirectory"})
    EXPECT_TRUE(audited(records, e)) << e;
}

TEST_F(identity_source, enabling_another_idp_disables_the_first_in_single_idp_mode) {
  auto first = enabled_idp();
  idp_input in;
  in.metadata = idp_metadata_xml("https://second.example.test", 1);
  auto second = svc_->create_idp(op("CreateExternalIdPConfigurationForDirectory"), in);
  ASSERT_TRUE(second);
  auto o = svc_->enable_idp(op("EnableExternalIdPConfigurationForDirectory"), *second, "ACCEPT");
  ASSERT_TRUE(o);
  EXPECT_EQ(o->disabled_idps, (std::vector<std::string>{first}));
  auto v = svc_->describe(op("DescribeIdentitySource"));
  ASSERT_TRUE(v);
  for (const auto& r : v->idps) EXPECT_EQ(r.enabled, r.id == *second) << r.id;
}

TEST_F(identity_source, unknown_idps_are_not_found) {
  auto r = svc_->enable_idp(op("EnableExternalIdPConfigurationForDirectory"), "idp-0000000000000000", "ACCEPT");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, errc::not_found);
  EXPECT_EQ(svc_->delete_idp(op("DeleteExternalIdPConfigurationForDirectory"), "idp-x").error().code, errc::not_found);
  auto off = svc_->disable_external(op("DisableExternalIdPConfigurationForDirectory"), "ACCEPT");
  ASSERT_FALSE(off);
  EXPECT_EQ(off.error().code, errc::conflict);  // already the built-in store
}

TEST_F(identity_source, delete_configuration_needs_the_store_id_and_removes_the_guides_table) {
  add_user(switch_alice, "alice@example.test");
  enabled_idp();
  auto no = svc_->delete_configuration(op("DeleteConfiguration"), "DELETE");
  ASSERT_FALSE(no);
  EXPECT_NE(no.error().message.find("d-1234567890"), std::string::npos);
  auto n = svc_->delete_configuration(op("DeleteConfiguration"), "d-1234567890");
  ASSERT_TRUE(n) << n.error().message;
  EXPECT_EQ(n->users, 1);
  EXPECT_EQ(n->external_idps, 1);
  EXPECT_FALSE(state_of(*db_).external);
  ASSERT_TRUE(db_->read([&](store::transaction& tx) -> result<void> {
    EXPECT_EQ(*tx.users().count(), 0);
    EXPECT_TRUE(tx.external_idps().list()->empty());
    return {};
  }));
  EXPECT_TRUE(audited(audit_records(), "DeleteConfiguration"));
}

TEST(addr_spec, rfc_2822_dot_atoms) {
  for (const char* ok : {"alice@example.test", "a.b+c@x.y", "o'neil@example.com", "x@localhost"})
    EXPECT_TRUE(is_addr_spec(ok)) << ok;
  for (const char* bad : {"", "alice", "@x", "a@", "a..b@x", ".a@x", "a@b@c", "\"a b\"@x", "a b@x", "a@x.",
                          "user@evil.com<!---->.example.com"})
    EXPECT_FALSE(is_addr_spec(bad)) << bad;
}

}  // namespace atrium::service::idtest
