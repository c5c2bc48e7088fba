#include "xml/saml_authn_request.hpp"

#include <charconv>

#include "xml/dom.hpp"
#include "xml/names.hpp"
#include "xml/saml_time.hpp"

namespace atrium::xml {

namespace {


// xs:boolean (XML Schema 2 §3.2.2): true, false, 1, 0.
bool boolean_attr(const xmlNode* n, const char* name) {
  auto v = attribute(n, name);
  return v && (*v == "true" || *v == "1");
}

result<std::optional<int>> index_attr(const xmlNode* n, const char* name) {
  auto v = attribute(n, name);
  if (!v) return std::optional<int>{};
  int out = 0;
  auto [p, ec] = std::from_chars(v->data(), v->data() + v->size(), out);
  if (ec != std::errc{} || p != v->data() + v->size() || out < 0 || out > 65535)
    return invalid(std::string(name) + " is not an unsigned short.");
  return std::optional<int>{out};
}

result<void> read_children(const xmlNode* root, authn_request& r) {
  auto issuer = optional_child(root, ns_saml, "Issuer");
  if (!issuer) return std::unexpected(issuer.error());
  if (!*issuer) return invalid("The AuthnRequest has no Issuer (SAML profiles §4.1.4.1).");
  auto text = element_text(*issuer);
  if (!text || text->empty()) return invalid("The AuthnRequest's Issuer is empty.");
  r.issuer = std::move(*text);
  auto policy = optional_child(root, ns_samlp, "NameIDPolicy");
  if (!policy) return std::unexpected(policy.error());
  if (*policy) r.name_id_format = attribute(*policy, "Format");
  r.has_signature = !element_children(root, ns_ds, "Signature").empty();
  return {};
}

}  // namespace

result<authn_request> read_authn_request(const document& doc, const saml_schema& schema) {
  const xmlNode* root = doc.root();
  if (!is_element(root, ns_samlp, "AuthnRequest")) return invalid("The SAML message is not an AuthnRequest.");
  if (auto v = schema.validate(doc); !v) return std::unexpected(v.error());
  if (attribute(root, "Version") != "2.0") return invalid("The AuthnRequest's Version is not 2.0 (VersionMismatch).");
  authn_request r;
  r.id = attribute(root, "ID").value_or("");
  if (r.id.empty()) return invalid("The AuthnRequest has no ID.");
  auto instant = parse_saml_time(attribute(root, "IssueInstant").value_or(""));
  if (!instant) return invalid("The AuthnRequest's IssueInstant: " + instant.error().message);
  r.issue_instant = *instant;
  r.destination = attribute(root, "Destination");
  r.acs_url = attribute(root, "AssertionConsumerServiceURL");
  r.protocol_binding = attribute(root, "ProtocolBinding");
  auto index = index_attr(root, "AssertionConsumerServiceIndex");
  if (!index) return std::unexpected(index.error());
  r.acs_index = *index;
  if (r.acs_index && (r.acs_url || r.protocol_binding))
    return invalid("AssertionConsumerServiceIndex excludes AssertionConsumerServiceURL and ProtocolBinding (SAML core §3.4.1).");
  r.force_authn = boolean_attr(root, "ForceAuthn");
  r.is_passive = boolean_attr(root, "IsPassive");
  if (auto c = read_children(root, r); !c) return std::unexpected(c.error());
  return r;
}

result<parsed_authn_request> parse_authn_request(std::string_view message, saml_binding binding,
                                                 const saml_schema& schema, const parse_limits& limits) {
  auto doc = decode_message(message, binding, limits);
  if (!doc) return std::unexpected(doc.error());
  auto r = read_authn_request(*doc, schema);
  if (!r) return std::unexpected(r.error());
  return parsed_authn_request{std::move(*r), std::move(*doc)};
}

}  // namespace atrium::xml
