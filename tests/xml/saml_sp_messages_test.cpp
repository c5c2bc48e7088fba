// Atrium as SP (issue 17): reading an IdP's metadata, and the AuthnRequest and SP metadata
// Atrium writes — read back by the same xml/ readers an IdP-side check would use.
#include "xml/saml_sp_messages.hpp"

#include "xml/dom.hpp"
#include "xml/saml_authn_request.hpp"
#include "xml/saml_metadata.hpp"
#include "xml_test_support.hpp"

namespace atrium::xml::testing {

namespace {

std::string idp_md(const std::string& sso, const std::string& keys, const std::string& attrs = "") {
  return "<md:EntityDescriptor xmlns:md=\"urn:oasis:names:tc:SAML:2.0:metadata\" xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\" "
         "entityID=\"https://idp.example/metadata\"><md:IDPSSODescriptor " + attrs +
         " protocolSupportEnumeration=\"urn:oasis:names:tc:SAML:2.0:protocol\">" + keys + sso +
         "</md:IDPSSODescriptor></md:EntityDescriptor>";
}

std::string signing_key() {
  return "<md:KeyDescriptor use=\"signing\"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>" +
         *crypto::pem_certificate_base64(idp_keys().certificate_pem) +
         "</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>";
}

const char* redirect_sso =
    "<md:SingleSignOnService Binding=\"urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect\" Location=\"https://idp.example/sso\"/>";

}  // namespace

TEST(idp_metadata, reads_entity_sso_url_certificates_and_the_signing_wish) {
  auto md = read_idp_metadata(idp_md(redirect_sso, signing_key(), "WantAuthnRequestsSigned=\"true\""));
  ASSERT_TRUE(md) << md.error().message;
  EXPECT_EQ(md->entity_id, "https://idp.example/metadata");
  EXPECT_EQ(md->sso_url, "https://idp.example/sso");
  ASSERT_EQ(md->signing_certificates.size(), 1u);
  EXPECT_TRUE(md->want_authn_requests_signed);
  // Wrapped in an EntitiesDescriptor (SimpleSAMLphp's and Shibboleth's exports).
  auto wrapped = read_idp_metadata("<md:EntitiesDescriptor xmlns:md=\"urn:oasis:names:tc:SAML:2.0:metadata\">" +
                                   idp_md(redirect_sso, signing_key()).substr(0) + "</md:EntitiesDescriptor>");
  ASSERT_TRUE(wrapped) << wrapped.error().message;
}

TEST(idp_metadata, refusals_name_what_is_missing) {
  auto no_key = read_idp_metadata(idp_md(redirect_sso, ""));
  ASSERT_FALSE(no_key);
  EXPECT_NE(no_key.error().message.find("signing certificate"), std::string::npos);
  auto post_only = read_idp_metadata(idp_md(
      "<md:SingleSignOnService Binding=\"urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST\" Location=\"https://idp/x\"/>",
      signing_key()));
  ASSERT_FALSE(post_only);
  EXPECT_NE(post_only.error().message.find("HTTP-Redirect"), std::string::npos);
  EXPECT_FALSE(read_idp_metadata("<x/>"));
  EXPECT_FALSE(read_idp_metadata("<!DOCTYPE x [<!ENTITY a \"b\">]><x>&a;</x>"));
}

TEST(sp_messages, the_authn_request_is_one_an_idp_accepts) {
  authn_request_values v{"_0123456789abcdef0123456789abcdef", "https://atrium.test/portal/sp",
                         "https://atrium.test/portal/sp/acs", "https://idp.example/sso?x=\"1\"&y=2", t0()};
  auto xml_text = build_authn_request(v);
  auto doc = document::parse(xml_text);
  ASSERT_TRUE(doc) << doc.error().message;
  auto req = read_authn_request(*doc, schema());
  ASSERT_TRUE(req) << req.error().message;
  EXPECT_EQ(req->id, v.id);
  EXPECT_EQ(req->issuer, v.sp_entity_id);
  EXPECT_EQ(req->acs_url, v.acs_url);
  EXPECT_EQ(req->destination, v.destination);  // escaped and read back whole
  EXPECT_EQ(req->name_id_format, name_id_email);
  EXPECT_EQ(req->protocol_binding, "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST");
}

TEST(sp_messages, sp_metadata_reads_back_as_sp_metadata) {
  auto text = build_sp_metadata({"https://atrium.test/portal/sp", "https://atrium.test/portal/sp/acs",
                                 *crypto::pem_certificate_base64(idp_keys().certificate_pem)});
  auto md = read_sp_metadata(text);
  ASSERT_TRUE(md) << md.error().message;
  EXPECT_EQ(md->entity_id, "https://atrium.test/portal/sp");
  ASSERT_EQ(md->acs.size(), 1u);
  EXPECT_EQ(md->acs[0].location, "https://atrium.test/portal/sp/acs");
  EXPECT_TRUE(md->authn_requests_signed);
  EXPECT_EQ(md->name_id_formats, (std::vector<std::string>{name_id_email}));
  EXPECT_EQ(md->signing_certificates.size(), 1u);
}

TEST(sp_messages, message_ids_are_xs_ids) {
  seeded_random rnd(1);
  auto id = make_message_id(rnd);
  EXPECT_EQ(id.size(), 33u);
  EXPECT_EQ(id[0], '_');
  EXPECT_NE(make_message_id(rnd), id);
}

}  // namespace atrium::xml::testing
