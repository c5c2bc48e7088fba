#include "xml/signer.hpp"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <xmlsec/keys.h>
#include <xmlsec/openssl/app.h>
#include <xmlsec/crypto.h>
#include <xmlsec/templates.h>
#include <xmlsec/xmldsig.h>
#include <xmlsec/xmltree.h>

#include <memory>

#include "base/strings.hpp"
#include "xml/dom.hpp"
#include "xml/library.hpp"
#include "xml/names.hpp"

namespace atrium::xml {

struct signer::state {
  xmlSecKeyPtr key = nullptr;  // the private key, loaded once
  EVP_PKEY* pkey = nullptr;    // the same private key for detached signatures
  std::string cert_b64;
  state() = default;
  state(const state&) = delete;
  state& operator=(const state&) = delete;
  ~state() {
    if (key) xmlSecKeyDestroy(key);
    if (pkey) EVP_PKEY_free(pkey);
  }
};

namespace {

std::unexpected<error> bad_key(std::string msg) { return fail(errc::validation, std::move(msg)); }

const xmlChar* x(const char* s) { return reinterpret_cast<const xmlChar*>(s); }

// OpenSSL checks: the key is RSA >= 2048 and its public half is the certificate's.
result<EVP_PKEY*> check_pair(std::string_view key_pem, std::string_view cert_pem, std::string& cert_b64) {
  BIO* kb = BIO_new_mem_buf(key_pem.data(), static_cast<int>(key_pem.size()));
  EVP_PKEY* pkey = kb ? PEM_read_bio_PrivateKey(kb, nullptr, nullptr, nullptr) : nullptr;
  BIO_free(kb);
  BIO* cb = BIO_new_mem_buf(cert_pem.data(), static_cast<int>(cert_pem.size()));
  X509* cert = cb ? PEM_read_bio_X509(cb, nullptr, nullptr, nullptr) : nullptr;
  BIO_free(cb);
  std::unique_ptr<X509, decltype(&X509_free)> cert_guard(cert, X509_free);
  if (!pkey) return bad_key("The signing key is not a PEM private key.");
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key_guard(pkey, EVP_PKEY_free);
  if (!cert) return bad_key("The signing certificate is not a PEM X.509 certificate.");
  if (EVP_PKEY_get_base_id(pkey) != EVP_PKEY_RSA || EVP_PKEY_get_bits(pkey) < 2048)
    return bad_key("The signing key must be RSA with at least 2048 bits.");
  if (X509_check_private_key(cert, pkey) != 1) return bad_key("The signing key does not match the certificate.");
  unsigned char* der = nullptr;
  int len = i2d_X509(cert, &der);
  if (len <= 0) return bad_key("Cannot encode the signing certificate.");
  cert_b64 = base64_encode(std::string_view(reinterpret_cast<const char*>(der), static_cast<std::size_t>(len)));
  OPENSSL_free(der);
  return key_guard.release();
}

// The Signature template of SAML core §5.4 (see signer.hpp), placed after saml:Issuer.
result<xmlNode*> add_template(xmlDoc* doc, xmlNode* element, const std::string& id) {
  xmlNode* sig = xmlSecTmplSignatureCreateNsPref(doc, xmlSecTransformExclC14NId, xmlSecTransformRsaSha256Id, nullptr,
                                                 x("ds"));
  if (!sig) return fail(errc::internal, "Cannot create the signature template.");
  xmlNode* first = element->children;
  while (first && first->type != XML_ELEMENT_NODE) first = first->next;
  if (first && is_element(first, ns_saml, "Issuer")) xmlAddNextSibling(first, sig);
  else if (element->children) xmlAddPrevSibling(element->children, sig);
  else xmlAddChild(element, sig);
  std::string uri = "#" + id;
  xmlNode* ref = xmlSecTmplSignatureAddReference(sig, xmlSecTransformSha256Id, nullptr, x(uri.c_str()), nullptr);
  if (!ref || !xmlSecTmplReferenceAddTransform(ref, xmlSecTransformEnvelopedId) ||
      !xmlSecTmplReferenceAddTransform(ref, xmlSecTransformExclC14NId))
    return fail(errc::internal, "Cannot add the signature reference.");
  return sig;
}

// SAML core §5.4.5: KeyInfo/X509Data/X509Certificate with the signing certificate. KeyInfo is
// not covered by the signature (xmldsig-core §4.4), so it is added after signing from the
// base64 computed once, instead of xmlsec encoding the certificate again for every signature
// (that was about a tenth of the cost of a signature with RSA-2048).
result<void> add_key_info(xmlNode* sig, const std::string& cert_b64) {
  xmlNode* key_info = xmlSecTmplSignatureEnsureKeyInfo(sig, nullptr);
  xmlNode* x509 = key_info ? xmlSecTmplKeyInfoAddX509Data(key_info) : nullptr;
  xmlNode* cert = x509 ? xmlSecTmplX509DataAddCertificate(x509) : nullptr;
  if (!cert) return fail(errc::internal, "Cannot add the KeyInfo.");
  xmlNodeSetContent(cert, x(cert_b64.c_str()));
  return {};
}

// Makes `id` resolvable as "#id" (only this attribute; see xml/id_registry).
result<void> register_id(xmlDoc* doc, xmlNode* element, const std::string& id) {
  xmlAttr* attr = xmlHasNsProp(element, x("ID"), nullptr);
  xmlAttr* known = xmlGetID(doc, x(id.c_str()));
  if (known == attr) return {};
  if (known) return fail(errc::validation, "The ID \"" + id + "\" is used by another element.");
  if (!xmlAddID(nullptr, doc, x(id.c_str()), attr)) return fail(errc::internal, "Cannot register the ID to sign.");
  return {};
}

}  // namespace

result<signer> signer::from_pem(std::string_view private_key_pem, std::string_view certificate_pem) {
  ensure_initialized();
  auto s = std::make_shared<state>();
  auto pkey = check_pair(private_key_pem, certificate_pem, s->cert_b64);
  if (!pkey) return std::unexpected(pkey.error());
  s->pkey = *pkey;
  error_capture errors;
  s->key = xmlSecOpenSSLAppKeyLoadMemory(reinterpret_cast<const xmlSecByte*>(private_key_pem.data()),
                                         static_cast<xmlSecSize>(private_key_pem.size()), xmlSecKeyDataFormatPem,
                                         nullptr, nullptr, nullptr);
  if (!s->key) return bad_key("xmlsec cannot load the signing key: " + errors.summary());
  return signer(std::move(s));
}

result<void> signer::sign(document& doc, xmlNode* element) const {
  if (!element || element->doc != doc.get()) return fail(errc::internal, "The element to sign is not in the document.");
  auto id = attribute(element, "ID");
  if (!id || id->empty()) return fail(errc::validation, qualified_name(element) + " has no ID to sign.");
  if (!element_children(element, ns_ds, "Signature").empty())
    return fail(errc::validation, qualified_name(element) + " is already signed.");
  error_capture errors;
  if (auto r = register_id(doc.get(), element, *id); !r) return r;
  auto sig = add_template(doc.get(), element, *id);
  if (!sig) return std::unexpected(sig.error());
  std::unique_ptr<xmlSecDSigCtx, decltype(&xmlSecDSigCtxDestroy)> ctx(xmlSecDSigCtxCreate(nullptr), xmlSecDSigCtxDestroy);
  if (!ctx) return fail(errc::internal, "Cannot create a signature context.");
  ctx->signKey = state_->key;  // borrowed: the context must not destroy the shared key
  int rc = xmlSecDSigCtxSign(ctx.get(), *sig);
  ctx->signKey = nullptr;
  if (rc < 0) return fail(errc::internal, "Signing failed: " + errors.summary());
  return add_key_info(*sig, state_->cert_b64);
}

result<std::string> signer::sign_octets(std::string_view octets) const {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> md(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  std::size_t len = 0;
  if (!md || EVP_DigestSignInit(md.get(), nullptr, EVP_sha256(), nullptr, state_->pkey) != 1 ||
      EVP_DigestSign(md.get(), nullptr, &len, reinterpret_cast<const unsigned char*>(octets.data()), octets.size()) != 1)
    return fail(errc::internal, "Cannot sign the redirect query.");
  std::string out(len, '\0');
  if (EVP_DigestSign(md.get(), reinterpret_cast<unsigned char*>(out.data()), &len,
                     reinterpret_cast<const unsigned char*>(octets.data()), octets.size()) != 1)
    return fail(errc::internal, "Cannot sign the redirect query.");
  out.resize(len);
  return out;
}

const std::string& signer::certificate_base64() const { return state_->cert_b64; }

}  // namespace atrium::xml
