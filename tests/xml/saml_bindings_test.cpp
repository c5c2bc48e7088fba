// xml/saml_bindings: HTTP-Redirect (DEFLATE, query, detached signature) and HTTP-POST.
#include "xml/saml_bindings.hpp"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "base/strings.hpp"
#include "xml_test_support.hpp"

namespace atrium::xml {
namespace {

using namespace testing;

const std::string request_xml =
    "<samlp:AuthnRequest xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\" "
    "xmlns:saml=\"urn:oasis:names:tc:SAML:2.0:assertion\" ID=\"_r1\" Version=\"2.0\" "
    "IssueInstant=\"2026-11-25T10:00:00Z\"><saml:Issuer>https://sp.example/</saml:Issuer></samlp:AuthnRequest>";

std::string sign_sha1(std::string_view octets) {
  const auto& pem = idp_keys().private_key_pem;
  BIO* b = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  EVP_PKEY* k = PEM_read_bio_PrivateKey(b, nullptr, nullptr, nullptr);
  BIO_free(b);
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  std::size_t len = 512;
  std::string sig(len, '\0');
  EVP_DigestSignInit(ctx, nullptr, EVP_sha1(), nullptr, k);
  EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(sig.data()), &len, reinterpret_cast<const unsigned char*>(octets.data()),
                 octets.size());
  EVP_MD_CTX_free(ctx);
  EVP_PKEY_free(k);
  sig.resize(len);
  return sig;
}

TEST(SamlBindings, DeflateRoundTripAndOutputLimit) {
  auto d = deflate_raw(request_xml);
  ASSERT_TRUE(d);
  auto back = inflate_raw(*d, 4096);
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, request_xml);
  // A deflate bomb: 10 MB of zeros in a few kB is cut at the limit.
  auto bomb = deflate_raw(std::string(10 << 20, '\0'));
  ASSERT_TRUE(bomb);
  EXPECT_LT(bomb->size(), 20'000u);
  auto r = inflate_raw(*bomb, 256 * 1024);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("larger than"), std::string::npos);
  EXPECT_FALSE(inflate_raw("not deflate", 4096));
  EXPECT_FALSE(inflate_raw(d->substr(0, d->size() / 2), 4096)) << "truncated";
  EXPECT_FALSE(inflate_raw(*d + "trailing", 4096));
}

TEST(SamlBindings, RedirectSignatureVerifies) {
  auto q = make_redirect_query(request_xml, true, "state 1/2&x", &idp_signer());
  ASSERT_TRUE(q) << q.error().message;
  auto parsed = parse_redirect_query("?" + *q + "&extra=ignored");
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_TRUE(parsed->is_request);
  EXPECT_EQ(parsed->relay_state, "state 1/2&x");
  EXPECT_EQ(parsed->sig_alg, alg_rsa_sha256);
  EXPECT_EQ(parsed->signed_octets, q->substr(0, q->find("&Signature=")));
  auto certs = trusted_certs::from_pem(idp_keys().certificate_pem);
  auto ok = verify_redirect_signature(*parsed, *certs);
  EXPECT_TRUE(ok) << ok.error().message;
  auto doc = decode_redirect_message(parsed->message);
  ASSERT_TRUE(doc) << doc.error().message;
  EXPECT_TRUE(is_element(doc->root(), ns_samlp, "AuthnRequest"));
}

TEST(SamlBindings, RedirectSignatureRefusals) {
  auto certs = trusted_certs::from_pem(idp_keys().certificate_pem);
  auto q = *make_redirect_query(request_xml, true, "state", &idp_signer());
  // Tampered RelayState (the signed octets change).
  auto tampered = q;
  replace_once(tampered, "RelayState=state", "RelayState=statf");
  EXPECT_FALSE(verify_redirect_signature(*parse_redirect_query(tampered), *certs));
  // Dropped RelayState.
  auto dropped = q;
  replace_once(dropped, "&RelayState=state", "");
  EXPECT_FALSE(verify_redirect_signature(*parse_redirect_query(dropped), *certs));
  // Wrong SigAlg: the same signature announced as RSA-SHA1.
  auto wrong_alg = q;
  replace_once(wrong_alg, url_encode(alg_rsa_sha256), url_encode(alg_rsa_sha1));
  auto r = verify_redirect_signature(*parse_redirect_query(wrong_alg), *certs);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("not accepted"), std::string::npos);
  EXPECT_FALSE(verify_redirect_signature(*parse_redirect_query(wrong_alg), *certs, {.allow_rsa_sha1 = true}));
  // Signed by someone else.
  auto other = *make_redirect_query(request_xml, true, "state", &attacker_signer());
  EXPECT_FALSE(verify_redirect_signature(*parse_redirect_query(other), *certs));
  // Unsigned.
  auto unsigned_q = *make_redirect_query(request_xml, true, std::nullopt, nullptr);
  EXPECT_FALSE(verify_redirect_signature(*parse_redirect_query(unsigned_q), *certs));
}

TEST(SamlBindings, RsaSha1RedirectOnlyWithTheFlag) {
  auto base = *make_redirect_query(request_xml, true, std::nullopt, nullptr) + "&SigAlg=" + url_encode(alg_rsa_sha1);
  auto q = base + "&Signature=" + url_encode(base64_encode(sign_sha1(base)));
  auto certs = trusted_certs::from_pem(idp_keys().certificate_pem);
  EXPECT_FALSE(verify_redirect_signature(*parse_redirect_query(q), *certs));
  EXPECT_TRUE(verify_redirect_signature(*parse_redirect_query(q), *certs, {.allow_rsa_sha1 = true}));
}

TEST(SamlBindings, QueryShapeRefusals) {
  EXPECT_FALSE(parse_redirect_query("SAMLRequest=a&SAMLRequest=b"));
  EXPECT_FALSE(parse_redirect_query("SAMLRequest=a&SAMLResponse=b"));
  EXPECT_FALSE(parse_redirect_query("RelayState=x"));
  EXPECT_FALSE(parse_redirect_query("SAMLRequest=a&SigAlg=x"));
  EXPECT_FALSE(parse_redirect_query("SAMLRequest=a&Signature=x"));
  EXPECT_FALSE(parse_redirect_query("SAMLRequest=%zz"));
  EXPECT_FALSE(parse_redirect_query("SAMLRequest=a&RelayState=1&RelayState=2"));
  auto ok = parse_redirect_query("SAMLResponse=a%2Bb+c");
  ASSERT_TRUE(ok);
  EXPECT_FALSE(ok->is_request);
  EXPECT_EQ(ok->message, "a+b c");
  EXPECT_TRUE(ok->signed_octets.empty());
}

TEST(SamlBindings, PostDecodingAcceptsLineBreaks) {
  std::string b64 = base64_encode(request_xml);
  for (std::size_t i = 76; i < b64.size(); i += 77) b64.insert(i, "\n");
  auto d = decode_post_message(b64);
  ASSERT_TRUE(d) << d.error().message;
  EXPECT_FALSE(decode_post_message("!!!"));
  EXPECT_FALSE(decode_post_message(base64_encode("<!DOCTYPE x><x/>")));
}

}  // namespace
}  // namespace atrium::xml
