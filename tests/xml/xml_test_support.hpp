#pragma once
// Shared fixtures of the tests/xml suites: an IdP key pair (RSA 2048, made once), a second
// "attacker" key pair, the SAML schema, and a Response with known values at a fixed time.
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "base/random.hpp"
#include "crypto/idp_keys.hpp"
#include "crypto/primitives.hpp"
#include "xml/dom.hpp"
#include "xml/names.hpp"
#include "xml/saml_response_builder.hpp"
#include "xml/saml_response_validator.hpp"
#include "xml/schema.hpp"
#include "xml/signer.hpp"
#include "xml/verifier.hpp"

namespace atrium::xml::testing {

using namespace std::chrono_literals;

inline sys_time t0() { return sys_time(std::chrono::sys_days(std::chrono::year(2026) / 11 / 25)) + 10h; }

inline crypto::idp_key_pair make_keys(const char* cn) {
  crypto::init();
  auto k = crypto::make_idp_key_pair(cn, t0() - std::chrono::days(1), std::chrono::days(365), 2048);
  if (!k) throw std::runtime_error(k.error().message);
  return std::move(*k);
}
inline const crypto::idp_key_pair& idp_keys() {
  static const auto k = make_keys("Atrium IdP test");
  return k;
}
inline const crypto::idp_key_pair& attacker_keys() {
  static const auto k = make_keys("Attacker");
  return k;
}

inline const signer& idp_signer() {
  static const signer s = *signer::from_pem(idp_keys().private_key_pem, idp_keys().certificate_pem);
  return s;
}
inline const signer& attacker_signer() {
  static const signer s = *signer::from_pem(attacker_keys().private_key_pem, attacker_keys().certificate_pem);
  return s;
}
inline verifier idp_verifier(verify_options o = {}) { return verifier(*trusted_certs::from_pem(idp_keys().certificate_pem), o); }

inline const saml_schema& schema() {
  static auto s = saml_schema::shared();
  if (!s) throw std::runtime_error(s.error().message);
  return **s;
}

inline constexpr const char* idp_entity = "https://idp.atrium.test/saml/metadata/ssoins-0123456789abcdef";
inline constexpr const char* sp_entity = "urn:amazon:webservices";
inline constexpr const char* acs = "https://signin.aws.amazon.com/saml";

inline response_values sample_values() {
  response_values v;
  v.issuer = idp_entity;
  v.destination = acs;
  v.recipient = acs;
  v.audience = sp_entity;
  v.in_response_to = "_request0123456789abcdef0123456789ab";
  v.name_id = "alice@example.com";
  v.name_id_format = "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress";
  v.session_index = "_session1";
  v.issue_instant = t0();
  v.authn_instant = t0() - 10s;
  v.not_before = t0() - 5s;
  v.not_on_or_after = t0() + 5min;
  v.session_not_on_or_after = t0() + 8h;
  v.attributes = {{"https://aws.amazon.com/SAML/Attributes/RoleSessionName", "urn:oasis:names:tc:SAML:2.0:attrname-format:uri", {"alice"}},
                  {"https://aws.amazon.com/SAML/Attributes/Role", "urn:oasis:names:tc:SAML:2.0:attrname-format:uri",
                   {"arn:aws:iam::111122223333:role/R,arn:aws:iam::111122223333:saml-provider/P", "a<b>&\"c'"}}};
  return v;
}

inline response_expectations sample_expectations() {
  response_expectations e;
  e.idp_entity_id = idp_entity;
  e.sp_entity_id = sp_entity;
  e.acs_url = acs;
  e.in_response_to = "_request0123456789abcdef0123456789ab";
  e.now = t0() + 30s;
  e.clock_skew = 60s;
  return e;
}

inline std::string signed_response(sign_target target, const response_values& v = sample_values(),
                                   const signer& s = idp_signer()) {
  seeded_random random(42);
  auto xml = build_response(v, random, s, target);
  if (!xml) throw std::runtime_error(xml.error().message);
  return *xml;
}

inline result<validated_assertion> validate_text(const std::string& xml, const response_expectations& e = sample_expectations(),
                                                 const verifier& v = idp_verifier()) {
  auto doc = document::parse(xml);
  if (!doc) return std::unexpected(doc.error());
  return validate_response(*doc, e, v, schema());
}

inline void replace_once(std::string& s, std::string_view from, std::string_view to) {
  auto at = s.find(from);
  if (at == std::string::npos) throw std::runtime_error("test fixture: text not found: " + std::string(from));
  s.replace(at, from.size(), to);
}

}  // namespace atrium::xml::testing
