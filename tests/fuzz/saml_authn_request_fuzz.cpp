// libFuzzer target: SAML message parsing on untrusted bytes (xml/document, xml/schema,
// xml/saml_bindings, xml/saml_authn_request, xml/verifier, xml/saml_response_validator).
// The first byte picks the path, the rest is the input:
//   0: an HTTP-Redirect query string (parse_redirect_query, redirect signature, inflate, AuthnRequest)
//   1: an HTTP-POST SAMLRequest value (base64), read as an AuthnRequest
//   2: raw XML read as an AuthnRequest (skips base64 so the fuzzer reaches the XML quickly)
//   3: raw XML validated as a Response (schema, assertion count, signatures against a fixed
//      trusted certificate, every SP-side check)
//   4: raw DEFLATE data (inflate_raw with the output limit)
// Seeds: tests/fuzz/corpus/saml_authn_request.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "base/strings.hpp"
#include "xml/saml_authn_request.hpp"
#include "xml/saml_bindings.hpp"
#include "xml/saml_response_validator.hpp"

using namespace atrium;
using namespace atrium::xml;

namespace {

// A fixed self-signed RSA-2048 certificate: signatures in fuzzed input never verify, but every
// check before and around xmlsec runs.
constexpr const char* cert_pem = R"(-----BEGIN CERTIFICATE-----
MIIDDTCCAfWgAwIBAgIUJPWzw5k7GZvDKGT6ageV6CXQBkgwDQYJKoZIhvcNAQEL
BQAwFjEUMBIGA1UEAwwLYXRyaXVtLWZ1enowHhcNMjYxMjA3MDMyODE5WhcNMzYx
MjA0MDMyODE5WjAWMRQwEgYDVQQDDAthdHJpdW0tZnV6ejCCASIwDQYJKoZIhvcN
AQEBBQADggEPADCCAQoCggEBALetI0Q6/EAPf01R5EBJq4XbUsOAMt6cukrIaIdf
yQuNY+siXVRT3bzBFNYdKC/07mIyGAa2aBtLIwixSD3AGvazd+pM3yx4picX7fnt
q/Pd7Ey6x4yGbh1L5qCWETkn4fl75UAfNzL+GvbDIIOe6FXfkt+K2DnoIsXT7Bvc
lDLU8cP+aM225Wo3CrQz5XyLWhh7hkSW0Rbv8iW3/dmHikWNsRGkO4ExsalFJ38S
a/f9ef8RQDEwlXaxYKLeD8VldJLMMmifn6DPZDqRzW9CVY2c+Cdcn/3ow6tFYYO+
2wmjPCtV/mPnsxl7OzWeS0ijwPXK+PLZ++5F9sRs3rMG7H8CAwEAAaNTMFEwHQYD
VR0OBBYEFAcUR0Apacsvq+EbdT5Rx4c31vmnMB8GA1UdIwQYMBaAFAcUR0Apacsv
q+EbdT5Rx4c31vmnMA8GA1UdEwEB/wQFMAMBAf8wDQYJKoZIhvcNAQELBQADggEB
ADNQysXydgit5nYGcdV+H3I1g5htdHA2734Ai8g7P/QxTQQaDukrQ7QakjVugcAz
VSZEjlwaFhZceLD4+sckPL6sxEAiBdG37wK6uxfReTNRHvEFx8kph+ojYlU+obch
SN2CWU7Ag8wvS9tDtUsgtOC34Xg3PdkAju5XOoTbyGaEB+57AYZ38i0KYzeE1899
SdRz6iV9TfN3nLWAU54vPU5sYW6Jhu2aFaEwKVLQYCRhsfHfw/u0Qg6NQW9ykHwe
w69+xNQim9uQzV75YV2dStbONQ0XwPrcgr2DBTTKIK1xruWAarXV+TPPy4JaB8AH
oCUfrwNpQcoT2yQNcU7tqmk=
-----END CERTIFICATE-----
)";

struct fixture {
  std::shared_ptr<const saml_schema> schema;
  std::optional<verifier> verify;
  fixture() {
    auto s = saml_schema::shared();
    if (s) schema = *s;
    auto certs = trusted_certs::from_pem(cert_pem);
    if (certs) verify.emplace(std::move(*certs));
  }
};

const fixture& get() {
  static const fixture f;
  return f;
}

void fuzz_redirect(std::string_view in, const fixture& f) {
  auto q = parse_redirect_query(in);
  if (!q) return;
  if (f.verify) (void)verify_redirect_signature(*q, f.verify->certificates());
  (void)parse_authn_request(q->message, saml_binding::redirect, *f.schema);
}

void fuzz_response(std::string_view in, const fixture& f) {
  auto doc = document::parse(in);
  if (!doc || !f.verify) return;
  response_expectations e;
  e.idp_entity_id = "https://idp.example/";
  e.sp_entity_id = "urn:amazon:webservices";
  e.acs_url = "https://signin.aws.amazon.com/saml";
  e.allow_unsolicited = true;
  e.now = sys_time(std::chrono::sys_days(std::chrono::year(2026) / 11 / 25));
  (void)validate_response(*doc, e, *f.verify, *f.schema);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const fixture& f = get();
  if (!f.schema) return 0;
  std::string_view in(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 5) {
    case 0: fuzz_redirect(in, f); break;
    case 1: (void)parse_authn_request(in, saml_binding::post, *f.schema); break;
    case 2: {
      auto doc = document::parse(in);
      if (doc) (void)read_authn_request(*doc, *f.schema);
      break;
    }
    case 3: fuzz_response(in, f); break;
    case 4: (void)inflate_raw(in, 64 * 1024); break;
  }
  return 0;
}
