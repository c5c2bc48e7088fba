// Interop with the real xmlsec1 command-line tool (Debian's `xmlsec1`): it verifies what
// Atrium signs, and Atrium verifies what it signs from a template. Skipped with the reason
// when the tool is missing (install with scripts/install-deps).
#include <gtest/gtest.h>
#include <stdlib.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "xml_test_support.hpp"

namespace atrium::xml {
namespace {

using namespace testing;
namespace fs = std::filesystem;

bool have_xmlsec1() { return std::system("command -v xmlsec1 >/dev/null 2>&1") == 0; }

#define REQUIRE_XMLSEC1()                                                                                 \
  if (!have_xmlsec1())                                                                                    \
  GTEST_SKIP() << "the xmlsec1 command-line tool is not installed; install with scripts/install-deps"

class XmlInterop : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "atrium-xmlsec-XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    write("idp-cert.pem", idp_keys().certificate_pem);
    write("idp-key.pem", idp_keys().private_key_pem);
    write("attacker-cert.pem", attacker_keys().certificate_pem);
    write("attacker-key.pem", attacker_keys().private_key_pem);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  void write(const std::string& name, const std::string& text) const { std::ofstream(path(name), std::ios::binary) << text; }
  std::string read(const std::string& name) const {
    std::ifstream in(path(name), std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  // Runs xmlsec1 with `args`; returns its exit status, its output in `log`.
  int xmlsec1(const std::string& args) {
    std::string cmd = "cd '" + dir_.string() + "' && xmlsec1 " + args + " >xmlsec1.log 2>&1";
    int rc = std::system(cmd.c_str());
    log = read("xmlsec1.log");
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
  }

  std::string log;

 private:
  fs::path dir_;
};

constexpr const char* assertion_id_attr = "--id-attr:ID urn:oasis:names:tc:SAML:2.0:assertion:Assertion";
constexpr const char* response_id_attr = "--id-attr:ID urn:oasis:names:tc:SAML:2.0:protocol:Response";

TEST_F(XmlInterop, XmlsecCliVerifiesOurSignedAssertion) {
  REQUIRE_XMLSEC1();
  write("response.xml", signed_response(sign_target::assertion));
  EXPECT_EQ(xmlsec1(std::string("--verify --pubkey-cert-pem idp-cert.pem ") + assertion_id_attr + " response.xml"), 0) << log;
  // Control: the tool does refuse a tampered one and another key.
  auto tampered = signed_response(sign_target::assertion);
  replace_once(tampered, "alice@example.com", "mallory@example.com");
  write("tampered.xml", tampered);
  EXPECT_NE(xmlsec1(std::string("--verify --pubkey-cert-pem idp-cert.pem ") + assertion_id_attr + " tampered.xml"), 0) << log;
  EXPECT_NE(xmlsec1(std::string("--verify --pubkey-cert-pem attacker-cert.pem ") + assertion_id_attr + " response.xml"), 0)
      << log;
}

TEST_F(XmlInterop, XmlsecCliVerifiesOurSignedResponse) {
  REQUIRE_XMLSEC1();
  write("response.xml", signed_response(sign_target::both));
  EXPECT_EQ(xmlsec1(std::string("--verify --pubkey-cert-pem idp-cert.pem ") + response_id_attr + " " + assertion_id_attr +
                    " response.xml"),
            0)
      << log;
}

// A Response whose Assertion carries an empty signature template for xmlsec1 --sign.
std::string template_response(const char* signature_method, response_values v = sample_values()) {
  seeded_random random(9);
  std::string xml = *build_response_xml(v, random);
  auto at = xml.find("</saml:Issuer>", xml.find("<saml:Assertion")) + 14;
  auto id_at = xml.find("ID=\"", xml.find("<saml:Assertion")) + 4;
  std::string id = xml.substr(id_at, xml.find('"', id_at) - id_at);
  xml.insert(at, std::string("<ds:Signature xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\"><ds:SignedInfo>"
                             "<ds:CanonicalizationMethod Algorithm=\"http://www.w3.org/2001/10/xml-exc-c14n#\"/>"
                             "<ds:SignatureMethod Algorithm=\"") +
                     signature_method + "\"/><ds:Reference URI=\"#" + id +
                     "\"><ds:Transforms><ds:Transform Algorithm=\"http://www.w3.org/2000/09/xmldsig#enveloped-signature\"/>"
                     "<ds:Transform Algorithm=\"http://www.w3.org/2001/10/xml-exc-c14n#\"/></ds:Transforms>"
                     "<ds:DigestMethod Algorithm=\"http://www.w3.org/2001/04/xmlenc#sha256\"/><ds:DigestValue/>"
                     "</ds:Reference></ds:SignedInfo><ds:SignatureValue/><ds:KeyInfo><ds:X509Data><ds:X509Certificate/>"
                     "</ds:X509Data></ds:KeyInfo></ds:Signature>");
  return xml;
}

TEST_F(XmlInterop, VerifiesAResponseSignedByXmlsecCli) {
  REQUIRE_XMLSEC1();
  write("template.xml", template_response(alg_rsa_sha256));
  ASSERT_EQ(xmlsec1(std::string("--sign --privkey-pem idp-key.pem,idp-cert.pem ") + assertion_id_attr +
                    " --output signed.xml template.xml"),
            0)
      << log;
  auto signed_xml = read("signed.xml");
  auto r = validate_text(signed_xml);
  ASSERT_TRUE(r) << r.error().message << "\n" << signed_xml;
  EXPECT_EQ(r->name_id, "alice@example.com");
  EXPECT_TRUE(r->assertion_signed);
  // The same made with the attacker's key (and certificate in KeyInfo) is refused.
  ASSERT_EQ(xmlsec1(std::string("--sign --privkey-pem attacker-key.pem,attacker-cert.pem ") + assertion_id_attr +
                    " --output evil.xml template.xml"),
            0)
      << log;
  auto evil = validate_text(read("evil.xml"));
  ASSERT_FALSE(evil);
  EXPECT_EQ(evil.error().code, errc::unauthenticated);
}

TEST_F(XmlInterop, RsaSha1FromXmlsecCliOnlyWithTheFlag) {
  REQUIRE_XMLSEC1();
  write("template.xml", template_response(alg_rsa_sha1));
  ASSERT_EQ(xmlsec1(std::string("--sign --privkey-pem idp-key.pem,idp-cert.pem ") + assertion_id_attr +
                    " --output signed.xml template.xml"),
            0)
      << log;
  auto xml = read("signed.xml");
  auto refused = validate_text(xml);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("not accepted"), std::string::npos) << refused.error().message;
  auto allowed = validate_text(xml, sample_expectations(), idp_verifier({.allow_rsa_sha1 = true}));
  EXPECT_TRUE(allowed) << allowed.error().message;
}

TEST_F(XmlInterop, XmlsecAloneAcceptsXsw5WhichAtriumRefuses) {
  // Why the verifier's own checks exist: XSW5 (the forged Assertion keeps the original
  // Signature, the original is appended unsigned) passes plain xmlsec verification, because
  // the reference still resolves to the untouched original.
  REQUIRE_XMLSEC1();
  auto doc = document::parse(signed_response(sign_target::assertion));
  xmlNode* a = element_children(doc->root(), ns_saml, "Assertion").front();
  xmlNode* original = xmlDocCopyNode(a, doc->get(), 1);
  xmlNode* sig = element_children(original, ns_ds, "Signature").front();
  xmlUnlinkNode(sig);
  xmlFreeNode(sig);
  xmlAddChild(doc->root(), original);
  xmlSetProp(a, reinterpret_cast<const xmlChar*>("ID"), reinterpret_cast<const xmlChar*>("_evil0123456789abcdef0123456789ab"));
  for (xmlNode* s = element_children(a, ns_saml, "Subject").front()->children; s; s = s->next)
    if (is_element(s, ns_saml, "NameID")) xmlNodeSetContent(s, reinterpret_cast<const xmlChar*>("mallory@evil.example"));
  write("xsw5.xml", doc->to_string());
  EXPECT_EQ(xmlsec1(std::string("--verify --pubkey-cert-pem idp-cert.pem ") + assertion_id_attr + " xsw5.xml"), 0) << log;
  auto r = validate_text(doc->to_string());
  ASSERT_FALSE(r);
  auto again = document::parse(doc->to_string());
  EXPECT_FALSE(idp_verifier().verify(*again, element_children(again->root(), ns_saml, "Assertion").front()));
}

}  // namespace
}  // namespace atrium::xml
