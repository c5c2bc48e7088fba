// xml/document: untrusted bytes are refused before libxml2 or xmlsec see anything dangerous.
#include "xml/document.hpp"

#include <gtest/gtest.h>

#include <string>

#include "base/strings.hpp"
#include "xml/dom.hpp"
#include "xml/saml_response_validator.hpp"
#include "xml_test_support.hpp"

namespace atrium::xml {
namespace {

void expect_refused(const std::string& xml, const std::string& why_contains) {
  auto d = document::parse(xml);
  ASSERT_FALSE(d) << xml;
  EXPECT_EQ(d.error().code, errc::validation);
  EXPECT_NE(d.error().message.find(why_contains), std::string::npos) << d.error().message;
}

TEST(XmlDocument, ParsesAndReadsText) {
  auto d = document::parse("<a xmlns='urn:x' k='v'><b>one<!-- c -->two<![CDATA[<3]]></b></a>");
  ASSERT_TRUE(d) << d.error().message;
  EXPECT_TRUE(is_element(d->root(), "urn:x", "a"));
  EXPECT_EQ(attribute(d->root(), "k"), "v");
  auto b = element_children(d->root(), "urn:x", "b");
  ASSERT_EQ(b.size(), 1u);
  EXPECT_EQ(*element_text(b.front()), "onetwo<3");
  EXPECT_FALSE(element_text(d->root())) << "an element child is not text";
}

TEST(XmlDocument, RefusesDoctypeBeforeParsing) {
  expect_refused("<?xml version='1.0'?><!DOCTYPE a [<!ENTITY x 'y'>]><a>&x;</a>", "DOCTYPE");
  expect_refused("<!DOCTYPE a SYSTEM 'http://example.com/a.dtd'><a/>", "DOCTYPE");
  // External entity (XXE) and billion laughs: the declaration alone is enough to refuse.
  expect_refused("<!DOCTYPE a [<!ENTITY xxe SYSTEM 'file:///etc/passwd'>]><a>&xxe;</a>", "DOCTYPE");
  std::string lol = "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\">";
  for (int i = 1; i < 10; ++i) {
    lol += "<!ENTITY lol" + std::to_string(i) + " \"";
    for (int k = 0; k < 10; ++k) lol += "&lol" + (i == 1 ? std::string() : std::to_string(i - 1)) + ";";
    lol += "\">";
  }
  lol += "]><lolz>&lol9;</lolz>";
  expect_refused(lol, "DOCTYPE");
  expect_refused("<a><!ENTITY x 'y'></a>", "DOCTYPE");
}

TEST(XmlDocument, UndeclaredEntitiesAreNotWellFormed) {
  expect_refused("<a>&xxe;</a>", "not well-formed");
  auto ok = document::parse("<a>&lt;&#65;</a>");
  ASSERT_TRUE(ok);
  EXPECT_EQ(*element_text(ok->root()), "<A");
}

TEST(XmlDocument, RefusesProcessingInstructionsAndOtherEncodings) {
  expect_refused("<?xml version='1.0'?><?xml-stylesheet href='x.xsl'?><a/>", "processing instructions");
  expect_refused("<a><?pi x?></a>", "processing instructions");
  expect_refused(std::string("<\0a\0/\0>\0", 8), "UTF-8");
  expect_refused("<a>\xff</a>", "UTF-8");
  // The declaration cannot switch the parser to another encoding: it reads UTF-8.
  auto d = document::parse("<?xml version='1.0' encoding='ISO-8859-1'?><a>\xc3\xa9</a>");
  ASSERT_TRUE(d) << d.error().message;
  EXPECT_EQ(*element_text(d->root()), "\xc3\xa9");
}

TEST(XmlDocument, EnforcesLimits) {
  parse_limits small;
  small.max_bytes = 64;
  EXPECT_FALSE(document::parse(std::string(65, ' '), small));
  std::string deep;
  for (int i = 0; i < 70; ++i) deep += "<a>";
  deep += "x";
  for (int i = 0; i < 70; ++i) deep += "</a>";
  expect_refused(deep, "deeper");
  std::string wide = "<a>";
  for (int i = 0; i < 10'001; ++i) wide += "<b/>";
  wide += "</a>";
  expect_refused(wide, "elements");
  expect_refused("", "empty");
  expect_refused("<a>", "not well-formed");
}

TEST(XmlDocument, NoNetworkAndNoFileAccess) {
  // XInclude is never processed and no external subset is read: the include stays an element.
  auto d = document::parse("<a xmlns:xi='http://www.w3.org/2001/XInclude'><xi:include href='file:///etc/passwd' parse='text'/></a>");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->to_string().find("root:"), std::string::npos);
}

TEST(XmlDocument, DoctypeRefusedBeforeAnySignatureWork) {
  // A billion-laughs Response posted to the ACS: refused by the parser, never verified.
  std::string body = "<!DOCTYPE r [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;\">]>"
                     "<samlp:Response xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\">&b;</samlp:Response>";
  auto r = validate_post_response(base64_encode(body), testing::sample_expectations(), testing::idp_verifier(),
                                  testing::schema());
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("DOCTYPE"), std::string::npos) << r.error().message;
}

}  // namespace
}  // namespace atrium::xml
