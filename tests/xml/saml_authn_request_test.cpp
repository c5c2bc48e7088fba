// xml/saml_authn_request: AuthnRequests over HTTP-Redirect and HTTP-POST (SAML core §3.4.1).
#include "xml/saml_authn_request.hpp"

#include <gtest/gtest.h>

#include "base/strings.hpp"
#include "xml/saml_time.hpp"
#include "xml_test_support.hpp"

namespace atrium::xml {
namespace {

using namespace testing;

std::string request(const std::string& attrs, const std::string& children = "") {
  return "<samlp:AuthnRequest xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\" "
         "xmlns:saml=\"urn:oasis:names:tc:SAML:2.0:assertion\" ID=\"_a1b2\" IssueInstant=\"2026-11-25T10:00:00Z\" " +
         attrs + "><saml:Issuer>https://sp.example/metadata</saml:Issuer>" + children + "</samlp:AuthnRequest>";
}

const std::string full = request(
    "Version=\"2.0\" Destination=\"https://idp.example/sso\" ForceAuthn=\"true\" IsPassive=\"0\" "
    "AssertionConsumerServiceURL=\"https://sp.example/acs\" ProtocolBinding=\"urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST\"",
    "<samlp:NameIDPolicy Format=\"urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress\" AllowCreate=\"true\"/>");

void expect_full(const authn_request& r) {
  EXPECT_EQ(r.id, "_a1b2");
  EXPECT_EQ(r.issue_instant, *parse_saml_time("2026-11-25T10:00:00Z"));
  EXPECT_EQ(r.issuer, "https://sp.example/metadata");
  EXPECT_EQ(r.destination, "https://idp.example/sso");
  EXPECT_EQ(r.acs_url, "https://sp.example/acs");
  EXPECT_FALSE(r.acs_index);
  EXPECT_EQ(r.protocol_binding, binding_post);
  EXPECT_EQ(r.name_id_format, "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress");
  EXPECT_TRUE(r.force_authn);
  EXPECT_FALSE(r.is_passive);
  EXPECT_FALSE(r.has_signature);
}

TEST(SamlAuthnRequest, ReadsRedirectBinding) {
  auto q = make_redirect_query(full, true, "rs", nullptr);
  auto parsed_q = parse_redirect_query(*q);
  ASSERT_TRUE(parsed_q);
  auto r = parse_authn_request(parsed_q->message, saml_binding::redirect, schema());
  ASSERT_TRUE(r) << r.error().message;
  expect_full(r->request);
}

TEST(SamlAuthnRequest, ReadsPostBinding) {
  auto r = parse_authn_request(base64_encode(full), saml_binding::post, schema());
  ASSERT_TRUE(r) << r.error().message;
  expect_full(r->request);
}

TEST(SamlAuthnRequest, ReadsIndexAndDefaults) {
  auto r = parse_authn_request(base64_encode(request("Version=\"2.0\" AssertionConsumerServiceIndex=\"3\"")),
                               saml_binding::post, schema());
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->request.acs_index, 3);
  EXPECT_FALSE(r->request.acs_url);
  EXPECT_FALSE(r->request.force_authn);
  EXPECT_FALSE(r->request.name_id_format);
}

TEST(SamlAuthnRequest, SignedPostRequestVerifiesOnTheRoot) {
  auto doc = document::parse(full);
  ASSERT_TRUE(idp_signer().sign(*doc, doc->root()));
  auto r = parse_authn_request(base64_encode(doc->to_string()), saml_binding::post, schema());
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(r->request.has_signature);
  auto v = idp_verifier().verify(r->doc, r->doc.root());
  EXPECT_TRUE(v) << v.error().message;
}

TEST(SamlAuthnRequest, Refusals) {
  struct bad { std::string xml; const char* why; };
  const bad cases[] = {
      {request("Version=\"1.1\""), "2.0"},
      {request("Version=\"2.0\" AssertionConsumerServiceIndex=\"1\" AssertionConsumerServiceURL=\"https://x\""), "excludes"},
      {"<samlp:AuthnRequest xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\" ID=\"_a\" Version=\"2.0\" "
       "IssueInstant=\"2026-11-25T10:00:00Z\"/>", "Issuer"},
      {request("Version=\"2.0\" ForceAuthn=\"yes\""), "schema"},
      {request("Version=\"2.0\"", "<samlp:Unknown/>"), "schema"},
      {"<samlp:LogoutRequest xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\"/>", "not an AuthnRequest"},
  };
  for (const auto& c : cases) {
    auto r = parse_authn_request(base64_encode(c.xml), saml_binding::post, schema());
    ASSERT_FALSE(r) << c.xml;
    EXPECT_NE(r.error().message.find(c.why), std::string::npos) << r.error().message;
  }
  EXPECT_FALSE(parse_authn_request("%%%", saml_binding::redirect, schema()));
  EXPECT_FALSE(parse_authn_request(base64_encode(full), saml_binding::redirect, schema())) << "not deflated";
}

TEST(SamlAuthnRequest, SamlTimes) {
  EXPECT_TRUE(parse_saml_time("2026-11-25T10:00:00.123456Z"));
  EXPECT_EQ(*parse_saml_time("2026-11-25T10:00:00.5Z") - *parse_saml_time("2026-11-25T10:00:00Z"), std::chrono::milliseconds(500));
  for (const char* bad : {"2026-11-25T10:00:00", "2026-11-25T10:00:00+01:00", "2026-02-30T10:00:00Z",
                          "2026-11-25T24:00:00Z", "2026-11-25T10:00:60Z", "2026-11-25 10:00:00Z", "2026-11-25T10:00:00.Z"})
    EXPECT_FALSE(parse_saml_time(bad)) << bad;
  EXPECT_EQ(format_saml_time(*parse_saml_time("2026-11-25T10:00:00Z")), "2026-11-25T10:00:00Z");
}

}  // namespace
}  // namespace atrium::xml
