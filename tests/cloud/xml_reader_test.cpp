// The bounded XML reader over real IAM/STS answer shapes and malformed or hostile input.
#include "cloud/xml_reader.hpp"

#include <gtest/gtest.h>

namespace atrium::cloud {
namespace {

TEST(CloudXmlReader, ReadsAnIamAnswer) {
  auto doc = parse_xml(R"(<?xml version="1.0" encoding="UTF-8"?>
<GetRoleResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">
  <GetRoleResult>
    <Role>
      <Path>/aws-reserved/sso.amazonaws.com/</Path>
      <AssumeRolePolicyDocument>%7B%22Version%22%3A%222012-10-17%22%7D</AssumeRolePolicyDocument>
      <Description>a &amp; b &lt;c&gt; &#65;&#x42; &#x20AC;</Description>
      <RoleName><![CDATA[AWSReservedSSO_<x>]]></RoleName>
      <Tags/>
    </Role>
  </GetRoleResult>
  <!-- comment -->
  <ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata>
</GetRoleResponse>)");
  ASSERT_TRUE(doc) << doc.error().message;
  EXPECT_EQ(doc->name, "GetRoleResponse");
  EXPECT_EQ(doc->text_at("GetRoleResult/Role/Path"), "/aws-reserved/sso.amazonaws.com/");
  EXPECT_EQ(doc->text_at("GetRoleResult/Role/Description"), "a & b <c> AB \xE2\x82\xAC");
  EXPECT_EQ(doc->text_at("GetRoleResult/Role/RoleName"), "AWSReservedSSO_<x>");
  EXPECT_NE(doc->find("GetRoleResult/Role/Tags"), nullptr);
  EXPECT_EQ(doc->find("GetRoleResult/Nope"), nullptr);
  EXPECT_EQ(doc->text_at("ResponseMetadata/RequestId"), "r-1");
}

TEST(CloudXmlReader, ListsMembersAndDropsPrefixes) {
  auto doc = parse_xml(R"(<a:R xmlns:a="x"><a:L><member k='v'>1</member><member>2</member></a:L></a:R>)");
  ASSERT_TRUE(doc) << doc.error().message;
  auto items = doc->find("L")->all("member");
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(items[0]->text, "1");
  EXPECT_EQ(items[1]->text, "2");
}

TEST(CloudXmlReader, RefusesMalformedInput) {
  for (const char* bad : {"", "text", "<a>", "<a></b>", "<a><b></a></b>", "<a>&bogus;</a>", "<a>&#0;</a>",
                          "<a>&#xD800;</a>", "<a>&#x110000;</a>", "<a x=1/>", "<a x='<'/>", "<a/><b/>",
                          "<a><![CDATA[x</a>", "<a><!-- x</a>", "<a></a>trailing", "<>", "<a>&amp</a>"}) {
    EXPECT_FALSE(parse_xml(bad)) << bad;
  }
}

TEST(CloudXmlReader, RefusesDoctypeSoNoEntityExpansion) {
  auto doc = parse_xml(R"(<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>)");
  ASSERT_FALSE(doc);
  EXPECT_NE(doc.error().message.find("DOCTYPE"), std::string::npos);
}

TEST(CloudXmlReader, EnforcesLimits) {
  std::string deep;
  for (int i = 0; i < 40; ++i) deep += "<a>";
  for (int i = 0; i < 40; ++i) deep += "</a>";
  EXPECT_FALSE(parse_xml(deep));
  EXPECT_TRUE(parse_xml(deep, xml_limits{.max_bytes = 1 << 20, .max_depth = 64, .max_elements = 100}));
  std::string wide = "<r>";
  for (int i = 0; i < 50; ++i) wide += "<m/>";
  wide += "</r>";
  EXPECT_FALSE(parse_xml(wide, xml_limits{.max_bytes = 1 << 20, .max_depth = 8, .max_elements = 20}));
  EXPECT_FALSE(parse_xml(wide, xml_limits{.max_bytes = 10, .max_depth = 8, .max_elements = 100}));
}

}  // namespace
}  // namespace atrium::cloud
