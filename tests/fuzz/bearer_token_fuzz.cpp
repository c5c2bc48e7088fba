// libFuzzer target: the portal API's x-amz-sso_bearer_token header and every other secret a
// client hands back (issue 16 item 8) through service/oidc/secrets' parser, and a next token
// through the listings' reader (base64url). Must never crash, hang or leak; the parser accepts
// only what it would have made.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "base/strings.hpp"
#include "service/oidc/secrets.hpp"

using namespace atrium;
using service::oidc::secret_kind;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  for (auto kind : {secret_kind::access_token, secret_kind::refresh_token, secret_kind::device_code,
                    secret_kind::authorization_code, secret_kind::client_secret, secret_kind::request_id}) {
    auto s = service::oidc::parse_secret(text, kind);
    if (s && s->size() != 48) std::abort();  // "at??_" + 43
  }
  (void)service::oidc::parse_secret(trim(text), secret_kind::access_token);
  (void)base64url_decode(text);
  (void)url_decode(text);
  return 0;
}
