// libFuzzer target: the SP side's Response validation (issue 17 item 10),
// xml::validate_post_response with a fixed trusted certificate whose key really signed the seeds
// (tests/fuzz/corpus/saml_response, made by make_saml_response_seeds.py at the fixed clock
// below). saml_authn_request_fuzz's path 3 runs validate_response against a certificate nobody
// holds the key of, so no input gets past the signature there; here the seeds do, and mutations
// of them reach the checks after it (Destination, Issuer, InResponseTo, Recipient, times,
// Audience, attributes) and the wrapping defences with a signature that verifies.
// The first byte picks the mode, the rest is the input:
//   0: raw XML, solicited (InResponseTo "_fuzzreq" expected); base64-encoded here
//   1: raw XML, unsolicited (IdP-initiated allowed)
//   2: the form value SAMLResponse as posted (base64), solicited
// ATRIUM_FUZZ_VERBOSE=1 prints each input's outcome (to check that the seeds verify).
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "base/strings.hpp"
#include "xml/saml_response_validator.hpp"

using namespace atrium;
using namespace atrium::xml;

namespace {

// tests/fuzz/saml_response_fuzz.crt (RSA-2048, self-signed, test-only).
constexpr const char* trusted_pem = R"(-----BEGIN CERTIFICATE-----
MIIDEzCCAfugAwIBAgIUZXDVt0xegfH0xGD6QZ3u3sY573UwDQYJKoZIhvcNAQEL
BQAwGTEXMBUGA1UEAwwOYXRyaXVtLWZ1enotc3AwHhcNMjYxMjA3MTAwMTExWhcN
MzYxMjA0MTAwMTExWjAZMRcwFQYDVQQDDA5hdHJpdW0tZnV6ei1zcDCCASIwDQYJ
KoZIhvcNAQEBBQADggEPADCCAQoCggEBAO2uJFacfMIKx/E2mss2tw/R3lKEwXfE
QljMv/Xoh5loWXERZJH4tlgks9VGoOPehfcG6TWwSnlrNPwk9fvirFCkWfQcUJGS
whBRbou1Hvn4YHtT9DMDQxpVEtodKCPLJTjG/Ot4nj/qyXYaE4/BxmTUviKCgvtr
vyLalR21bKXcUL2Zfg6oCzCERgBgWKdGIc8I4Fqjt6P603asyRAT8m/vzv3HxZLT
ScRjkappx04mj0VbP+16VYP7dQNGJNe+dgPDRuE2MeQFO2d8lxuR+Ibw7pjk5+0j
S8/BVb1DVEw8l2NKQZVXA+SnTg2k/+fOqZLXNSt4sUfvnTx2pm0MtrsCAwEAAaNT
MFEwHQYDVR0OBBYEFJqusB/jqxrjEF+89rZ2zQcz7QJpMB8GA1UdIwQYMBaAFJqu
sB/jqxrjEF+89rZ2zQcz7QJpMA8GA1UdEwEB/wQFMAMBAf8wDQYJKoZIhvcNAQEL
BQADggEBAKXSt63rDnhLqH2aC+Z+gf+MSFw+sqtCUvxqezPx0ytWKub8eyedygUT
hcQsHUr+UFS9ZAkZf25MtWCP9nPsRjqJDYZfQQh0K9PhIgWhV/FzEAHZdYCHNNg/
JlLcDgOBdPqsRXI62KJoD7lTAquST+lFcQ8XWDoHa/LAwXGeLGvLUMRSszv0jZBG
aBtz87ybedc2HAcQNyNl/Jcr28/u0du/VRtjWASHCDrCcW4y42gmZ6BSUXvxjOIU
CJz2YbUj6cSnfHDOsqyidBIiugOWyu5100ZFEsUagdkPg99KDBxPJjfEEgmmNHcl
4DEeHPwtz71bheQRUHh5NxVVaV044K4=
-----END CERTIFICATE-----
)";

struct response_fixture {
  std::shared_ptr<const saml_schema> schema;
  std::optional<verifier> verify;
  bool verbose = std::getenv("ATRIUM_FUZZ_VERBOSE") != nullptr;
  response_fixture() {
    auto s = saml_schema::shared();
    if (s) schema = *s;
    auto certs = trusted_certs::from_pem(trusted_pem);
    if (certs) verify.emplace(std::move(*certs));
  }
};

const response_fixture& fixture_once() {
  static const response_fixture f;
  return f;
}

response_expectations expectations(bool solicited) {
  response_expectations e;
  e.idp_entity_id = "https://idp.example/";
  e.sp_entity_id = "https://sp.example/portal/sp";
  e.acs_url = "https://sp.example/portal/sp/acs";
  if (solicited) e.in_response_to = "_fuzzreq";
  e.allow_unsolicited = !solicited;
  // The seeds' clock (make_saml_response_seeds.py): 2026-12-07T10:00:00Z.
  e.now = sys_time(std::chrono::sys_days(std::chrono::year(2026) / 12 / 7)) + std::chrono::hours(10);
  e.clock_skew = std::chrono::seconds(60);
  return e;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const response_fixture& f = fixture_once();
  if (!f.schema || !f.verify) std::abort();  // a broken fixture must not pass as a clean run
  std::string_view in(reinterpret_cast<const char*>(data) + 1, size - 1);
  const int mode = data[0] % 3;
  const std::string form = mode == 2 ? std::string(in) : base64_encode(in);
  auto v = validate_post_response(form, expectations(mode != 1), *f.verify, *f.schema);
  if (f.verbose) {
    if (v) std::fprintf(stderr, "accepted: %s\n", v->name_id.c_str());
    else std::fprintf(stderr, "refused: %s\n", v.error().message.c_str());
  }
  return 0;
}
