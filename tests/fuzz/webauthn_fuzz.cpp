// libFuzzer target: WebAuthn registration and assertion parsing and checks (crypto/webauthn,
// crypto/cose_key, crypto/cbor) on untrusted bytes. Input layout: one mode byte, then fields
// each prefixed by a 2-byte big-endian length:
//   0: clientDataJSON, attestationObject          (verify_registration)
//   1: clientDataJSON, authenticatorData, signature, COSE key   (verify_assertion)
//   2: COSE key (parse_cose_key)    3: authenticatorData (parse_authenticator_data)
// The expected challenge is whatever clientDataJSON says, so that the CBOR and signature
// paths behind the client-data checks are reached. Seeds: tests/fuzz/corpus/webauthn (made
// from the recorded vectors by tests/crypto/webauthn_vectors/make_fuzz_corpus.py).
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "base/strings.hpp"
#include "crypto/webauthn.hpp"

using namespace atrium;
namespace wa = atrium::crypto::webauthn;

namespace {

std::vector<std::string> fields(std::string_view in) {
  std::vector<std::string> out;
  while (in.size() >= 2 && out.size() < 4) {
    std::size_t n = (static_cast<unsigned char>(in[0]) << 8) | static_cast<unsigned char>(in[1]);
    in.remove_prefix(2);
    n = std::min(n, in.size());
    out.emplace_back(in.substr(0, n));
    in.remove_prefix(n);
  }
  while (out.size() < 4) out.emplace_back();
  return out;
}

wa::expectations expect(const std::string& cdj) {
  wa::expectations e{"", "https://localhost:8443", "localhost", false};
  auto j = nlohmann::json::parse(cdj, nullptr, false);
  if (json_nesting_depth(cdj) <= 4 && j.is_object() && j.contains("challenge") && j["challenge"].is_string())
    e.challenge = base64url_decode(j["challenge"].get<std::string>()).value_or("");
  return e;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  auto f = fields(in.substr(1));
  switch (static_cast<unsigned char>(in[0]) % 4) {
    case 0: (void)wa::verify_registration(f[0], f[1], expect(f[0])); break;
    case 1: (void)wa::verify_assertion(f[0], f[1], f[2], f[3], expect(f[0])); break;
    case 2: (void)crypto::parse_cose_key(f[0]); break;
    case 3: (void)wa::parse_authenticator_data(f[0]); break;
  }
  return 0;
}
