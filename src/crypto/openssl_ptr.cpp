#include "crypto/openssl_ptr.hpp"

#include <openssl/x509v3.h>

namespace atrium::crypto {

result<void> add_extension(X509* cert, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
  x509_extension_ptr ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value));
  if (!ext || X509_add_ext(cert, ext.get(), -1) != 1) return fail(errc::internal, "cannot add certificate extension");
  return {};
}

}  // namespace atrium::crypto
