#include "xml/saml_metadata.hpp"

#include <charconv>

#include "base/strings.hpp"
#include "base/try.hpp"
#include "xml/dom.hpp"
#include "xml/names.hpp"

namespace atrium::xml {

namespace {

constexpr const char* saml2_protocol = "urn:oasis:names:tc:SAML:2.0:protocol";

bool md_boolean(const xmlNode* n, const char* name) {
  auto v = attribute(n, name);
  return v && (*v == "true" || *v == "1");
}

result<int> md_index(const xmlNode* n) {
  auto v = attribute(n, "index");
  if (!v) return invalid("An AssertionConsumerService has no index (metadata §2.2.3).");
  int out = 0;
  auto [p, ec] = std::from_chars(v->data(), v->data() + v->size(), out);
  if (ec != std::errc{} || p != v->data() + v->size() || out < 0 || out > 65535)
    return invalid("An AssertionConsumerService index is not an unsigned short.");
  return out;
}

// KeyDescriptor (metadata §2.4.1.1): use="signing", or no use (both signing and encryption).
result<void> read_signing_keys(const xmlNode* sp, std::vector<std::string>& out) {
  for (const xmlNode* kd : element_children(sp, ns_md, "KeyDescriptor")) {
    auto use = attribute(kd, "use");
    if (use && *use != "signing") continue;
    for (const xmlNode* ki : element_children(kd, ns_ds, "KeyInfo"))
      for (const xmlNode* data : element_children(ki, ns_ds, "X509Data"))
        for (const xmlNode* cert : element_children(data, ns_ds, "X509Certificate")) {
          TRY(text, element_text(cert));
          TRY(pem, certificate_pem_of_base64(text));
          out.push_back(std::move(pem));
        }
  }
  return {};
}

bool supports_saml2(const xmlNode* role) {
  auto protocols = attribute(role, "protocolSupportEnumeration").value_or("");
  bool saml2 = false;
  for (auto p : split(protocols, ' ')) saml2 = saml2 || p == saml2_protocol;
  return saml2;
}

result<void> read_acs(const xmlNode* sp, sp_metadata& out) {
  for (const xmlNode* acs : element_children(sp, ns_md, "AssertionConsumerService")) {
    if (attribute(acs, "Binding") != binding_post) continue;  // SAML profiles §4.1.2: responses are POSTed
    auto location = attribute(acs, "Location");
    if (!location || location->empty()) return invalid("An AssertionConsumerService has no Location.");
    TRY(index, md_index(acs));
    out.acs.push_back({*location, index, md_boolean(acs, "isDefault")});
  }
  if (out.acs.empty()) return invalid("The SP metadata has no AssertionConsumerService with the HTTP-POST binding.");
  return {};
}

}  // namespace

result<std::string> certificate_pem_of_base64(std::string_view base64_der) {
  std::string compact;
  for (char c : base64_der)
    if (c != ' ' && c != '\n' && c != '\r' && c != '\t') compact += c;
  auto der = base64_decode(compact);
  if (!der || der->empty()) return invalid("A certificate in the SP metadata is not base64.");
  compact = base64_encode(*der);  // canonical, without line breaks
  std::string pem = "-----BEGIN CERTIFICATE-----\n";
  for (std::size_t i = 0; i < compact.size(); i += 64) pem += compact.substr(i, 64) + "\n";
  return pem + "-----END CERTIFICATE-----\n";
}

result<sp_metadata> read_sp_metadata(std::string_view bytes, const parse_limits& limits) {
  TRY(doc, document::parse(bytes, limits));
  const xmlNode* root = doc.root();
  if (!is_element(root, ns_md, "EntityDescriptor")) return invalid("The SP metadata's root is not md:EntityDescriptor.");
  sp_metadata out;
  out.entity_id = attribute(root, "entityID").value_or("");
  if (out.entity_id.empty()) return invalid("The SP metadata has no entityID.");
  auto sps = element_children(root, ns_md, "SPSSODescriptor");
  if (sps.size() != 1) return invalid("The SP metadata must have exactly one SPSSODescriptor.");
  const xmlNode* sp = sps.front();
  if (!supports_saml2(sp)) return invalid("The SPSSODescriptor does not support the SAML 2.0 protocol.");
  out.authn_requests_signed = md_boolean(sp, "AuthnRequestsSigned");
  TRY_VOID(read_signing_keys(sp, out.signing_certificates));
  TRY_VOID(read_acs(sp, out));
  for (const xmlNode* f : element_children(sp, ns_md, "NameIDFormat")) {
    TRY(text, element_text(f));
    out.name_id_formats.push_back(std::string(trim(text)));
  }
  return out;
}

result<idp_metadata> read_idp_metadata(std::string_view bytes, const parse_limits& limits) {
  TRY(doc, document::parse(bytes, limits));
  const xmlNode* root = doc.root();
  if (is_element(root, ns_md, "EntitiesDescriptor")) {
    // Some IdPs (SimpleSAMLphp's federation export, Shibboleth) wrap the one entity.
    const xmlNode* found = nullptr;
    for (const xmlNode* e : element_children(root, ns_md, "EntityDescriptor")) {
      if (element_children(e, ns_md, "IDPSSODescriptor").empty()) continue;
      if (found) return invalid("The metadata describes more than one identity provider: upload one.");
      found = e;
    }
    if (!found) return invalid("The metadata has no EntityDescriptor with an IDPSSODescriptor.");
    root = found;
  } else if (!is_element(root, ns_md, "EntityDescriptor")) {
    return invalid("The IdP metadata's root is not md:EntityDescriptor.");
  }
  idp_metadata out;
  out.entity_id = attribute(root, "entityID").value_or("");
  if (out.entity_id.empty()) return invalid("The IdP metadata has no entityID.");
  auto idps = element_children(root, ns_md, "IDPSSODescriptor");
  if (idps.size() != 1) return invalid("The IdP metadata must have exactly one IDPSSODescriptor.");
  const xmlNode* idp = idps.front();
  if (!supports_saml2(idp)) return invalid("The IDPSSODescriptor does not support the SAML 2.0 protocol.");
  out.want_authn_requests_signed = md_boolean(idp, "WantAuthnRequestsSigned");
  TRY_VOID(read_signing_keys(idp, out.signing_certificates));
  if (out.signing_certificates.empty()) return invalid("The IdP metadata has no signing certificate (KeyDescriptor).");
  for (const xmlNode* sso : element_children(idp, ns_md, "SingleSignOnService")) {
    if (attribute(sso, "Binding") != binding_redirect) continue;
    out.sso_url = attribute(sso, "Location").value_or("");
    break;
  }
  if (out.sso_url.empty())
    return invalid("The IdP metadata has no SingleSignOnService with the HTTP-Redirect binding.");
  return out;
}

}  // namespace atrium::xml
