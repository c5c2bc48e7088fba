// WebAuthn L2 registration (§7.1) and assertion (§7.2) checks against recorded vectors made by
// tests/crypto/webauthn_vectors/make_vectors.py (a software authenticator: ES256, RS256 and
// EdDSA keys; attestation formats none, packed self/x5c and fido-u2f), and every refusal the
// issue names: wrong challenge, origin, rpIdHash, type, UP missing, UV required but missing,
// bad signature, signCount regression, truncated CBOR.
#include "crypto/webauthn.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "base/strings.hpp"
#include "crypto/cbor.hpp"

namespace atrium::crypto::webauthn {
namespace {

using nlohmann::json;

const json& vectors() {
  static const json v = [] {
    std::ifstream in(ATRIUM_WEBAUTHN_VECTORS);
    std::stringstream ss;
    ss << in.rdbuf();
    return json::parse(ss.str());
  }();
  return v;
}

std::string bin(const json& j, const char* key) { return *base64url_decode(j.at(key).get<std::string>()); }

const json& reg(const char* name) { return vectors()["registration"][name]; }
const json& asr(const char* name) { return vectors()["assertion"][name]; }

expectations expect(const json& v) {
  return {bin(v, "challenge"), vectors()["origin"].get<std::string>(), vectors()["rpId"].get<std::string>(), false};
}

result<registration> register_(const json& v, expectations e) {
  return verify_registration(bin(v, "clientDataJSON"), bin(v, "attestationObject"), e);
}
result<registration> register_(const json& v) { return register_(v, expect(v)); }

result<assertion> assert_(const json& v, expectations e, std::string sig = {}, std::string ad = {}) {
  if (sig.empty()) sig = bin(v, "signature");
  if (ad.empty()) ad = bin(v, "authenticatorData");
  return verify_assertion(bin(v, "clientDataJSON"), ad, sig, bin(v, "publicKey"), e);
}
result<assertion> assert_(const json& v) { return assert_(v, expect(v)); }

errc code_of(const auto& r) { return r ? errc::internal : r.error().code; }

TEST(webauthn_registration, accepts_every_format_and_algorithm) {
  struct row {
    const char* name;
    const char* format;
    attestation_type type;
    cose_alg alg;
  };
  for (const auto& c : {row{"none_es256", "none", attestation_type::none, cose_alg::es256},
                        row{"none_rs256", "none", attestation_type::none, cose_alg::rs256},
                        row{"none_eddsa", "none", attestation_type::none, cose_alg::eddsa},
                        row{"packed_self_es256", "packed", attestation_type::self, cose_alg::es256},
                        row{"packed_self_rs256", "packed", attestation_type::self, cose_alg::rs256},
                        row{"packed_x5c", "packed", attestation_type::basic, cose_alg::es256},
                        row{"fido_u2f", "fido-u2f", attestation_type::basic, cose_alg::es256}}) {
    auto r = register_(reg(c.name));
    ASSERT_TRUE(r) << c.name << ": " << r.error().message;
    EXPECT_EQ(r->format, c.format) << c.name;
    EXPECT_EQ(r->attestation, c.type) << c.name;
    EXPECT_EQ(r->alg, c.alg) << c.name;
    EXPECT_EQ(r->credential_id, bin(reg(c.name), "credentialId")) << c.name;
    EXPECT_EQ(r->public_key, bin(reg(c.name), "publicKey")) << c.name;
    EXPECT_EQ(r->sign_count, 0u);
    EXPECT_FALSE(r->user_verified);
  }
}

TEST(webauthn_registration, refuses_what_does_not_match_the_ceremony) {
  const auto& v = reg("packed_x5c");
  auto e = expect(v);
  e.challenge[0] ^= 1;
  EXPECT_EQ(code_of(register_(v, e)), errc::unauthenticated);
  e = expect(v);
  e.origin = "https://evil.example";
  EXPECT_EQ(code_of(register_(v, e)), errc::unauthenticated);
  e = expect(v);
  e.origin += "/";
  EXPECT_EQ(code_of(register_(v, e)), errc::unauthenticated);
  e = expect(v);
  e.rp_id = "example.com";  // rpIdHash differs
  EXPECT_EQ(code_of(register_(v, e)), errc::unauthenticated);
  e = expect(v);
  e.require_user_verification = true;  // the vector has UP only
  EXPECT_EQ(code_of(register_(v, e)), errc::unauthenticated);
  EXPECT_EQ(code_of(register_(reg("wrong_type"))), errc::unauthenticated);
  EXPECT_EQ(code_of(register_(reg("no_up"))), errc::unauthenticated);
}

TEST(webauthn_registration, attestation_signatures_cover_client_data) {
  // The same client data with a space added hashes differently: signed formats fail, while
  // "none" signs nothing and still passes (its checks are on the parsed fields).
  for (const char* name : {"packed_self_es256", "packed_self_rs256", "packed_x5c", "fido_u2f", "none_es256"}) {
    const auto& v = reg(name);
    std::string cdj = " " + bin(v, "clientDataJSON");
    auto r = verify_registration(cdj, bin(v, "attestationObject"), expect(v));
    if (std::string(name) == "none_es256") {
      EXPECT_TRUE(r) << name;
    } else {
      EXPECT_EQ(code_of(r), errc::unauthenticated) << name;
    }
  }
}

TEST(webauthn_registration, truncated_or_padded_cbor_is_malformed) {
  for (const char* name : {"none_es256", "packed_x5c", "fido_u2f"}) {
    const auto& v = reg(name);
    std::string att = bin(v, "attestationObject");
    for (std::size_t n = 0; n < att.size(); ++n) {
      auto r = verify_registration(bin(v, "clientDataJSON"), att.substr(0, n), expect(v));
      ASSERT_FALSE(r) << name << " at " << n;
      EXPECT_EQ(r.error().code, errc::validation) << name << " at " << n;
    }
    EXPECT_EQ(code_of(verify_registration(bin(v, "clientDataJSON"), att + '\0', expect(v))), errc::validation);
  }
}

TEST(webauthn_registration, malformed_client_data_is_refused) {
  const auto& v = reg("none_es256");
  auto att = bin(v, "attestationObject");
  EXPECT_EQ(code_of(verify_registration("", att, expect(v))), errc::validation);
  EXPECT_EQ(code_of(verify_registration("[]", att, expect(v))), errc::validation);
  EXPECT_EQ(code_of(verify_registration("{\"type\":\"webauthn.create\"}", att, expect(v))), errc::validation);
  EXPECT_EQ(code_of(verify_registration(std::string(5000, ' '), att, expect(v))), errc::validation);
  auto cross = json::parse(bin(v, "clientDataJSON"));
  cross["crossOrigin"] = true;
  EXPECT_EQ(code_of(verify_registration(cross.dump(), att, expect(v))), errc::unauthenticated);
}

TEST(webauthn_assertion, accepts_es256_rs256_and_eddsa) {
  for (const char* name : {"es256", "es256_uv", "rs256", "eddsa"}) {
    auto r = assert_(asr(name));
    ASSERT_TRUE(r) << name << ": " << r.error().message;
    EXPECT_EQ(r->sign_count, asr(name)["signCount"].get<uint32_t>()) << name;
  }
  EXPECT_TRUE(assert_(asr("es256_uv"))->user_verified);
  EXPECT_FALSE(assert_(asr("es256"))->user_verified);
}

TEST(webauthn_assertion, user_verification_when_required) {
  auto e = expect(asr("es256_uv"));
  e.require_user_verification = true;
  EXPECT_TRUE(assert_(asr("es256_uv"), e));
  e = expect(asr("es256"));
  e.require_user_verification = true;
  EXPECT_EQ(code_of(assert_(asr("es256"), e)), errc::unauthenticated);
}

TEST(webauthn_assertion, refuses_mismatches) {
  const auto& v = asr("es256");
  auto e = expect(v);
  e.challenge = std::string(32, 'x');
  EXPECT_EQ(code_of(assert_(v, e)), errc::unauthenticated);
  e = expect(v);
  e.origin = "https://localhost:8444";
  EXPECT_EQ(code_of(assert_(v, e)), errc::unauthenticated);
  e = expect(v);
  e.rp_id = "127.0.0.1";
  EXPECT_EQ(code_of(assert_(v, e)), errc::unauthenticated);
  EXPECT_EQ(code_of(assert_(asr("es256_no_up"))), errc::unauthenticated);
  EXPECT_EQ(code_of(assert_(asr("es256_wrong_type"))), errc::unauthenticated);
}

TEST(webauthn_assertion, bad_signatures_fail) {
  for (const char* name : {"es256", "rs256", "eddsa"}) {
    const auto& v = asr(name);
    std::string sig = bin(v, "signature");
    sig[sig.size() / 2] ^= 0x01;
    EXPECT_EQ(code_of(assert_(v, expect(v), sig)), errc::unauthenticated) << name;
    // A changed signature counter is covered by the signature too.
    std::string ad = bin(v, "authenticatorData");
    ad[36] ^= 0x01;
    EXPECT_EQ(code_of(assert_(v, expect(v), {}, ad)), errc::unauthenticated) << name;
  }
  // A signature checked with another credential's key.
  const auto& es = asr("es256");
  auto other = verify_assertion(bin(es, "clientDataJSON"), bin(es, "authenticatorData"), bin(es, "signature"),
                                bin(asr("rs256"), "publicKey"), expect(es));
  EXPECT_EQ(code_of(other), errc::unauthenticated);
}

TEST(webauthn_assertion, sign_count_regression_is_refused) {
  EXPECT_TRUE(sign_count_ok(0, 0));    // no counter on this authenticator
  EXPECT_TRUE(sign_count_ok(0, 1));
  EXPECT_TRUE(sign_count_ok(5, 6));
  EXPECT_FALSE(sign_count_ok(5, 5));   // replayed or cloned
  EXPECT_FALSE(sign_count_ok(5, 4));
  EXPECT_FALSE(sign_count_ok(5, 0));   // §7.2 step 21: either counter nonzero
  auto r = assert_(asr("es256"));
  ASSERT_TRUE(r);
  EXPECT_FALSE(sign_count_ok(r->sign_count, r->sign_count));
}

TEST(webauthn_authenticator_data, layout_and_limits) {
  std::string base(32, 'h');
  base += '\x01';
  base += std::string("\0\0\0\x07", 4);
  auto ad = parse_authenticator_data(base);
  ASSERT_TRUE(ad);
  EXPECT_EQ(ad->sign_count, 7u);
  EXPECT_EQ(ad->flags, flag_up);
  EXPECT_FALSE(parse_authenticator_data(base.substr(0, 36)));
  EXPECT_FALSE(parse_authenticator_data(base + "x"));  // trailing bytes
  // AT with a credential id of 1024 bytes.
  std::string at = base;
  at[32] = static_cast<char>(flag_up | flag_at);
  at += std::string(16, '\0') + std::string("\x04\x00", 2) + std::string(1024, 'c') + "\xa0";
  EXPECT_EQ(code_of(parse_authenticator_data(at)), errc::validation);
}

TEST(webauthn_cbor, indefinite_lengths_and_deep_nesting_are_refused) {
  EXPECT_EQ(*cbor::item_length(std::string("\xa1\x61" "a\x01", 4)), 4u);
  EXPECT_FALSE(cbor::item_length(std::string("\x9f\x01\xff", 3)));  // indefinite array
  EXPECT_FALSE(cbor::item_length(std::string(100, '\x81') + '\x01'));
  EXPECT_FALSE(cbor::item_length(std::string("\x5a\xff\xff\xff\xff", 5)));  // length past the end
  EXPECT_FALSE(cbor::item_length(std::string("\x9b\xff\xff\xff\xff\xff\xff\xff\xff", 9)));
}

}  // namespace
}  // namespace atrium::crypto::webauthn
