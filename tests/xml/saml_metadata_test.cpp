// Reading a service provider's metadata: entity ID, HTTP-POST ACS endpoints, signing
// certificates (as PEM), AuthnRequestsSigned; refusals of what is not SP metadata.
#include "xml/saml_metadata.hpp"

#include "xml_test_support.hpp"

namespace atrium::xml::testing {

namespace {

std::string metadata(const std::string& body, const std::string& attrs = "") {
  return "<md:EntityDescriptor xmlns:md=\"urn:oasis:names:tc:SAML:2.0:metadata\" xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\" "
         "entityID=\"https://sp.example/shibboleth\"><md:SPSSODescriptor " + attrs +
         " protocolSupportEnumeration=\"urn:oasis:names:tc:SAML:1.1:protocol urn:oasis:names:tc:SAML:2.0:protocol\">" + body +
         "</md:SPSSODescriptor></md:EntityDescriptor>";
}

std::string key(const std::string& use, const std::string& b64) {
  return "<md:KeyDescriptor" + (use.empty() ? std::string() : " use=\"" + use + "\"") +
         "><ds:KeyInfo><ds:X509Data><ds:X509Certificate>\n" + b64 + "\n</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>";
}

const char* post_acs = "<md:AssertionConsumerService Binding=\"urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST\" Location=\"https://sp.example/acs\" index=\"3\"/>";

}  // namespace

TEST(saml_metadata, reads_an_sp_descriptor) {
  auto b64 = *crypto::pem_certificate_base64(idp_keys().certificate_pem);
  auto md = read_sp_metadata(metadata(key("signing", b64) + key("", b64) + key("encryption", "AAAA") + post_acs +
                                          "<md:NameIDFormat> urn:oasis:names:tc:SAML:2.0:nameid-format:transient </md:NameIDFormat>",
                                      "AuthnRequestsSigned=\"1\""));
  ASSERT_TRUE(md) << md.error().message;
  EXPECT_EQ(md->entity_id, "https://sp.example/shibboleth");
  EXPECT_TRUE(md->authn_requests_signed);
  ASSERT_EQ(md->acs.size(), 1u);
  EXPECT_EQ(md->acs[0].location, "https://sp.example/acs");
  EXPECT_EQ(md->acs[0].index, 3);
  ASSERT_EQ(md->signing_certificates.size(), 2u);  // use="signing" and no use; not encryption
  EXPECT_TRUE(trusted_certs::from_pem(md->signing_certificates));
  EXPECT_EQ(crypto::pem_certificate_base64(md->signing_certificates[0]), b64);
  EXPECT_EQ(md->name_id_formats, (std::vector<std::string>{"urn:oasis:names:tc:SAML:2.0:nameid-format:transient"}));
}

TEST(saml_metadata, refuses_what_is_not_sp_metadata) {
  EXPECT_FALSE(read_sp_metadata("<x/>"));
  EXPECT_FALSE(read_sp_metadata(metadata("")));  // no ACS
  EXPECT_FALSE(read_sp_metadata(metadata(
      "<md:AssertionConsumerService Binding=\"urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Artifact\" Location=\"https://sp.example/a\" index=\"0\"/>")));
  EXPECT_FALSE(read_sp_metadata(metadata(
      "<md:AssertionConsumerService Binding=\"urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST\" Location=\"https://sp.example/a\"/>")));
  EXPECT_FALSE(read_sp_metadata("<!DOCTYPE md [<!ENTITY x \"y\">]>" + metadata(post_acs)));
  EXPECT_FALSE(read_sp_metadata(metadata(key("signing", "%%%") + post_acs)));
  auto no_saml2 = metadata(post_acs);
  no_saml2.replace(no_saml2.find(" urn:oasis:names:tc:SAML:2.0:protocol"), 37, "");
  EXPECT_FALSE(read_sp_metadata(no_saml2));
}

}  // namespace atrium::xml::testing
