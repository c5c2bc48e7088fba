// libFuzzer target: untrusted bodies and queries of the sso-oidc API (issue 16 item 8) through
// every reader of proto/oidc/oidc_wire: RegisterClient, StartDeviceAuthorization and CreateToken
// bodies, the /authorize query, and CloudTrail's parameters of them. The first byte picks how
// the rest is read (JSON body or query string). Must never crash, hang or leak.
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "domain/oidc.hpp"
#include "proto/oidc/oidc_wire.hpp"

using namespace atrium;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (data[0] & 1) {
    auto a = proto::oidc::authorize_request_of("/authorize?" + rest);
    if (a) {
      (void)domain::oidc::parse_loopback(a->redirect_uri);
      (void)domain::oidc::redirect_matches("http://127.0.0.1/oauth/callback", a->redirect_uri);
      (void)domain::oidc::valid_s256_challenge(a->code_challenge);
    }
    (void)domain::oidc::normalize_user_code(rest);
    return 0;
  }
  auto j = nlohmann::json::parse(rest, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return 0;
  (void)proto::oidc::registration_of(j);
  (void)proto::oidc::start_of(j);
  auto t = proto::oidc::token_request_of(j);
  if (t) (void)domain::oidc::valid_code_verifier(t->code_verifier);
  (void)proto::oidc::audited_parameters(j);
  return 0;
}
