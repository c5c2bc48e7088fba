#include "xml/trusted_certs.hpp"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <xmlsec/keys.h>
#include <xmlsec/openssl/app.h>

#include "base/strings.hpp"
#include "xml/library.hpp"

namespace atrium::xml {

trusted_certs::entry::~entry() {
  if (key) xmlSecKeyDestroy(key);
  if (public_key) EVP_PKEY_free(public_key);
}

namespace {

std::unexpected<error> bad_cert(std::string msg) { return fail(errc::validation, std::move(msg)); }

result<std::shared_ptr<const trusted_certs::entry>> load_one(std::string_view pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  X509* cert = bio ? PEM_read_bio_X509(bio, nullptr, nullptr, nullptr) : nullptr;
  BIO_free(bio);
  if (!cert) return bad_cert("The trusted certificate is not a PEM X.509 certificate.");
  auto e = std::make_shared<trusted_certs::entry>();
  e->public_key = X509_get_pubkey(cert);
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int md_len = 0;
  bool digested = X509_digest(cert, EVP_sha256(), md, &md_len) == 1;
  X509_free(cert);
  if (!e->public_key || !digested) return bad_cert("Cannot read the trusted certificate's public key.");
  if (EVP_PKEY_get_base_id(e->public_key) != EVP_PKEY_RSA || EVP_PKEY_get_bits(e->public_key) < 2048)
    return bad_cert("The trusted certificate must carry an RSA key of at least 2048 bits.");
  e->sha256_fingerprint = hex_encode(std::string_view(reinterpret_cast<const char*>(md), md_len));
  error_capture errors;
  e->key = xmlSecOpenSSLAppKeyLoadMemory(reinterpret_cast<const xmlSecByte*>(pem.data()),
                                         static_cast<xmlSecSize>(pem.size()), xmlSecKeyDataFormatCertPem, nullptr,
                                         nullptr, nullptr);
  if (!e->key) return bad_cert("xmlsec cannot load the trusted certificate: " + errors.summary());
  return std::shared_ptr<const trusted_certs::entry>(std::move(e));
}

}  // namespace

result<trusted_certs> trusted_certs::from_pem(const std::vector<std::string>& pems) {
  ensure_initialized();
  if (pems.empty()) return bad_cert("At least one trusted certificate is needed.");
  trusted_certs out;
  for (const auto& pem : pems) {
    auto e = load_one(pem);
    if (!e) return std::unexpected(e.error());
    out.entries_.push_back(std::move(*e));
  }
  return out;
}

result<trusted_certs> trusted_certs::from_pem(std::string_view pem) {
  return from_pem(std::vector<std::string>{std::string(pem)});
}

}  // namespace atrium::xml
