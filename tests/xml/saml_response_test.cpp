// xml/saml_response_builder and xml/saml_response_validator: the IdP's Response read back by
// the SP-side checks (SAML profiles §4.1.4), and each check refusing what it should.
#include <gtest/gtest.h>

#include "base/strings.hpp"
#include "xml/saml_time.hpp"
#include "saml_response_text_oracle.hpp"
#include "xml_test_support.hpp"

namespace atrium::xml {
namespace {

using namespace testing;

void expect_refused(const std::string& xml, const response_expectations& e, const char* why) {
  auto r = validate_text(xml, e);
  ASSERT_FALSE(r) << why;
  EXPECT_NE(r.error().message.find(why), std::string::npos) << r.error().message;
}

TEST(SamlResponse, RoundTripReadsEveryValue) {
  for (auto target : {sign_target::assertion, sign_target::response, sign_target::both}) {
    auto xml = signed_response(target);
    auto r = validate_post_response(base64_encode(xml), sample_expectations(), idp_verifier(), schema());
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->issuer, idp_entity);
    EXPECT_EQ(r->name_id, "alice@example.com");
    EXPECT_EQ(r->name_id_format, "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress");
    EXPECT_EQ(r->session_index, "_session1");
    EXPECT_EQ(r->in_response_to, "_request0123456789abcdef0123456789ab");
    EXPECT_EQ(r->authn_instant, t0() - std::chrono::seconds(10));
    EXPECT_EQ(r->session_not_on_or_after, t0() + std::chrono::hours(8));
    EXPECT_EQ(r->not_on_or_after, t0() + std::chrono::minutes(5));
    EXPECT_EQ(r->authn_context_class_ref, "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport");
    ASSERT_EQ(r->attributes.size(), 2u);
    EXPECT_EQ(r->attributes[1].name, "https://aws.amazon.com/SAML/Attributes/Role");
    ASSERT_EQ(r->attributes[1].values.size(), 2u);
    EXPECT_EQ(r->attributes[1].values[1], "a<b>&\"c'") << "escaped on the way out, read back intact";
    EXPECT_EQ(r->response_signed, target != sign_target::assertion);
    EXPECT_EQ(r->assertion_signed, target != sign_target::response);
    EXPECT_EQ(r->response_id.size(), 33u);
    EXPECT_EQ(r->response_id[0], '_');
  }
}

TEST(SamlResponse, BuilderIdsComeFromTheRandomSource) {
  seeded_random a(5), b(5), c(6);
  auto x1 = build_response_xml(sample_values(), a), x2 = build_response_xml(sample_values(), b),
       x3 = build_response_xml(sample_values(), c);
  EXPECT_EQ(*x1, *x2);
  EXPECT_NE(*x1, *x3);
}

TEST(SamlResponse, BuilderRefusesBadValues) {
  seeded_random random(1);
  auto v = sample_values();
  v.audience.clear();
  EXPECT_FALSE(build_response_xml(v, random));
  v = sample_values();
  v.name_id = std::string("a\x01", 2);
  EXPECT_FALSE(build_response_xml(v, random));
  v = sample_values();
  v.not_before = v.not_on_or_after;
  EXPECT_FALSE(build_response_xml(v, random));
  v = sample_values();
  v.attributes.push_back({"x", "urn:oasis:names:tc:SAML:2.0:attrname-format:basic", {}});
  EXPECT_FALSE(build_response_xml(v, random));
}

TEST(SamlResponse, TimeChecksWithClockSkew) {
  auto xml = signed_response(sign_target::assertion);
  auto e = sample_expectations();
  e.now = t0() + std::chrono::minutes(5) + std::chrono::seconds(59);  // within the 60 s skew
  EXPECT_TRUE(validate_text(xml, e));
  e.now = t0() + std::chrono::minutes(6);
  expect_refused(xml, e, "expired");
  e.now = t0() - std::chrono::seconds(66);  // IssueInstant is t0
  expect_refused(xml, e, "future");
  e.now = t0() + std::chrono::seconds(30);
  e.clock_skew = std::chrono::seconds(0);
  EXPECT_TRUE(validate_text(xml, e));
}

TEST(SamlResponse, NotYetValidConditionsAreRefused) {
  auto v = sample_values();
  v.not_before = t0() + std::chrono::minutes(2);
  expect_refused(signed_response(sign_target::assertion, v), sample_expectations(), "not valid yet");
}

TEST(SamlResponse, ExpiredConditionsAreRefused) {
  auto v = sample_values();
  v.not_before = t0() - std::chrono::hours(2);
  v.not_on_or_after = t0() - std::chrono::hours(1);
  expect_refused(signed_response(sign_target::assertion, v), sample_expectations(), "expired");
}

TEST(SamlResponse, AudienceRecipientDestinationIssuer) {
  auto xml = signed_response(sign_target::both);
  auto e = sample_expectations();
  e.sp_entity_id = "https://other-sp.example";
  expect_refused(xml, e, "audience");
  e = sample_expectations();
  e.acs_url = "https://other-sp.example/acs";
  expect_refused(xml, e, "Destination");
  e = sample_expectations();
  e.idp_entity_id = "https://other-idp.example";
  expect_refused(xml, e, "Issuer");
  auto v = sample_values();
  v.recipient = "https://elsewhere.example/acs";
  expect_refused(signed_response(sign_target::assertion, v), sample_expectations(), "Recipient");
}

TEST(SamlResponse, InResponseToAndUnsolicited) {
  auto xml = signed_response(sign_target::assertion);
  auto e = sample_expectations();
  e.in_response_to = "_another";
  expect_refused(xml, e, "InResponseTo");
  e.in_response_to.reset();
  expect_refused(xml, e, "does not know");
  auto v = sample_values();
  v.in_response_to.reset();
  auto unsolicited = signed_response(sign_target::assertion, v);
  expect_refused(unsolicited, e, "Unsolicited");
  e.allow_unsolicited = true;
  auto r = validate_text(unsolicited, e);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_FALSE(r->in_response_to);
}

TEST(SamlResponse, StatusOtherThanSuccessIsReported) {
  auto xml = signed_response(sign_target::assertion);
  replace_once(xml, "<samlp:StatusCode Value=\"urn:oasis:names:tc:SAML:2.0:status:Success\"/>",
               "<samlp:StatusCode Value=\"urn:oasis:names:tc:SAML:2.0:status:Responder\"><samlp:StatusCode "
               "Value=\"urn:oasis:names:tc:SAML:2.0:status:AuthnFailed\"/></samlp:StatusCode><samlp:StatusMessage>"
               "locked</samlp:StatusMessage>");
  auto r = validate_text(xml);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("AuthnFailed"), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("locked"), std::string::npos);
}

TEST(SamlResponse, EncryptedAssertionIsRefusedClearly) {
  auto xml = signed_response(sign_target::response);
  replace_once(xml, "</samlp:Status>", "</samlp:Status><saml:EncryptedAssertion><xenc:EncryptedData "
               "xmlns:xenc=\"http://www.w3.org/2001/04/xmlenc#\"><xenc:CipherData><xenc:CipherValue>AA==</xenc:CipherValue>"
               "</xenc:CipherData></xenc:EncryptedData></saml:EncryptedAssertion>");
  expect_refused(xml, sample_expectations(), "Encrypted assertions are not supported");
}

TEST(SamlResponse, UnsignedAssertionInsideUnsignedResponseIsRefused) {
  auto xml = signed_response(sign_target::assertion);
  auto start = xml.find("<ds:Signature"), end = xml.find("</ds:Signature>") + 15;
  xml.erase(start, end - start);
  auto r = validate_text(xml);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("Neither"), std::string::npos) << r.error().message;
}

}  // namespace
}  // namespace atrium::xml

namespace atrium::xml {
namespace {

using namespace testing;

// Values that exercise every escaping rule of text and attributes, an empty attribute value
// (written <x/>, with no text node), and the optional parts left out.
std::vector<response_values> byte_identity_cases() {
  std::vector<response_values> out{sample_values()};
  auto v = sample_values();
  v.name_id = "a&b<c>d\"e'f\tg\nh\ri ü";
  v.issuer = "https://idp.example/a?b=1&c='2'";
  v.attributes.push_back({"tabs\tand\nlines\r&<>\"'", "urn:oasis:names:tc:SAML:2.0:attrname-format:basic",
                          {"", " spaced ", "x\r\ny", "]]>", "€ \xF0\x9F\x98\x80"}});
  out.push_back(v);
  v = sample_values();
  v.in_response_to.reset();
  v.session_not_on_or_after.reset();
  v.attributes.clear();
  out.push_back(v);
  return out;
}

TEST(SamlResponse, TreeBuilderSignsTheSameBytesAsTextThenParse) {
  for (const auto& v : byte_identity_cases())
    for (auto target : {sign_target::assertion, sign_target::response, sign_target::both}) {
      seeded_random a(7), b(7);
      auto built = build_response(v, a, idp_signer(), target);
      ASSERT_TRUE(built) << built.error().message;
      EXPECT_EQ(*built, oracle::signed_response_text(v, b, idp_signer(), target));
    }
}

TEST(SamlResponse, UnsignedTreeIsTheOraclesDocument) {
  for (const auto& v : byte_identity_cases()) {
    seeded_random a(9), b(9);
    auto built = build_response_xml(v, a);
    ASSERT_TRUE(built) << built.error().message;
    auto parsed = document::parse(oracle::response_text(v, b));
    ASSERT_TRUE(parsed);
    EXPECT_EQ(*built, parsed->root_to_string());
  }
}

}  // namespace
}  // namespace atrium::xml
