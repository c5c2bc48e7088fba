// libFuzzer target: what Atrium's SAML IdP door parses of its own (issue 15 item 8) on untrusted
// bytes: the SSO endpoint's request reading (proto/saml/saml_inbound: the Redirect query or the
// POST form, each field once, sizes bounded) followed by the AuthnRequest parsing the service
// runs on it (xml::parse_authn_request), and the service provider's metadata an administrator
// uploads (xml::read_sp_metadata). The first byte picks the path, the rest is the input:
//   0: a GET target "/saml/assertion/apl-...?" + the input (HTTP-Redirect)
//   1: a POST form body (HTTP-POST)
//   2: SP metadata XML
// Seeds: tests/fuzz/corpus/saml_sso_request.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "proto/saml/saml_inbound.hpp"
#include "xml/saml_authn_request.hpp"
#include "xml/saml_metadata.hpp"

using namespace atrium;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  static auto schema = xml::saml_schema::shared();
  if (!schema) return 0;
  std::string_view in(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 3) {
    case 0:
    case 1: {
      proto::request req;
      if (data[0] % 3 == 0) {
        req.method = "GET";
        req.target = "/saml/assertion/apl-0123456789abcdef?" + std::string(in);
      } else {
        req.method = "POST";
        req.target = "/saml/assertion/apl-0123456789abcdef";
        req.headers = {{"Content-Type", "application/x-www-form-urlencoded"}};
        req.body = std::string(in);
      }
      auto inbound = proto::saml::read_inbound_request(req, 256 * 1024);
      if (inbound) (void)xml::parse_authn_request(inbound->message, inbound->binding, **schema);
      break;
    }
    case 2: (void)xml::read_sp_metadata(in); break;
  }
  return 0;
}
