// xml/schema: the SAML 2.0 XSDs from opensaml-schemas, with local xmldsig/xenc, no network.
#include "xml/schema.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

#include "xml_test_support.hpp"

namespace atrium::xml {
namespace {

TEST(XmlSchema, LoadsOnceFromLocalFiles) {
  auto a = saml_schema::shared();
  ASSERT_TRUE(a) << a.error().message;
  auto b = saml_schema::shared();
  EXPECT_EQ(a->get(), b->get());
}

TEST(XmlSchema, MissingFilesAreAClearError) {
  auto s = saml_schema::load({"/nonexistent/opensaml", "/nonexistent/w3c"});
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, errc::internal);
  EXPECT_NE(s.error().message.find("opensaml-schemas"), std::string::npos) << s.error().message;
}

TEST(XmlSchema, ImportsOutsideTheMappedFilesAreRefusedNotFetched) {
  // A schema importing from an http:// URL that is not one of the mapped W3C schemas: the
  // entity loader refuses it (no network access), so the reference to it cannot resolve.
  std::string dir = (std::filesystem::temp_directory_path() / "atrium-xsd-XXXXXX").string();
  ASSERT_NE(mkdtemp(dir.data()), nullptr);
  std::ofstream(dir + "/saml-schema-protocol-2.0.xsd")
      << "<schema xmlns='http://www.w3.org/2001/XMLSchema' xmlns:x='urn:x' targetNamespace='urn:t'>"
         "<import namespace='urn:x' schemaLocation='http://example.invalid/x.xsd'/>"
         "<element name='t'><complexType><sequence><element ref='x:e'/></sequence></complexType></element></schema>";
  auto s = saml_schema::load({dir, default_schema_locations().w3c_dir});
  std::filesystem::remove_all(dir);
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().message.find("external resource refused: http://example.invalid/x.xsd"), std::string::npos)
      << s.error().message;
}

TEST(XmlSchema, ValidatesBuiltAndSignedResponses) {
  auto doc = document::parse(testing::signed_response(sign_target::both));
  ASSERT_TRUE(doc);
  auto r = testing::schema().validate(*doc);
  EXPECT_TRUE(r) << r.error().message;
}

TEST(XmlSchema, RefusesMessagesOutsideTheSchema) {
  const char* bad[] = {
      // Status missing.
      "<samlp:Response xmlns:samlp='urn:oasis:names:tc:SAML:2.0:protocol' ID='_a' Version='2.0' "
      "IssueInstant='2026-11-25T10:00:00Z'/>",
      // Unknown element in the protocol namespace.
      "<samlp:AuthnRequest xmlns:samlp='urn:oasis:names:tc:SAML:2.0:protocol' ID='_a' Version='2.0' "
      "IssueInstant='2026-11-25T10:00:00Z'><samlp:Bogus/></samlp:AuthnRequest>",
      // Signature after Status (SAML core §3.2.2: Issuer, Signature, Extensions, Status).
      "<samlp:Response xmlns:samlp='urn:oasis:names:tc:SAML:2.0:protocol' xmlns:ds='http://www.w3.org/2000/09/xmldsig#' "
      "ID='_a' Version='2.0' IssueInstant='2026-11-25T10:00:00Z'><samlp:Status><samlp:StatusCode "
      "Value='urn:oasis:names:tc:SAML:2.0:status:Success'/></samlp:Status><ds:Signature/></samlp:Response>",
      // Not SAML at all.
      "<html/>",
  };
  for (const char* xml : bad) {
    auto doc = document::parse(xml);
    ASSERT_TRUE(doc) << xml;
    auto r = testing::schema().validate(*doc);
    ASSERT_FALSE(r) << xml;
    EXPECT_EQ(r.error().code, errc::validation);
  }
}

}  // namespace
}  // namespace atrium::xml
