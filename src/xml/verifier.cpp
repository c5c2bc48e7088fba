#include "xml/verifier.hpp"

#include <xmlsec/keysdata.h>
#include <xmlsec/crypto.h>
#include <xmlsec/transforms.h>
#include <xmlsec/xmldsig.h>

#include <cstring>
#include <memory>

#include "xml/dom.hpp"
#include "xml/id_registry.hpp"
#include "xml/library.hpp"
#include "xml/names.hpp"

namespace atrium::xml {

namespace {

constexpr const char* ns_exc_c14n = "http://www.w3.org/2001/10/xml-exc-c14n#";


std::string algorithm(const xmlNode* n) { return attribute(n, "Algorithm").value_or(""); }

// Exclusive c14n may carry ec:InclusiveNamespaces (xml-exc-c14n §3); nothing else may appear.
result<void> check_c14n_children(const xmlNode* n) {
  for (xmlNode* c : element_children(n))
    if (!is_element(c, ns_exc_c14n, "InclusiveNamespaces") || !element_children(c).empty())
      return refused("Unexpected " + qualified_name(c) + " in " + qualified_name(n) + ".");
  return {};
}

// Check 6: SAML core §5.4.4 transforms; xmldsig-core §4.3.3.4.
result<void> check_transforms(const xmlNode* ref) {
  auto all = element_children(ref, ns_ds, "Transforms");
  if (all.size() != 1) return refused("The signature reference must list its transforms once.");
  bool enveloped = false, c14n = false;
  for (xmlNode* t : element_children(all.front())) {
    if (!is_element(t, ns_ds, "Transform")) return refused("Unexpected " + qualified_name(t) + " in ds:Transforms.");
    auto alg = algorithm(t);
    if (alg == alg_enveloped && !enveloped && element_children(t).empty()) enveloped = true;
    else if (alg == alg_exc_c14n && !c14n) {
      if (auto r = check_c14n_children(t); !r) return r;
      c14n = true;
    } else {
      return refused("Signature transform \"" + alg + "\" is not accepted (only enveloped-signature and exclusive c14n).");
    }
  }
  if (!enveloped) return refused("The signature must use the enveloped-signature transform.");
  return {};
}

// Check 5: one reference to the element itself (SAML core §5.4.2) with a SHA-256 digest.
result<void> check_reference(const xmlNode* signed_info, const std::string& id) {
  auto refs = element_children(signed_info, ns_ds, "Reference");
  if (refs.size() != 1) return refused("The signature must have exactly one reference (it has " + std::to_string(refs.size()) + ").");
  const xmlNode* ref = refs.front();
  if (attribute(ref, "URI") != "#" + id)
    return refused("The signature reference \"" + attribute(ref, "URI").value_or("") + "\" is not \"#" + id +
                   "\", the element being read.");
  if (auto r = check_transforms(ref); !r) return r;
  auto digest = element_children(ref, ns_ds, "DigestMethod");
  if (digest.size() != 1 || algorithm(digest.front()) != alg_sha256)
    return refused("The signature digest must be SHA-256 (" + std::string(alg_sha256) + ").");
  return {};
}

// Checks 4 and 7: the SignedInfo algorithms and the shape of ds:Signature.
result<void> check_signed_info(const xmlNode* sig, const std::string& id, const verify_options& opt) {
  auto children = element_children(sig);
  if (children.empty() || !is_element(children.front(), ns_ds, "SignedInfo"))
    return refused("ds:Signature must start with ds:SignedInfo.");
  for (xmlNode* c : children)
    if (is_element(c, ns_ds, "Object")) return refused("ds:Object inside a SAML signature is not accepted.");
  if (element_children(sig, ns_ds, "SignedInfo").size() != 1) return refused("ds:Signature has several ds:SignedInfo.");
  const xmlNode* si = children.front();
  auto c14n = element_children(si, ns_ds, "CanonicalizationMethod");
  if (c14n.size() != 1 || algorithm(c14n.front()) != alg_exc_c14n)
    return refused("SignedInfo must use exclusive canonicalization (" + std::string(alg_exc_c14n) + ").");
  if (auto r = check_c14n_children(c14n.front()); !r) return r;
  auto method = element_children(si, ns_ds, "SignatureMethod");
  if (method.size() != 1) return refused("SignedInfo must have one SignatureMethod.");
  auto alg = algorithm(method.front());
  if (alg != alg_rsa_sha256 && !(opt.allow_rsa_sha1 && alg == alg_rsa_sha1))
    return refused("Signature algorithm \"" + alg + "\" is not accepted (use RSA-SHA256).");
  if (!element_children(method.front()).empty()) return refused("SignatureMethod must be empty (no HMACOutputLength).");
  return check_reference(si, id);
}

using dsig_ptr = std::unique_ptr<xmlSecDSigCtx, decltype(&xmlSecDSigCtxDestroy)>;

// Check 8: what xmlsec may do on its own, whatever the document says.
result<dsig_ptr> make_context(const verify_options& opt) {
  dsig_ptr ctx(xmlSecDSigCtxCreate(nullptr), xmlSecDSigCtxDestroy);
  if (!ctx) return fail(errc::internal, "Cannot create a signature context.");
  ctx->flags = XMLSEC_DSIG_FLAGS_IGNORE_MANIFESTS | XMLSEC_DSIG_FLAGS_STORE_SIGNEDINFO_REFERENCES;
  ctx->enabledReferenceUris = xmlSecTransformUriTypeSameDocument;
  bool ok = xmlSecDSigCtxEnableReferenceTransform(ctx.get(), xmlSecTransformEnvelopedId) == 0 &&
            xmlSecDSigCtxEnableReferenceTransform(ctx.get(), xmlSecTransformExclC14NId) == 0 &&
            xmlSecDSigCtxEnableReferenceTransform(ctx.get(), xmlSecTransformSha256Id) == 0 &&
            xmlSecDSigCtxEnableSignatureTransform(ctx.get(), xmlSecTransformExclC14NId) == 0 &&
            xmlSecDSigCtxEnableSignatureTransform(ctx.get(), xmlSecTransformRsaSha256Id) == 0;
  if (ok && opt.allow_rsa_sha1) ok = xmlSecDSigCtxEnableSignatureTransform(ctx.get(), xmlSecTransformRsaSha1Id) == 0;
  // KeyInfo may only name a key (never carry one); with no keys manager even that is unused.
  if (ok) ok = xmlSecPtrListAdd(&ctx->keyInfoReadCtx.enabledKeyData, (void*)xmlSecKeyDataNameId) == 0;
  if (!ok) return fail(errc::internal, "Cannot restrict the signature context.");
  return ctx;
}

// Check 9 for one trusted key: true when xmlsec verified the signature with it.
result<bool> verify_with(xmlNode* sig, xmlSecKeyPtr key, const verify_options& opt) {
  auto ctx = make_context(opt);
  if (!ctx) return std::unexpected(ctx.error());
  (*ctx)->signKey = key;  // borrowed from trusted_certs; detached again below
  int rc = xmlSecDSigCtxVerify(ctx->get(), sig);
  (*ctx)->signKey = nullptr;
  if (rc < 0) return false;
  auto* refs = &(*ctx)->signedInfoReferences;
  if ((*ctx)->status != xmlSecDSigStatusSucceeded || xmlSecPtrListGetSize(refs) != 1) return false;
  auto* ref = static_cast<xmlSecDSigReferenceCtxPtr>(xmlSecPtrListGetItem(refs, 0));
  return ref && ref->status == xmlSecDSigStatusSucceeded;
}

}  // namespace

std::string verified_element::id() const { return attribute(node_, "ID").value_or(""); }

bool has_signature(const xmlNode* element) { return !element_children(element, ns_ds, "Signature").empty(); }

result<verified_element> verifier::verify(document& doc, xmlNode* element) const {
  ensure_initialized();
  if (!element || element->doc != doc.get()) return fail(errc::internal, "The element to verify is not in the document.");
  if (!is_signable_element(element)) return refused(qualified_name(element) + " is not an element SAML signs.");
  auto id = attribute(element, "ID");
  if (!id || id->empty()) return refused(qualified_name(element) + " has no ID.");
  if (auto r = register_saml_ids(doc); !r) return std::unexpected(r.error());
  auto sigs = element_children(element, ns_ds, "Signature");
  if (sigs.empty()) return refused(qualified_name(element) + " is not signed.");
  if (sigs.size() > 1) return refused(qualified_name(element) + " has more than one signature.");
  if (auto r = check_signed_info(sigs.front(), *id, options_); !r) return std::unexpected(r.error());
  error_capture errors;
  for (const auto& cert : certs_.entries()) {
    auto ok = verify_with(sigs.front(), cert->key, options_);
    if (!ok) return std::unexpected(ok.error());
    if (*ok) return verified_element(element, cert->sha256_fingerprint);
  }
  auto why = errors.summary();
  return refused("The signature of " + qualified_name(element) + " does not verify with the trusted certificate" +
                 (certs_.size() > 1 ? "s" : "") + (why.empty() ? "." : " (" + why + ")."));
}

}  // namespace atrium::xml
