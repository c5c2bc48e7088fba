#include "xml/saml_response_validator.hpp"

#include "xml/dom.hpp"
#include "xml/names.hpp"
#include "xml/saml_bindings.hpp"
#include "xml/saml_time.hpp"

namespace atrium::xml {

namespace {


bool too_early(sys_time not_before, const response_expectations& e) { return e.now + e.clock_skew < not_before; }
bool expired(sys_time not_on_or_after, const response_expectations& e) { return e.now - e.clock_skew >= not_on_or_after; }

// An optional time attribute: nullopt when absent, an error when malformed.
result<std::optional<sys_time>> time_attr(const xmlNode* n, const char* name) {
  auto v = attribute(n, name);
  if (!v) return std::optional<sys_time>{};
  auto t = parse_saml_time(*v);
  if (!t) return invalid(qualified_name(n) + "/@" + name + ": " + t.error().message);
  return std::optional<sys_time>{*t};
}

result<std::string> issuer_of(const xmlNode* n) {
  auto issuer = optional_child(n, ns_saml, "Issuer");
  if (!issuer) return std::unexpected(issuer.error());
  if (!*issuer) return std::string{};
  return element_text(*issuer);
}

// CVE-2021-28091: one assertion in the whole document, a direct child of the Response.
result<xmlNode*> the_assertion(const xmlNode* root) {
  if (count_descendants(root, ns_saml, "EncryptedAssertion") > 0)
    return invalid("Encrypted assertions are not supported; configure the IdP to send them unencrypted.");
  auto direct = element_children(root, ns_saml, "Assertion");
  std::size_t anywhere = count_descendants(root, ns_saml, "Assertion");
  if (anywhere != 1 || direct.size() != 1)
    return invalid("The Response must carry exactly one Assertion (it has " + std::to_string(anywhere) + ").");
  return direct.front();
}

// SAML core §3.2.2.2: the top-level code, the second-level code and the message.
result<void> check_status(const xmlNode* root) {
  auto status = optional_child(root, ns_samlp, "Status");
  if (!status || !*status) return invalid("The Response has no Status.");
  auto code = optional_child(*status, ns_samlp, "StatusCode");
  if (!code || !*code) return invalid("The Response has no StatusCode.");
  auto value = attribute(*code, "Value").value_or("");
  if (value == status_success) return {};
  std::string msg = "The IdP answered with status " + value;
  if (auto sub = optional_child(*code, ns_samlp, "StatusCode"); sub && *sub) msg += " / " + attribute(*sub, "Value").value_or("");
  if (auto text = optional_child(*status, ns_samlp, "StatusMessage"); text && *text)
    if (auto t = element_text(*text); t && !t->empty()) msg += ": " + *t;
  return fail(errc::unauthenticated, msg + ".");
}

result<void> check_in_response_to(const std::optional<std::string>& got, const response_expectations& e, const char* where) {
  if (e.in_response_to) {
    if (got != e.in_response_to) return invalid(std::string(where) + " InResponseTo does not match the request sent.");
  } else if (got) {
    return invalid(std::string(where) + " answers a request this service provider does not know.");
  } else if (!e.allow_unsolicited) {
    return invalid("Unsolicited (IdP-initiated) responses are not allowed.");
  }
  return {};
}

// The Response's own fields (SAML core §3.2.2, bindings §3.5.5.2, profiles §4.1.4.3).
result<void> check_response(const xmlNode* root, const response_expectations& e, bool signed_response) {
  if (attribute(root, "Version") != "2.0") return invalid("The Response's Version is not 2.0 (VersionMismatch).");
  auto dest = attribute(root, "Destination");
  if (dest ? *dest != e.acs_url : signed_response)
    return invalid("The Response's Destination is not this service provider's ACS URL.");
  if (auto r = check_status(root); !r) return r;
  auto issuer = issuer_of(root);
  if (!issuer) return std::unexpected(issuer.error());
  if (!issuer->empty() && *issuer != e.idp_entity_id) return invalid("The Response's Issuer is not the configured IdP.");
  if (auto r = check_in_response_to(attribute(root, "InResponseTo"), e, "The Response's"); !r) return r;
  auto instant = time_attr(root, "IssueInstant");
  if (!instant || !*instant) return invalid("The Response has no valid IssueInstant.");
  if (too_early(**instant, e)) return invalid("The Response was issued in the future.");
  return {};
}

// SAML profiles §4.1.4.2: one bearer confirmation must hold for this SP now.
result<sys_time> check_bearer(const xmlNode* subject, const response_expectations& e) {
  std::string why = "The Assertion has no bearer SubjectConfirmation.";
  for (xmlNode* sc : element_children(subject, ns_saml, "SubjectConfirmation")) {
    if (attribute(sc, "Method") != cm_bearer) continue;
    auto data = optional_child(sc, ns_saml, "SubjectConfirmationData");
    if (!data || !*data) { why = "The bearer SubjectConfirmation has no data."; continue; }
    auto nb = time_attr(*data, "NotBefore");
    auto noa = time_attr(*data, "NotOnOrAfter");
    if (!nb || !noa) return std::unexpected(!nb ? nb.error() : noa.error());
    if (attribute(*data, "Recipient") != e.acs_url) why = "The bearer Recipient is not this service provider's ACS URL.";
    else if (!*noa) why = "The bearer SubjectConfirmationData has no NotOnOrAfter.";
    else if (expired(**noa, e)) why = "The bearer subject confirmation has expired.";
    else if (*nb && too_early(**nb, e)) why = "The bearer subject confirmation is not valid yet.";
    else if (auto r = check_in_response_to(attribute(*data, "InResponseTo"), e, "The bearer confirmation's"); !r)
      why = r.error().message;
    else return **noa;
  }
  return invalid(why);
}

result<void> read_subject(const xmlNode* a, const response_expectations& e, validated_assertion& out) {
  auto subject = optional_child(a, ns_saml, "Subject");
  if (!subject || !*subject) return invalid("The Assertion has no Subject.");
  auto name_id = optional_child(*subject, ns_saml, "NameID");
  if (!name_id || !*name_id) return invalid("The Assertion's Subject has no NameID (EncryptedID is not supported).");
  auto text = element_text(*name_id);  // every text node: "a<!---->b" reads "ab"
  if (!text || text->empty()) return invalid("The Assertion's NameID is empty.");
  out.name_id = std::move(*text);
  out.name_id_format = attribute(*name_id, "Format").value_or("");
  auto noa = check_bearer(*subject, e);
  if (!noa) return std::unexpected(noa.error());
  out.not_on_or_after = *noa;
  return {};
}

// SAML core §2.5.1.2 and §2.5.1.4: the validity window and every AudienceRestriction.
result<void> check_conditions(const xmlNode* a, const response_expectations& e, validated_assertion& out) {
  auto cond = optional_child(a, ns_saml, "Conditions");
  if (!cond || !*cond) return invalid("The Assertion has no Conditions.");
  auto nb = time_attr(*cond, "NotBefore");
  auto noa = time_attr(*cond, "NotOnOrAfter");
  if (!nb || !noa) return std::unexpected(!nb ? nb.error() : noa.error());
  if (*nb && too_early(**nb, e)) return invalid("The Assertion is not valid yet (Conditions NotBefore).");
  if (*noa && expired(**noa, e)) return invalid("The Assertion has expired (Conditions NotOnOrAfter).");
  if (*noa && **noa < out.not_on_or_after) out.not_on_or_after = **noa;
  auto restrictions = element_children(*cond, ns_saml, "AudienceRestriction");
  if (restrictions.empty()) return invalid("The Assertion has no AudienceRestriction (SAML profiles §4.1.4.2).");
  for (xmlNode* r : restrictions) {
    bool ours = false;
    for (xmlNode* aud : element_children(r, ns_saml, "Audience"))
      if (auto t = element_text(aud); t && *t == e.sp_entity_id) ours = true;
    if (!ours) return invalid("The Assertion's audience is not this service provider.");
  }
  return {};
}

result<void> read_authn(const xmlNode* a, const response_expectations& e, validated_assertion& out) {
  auto statements = element_children(a, ns_saml, "AuthnStatement");
  if (statements.empty()) return invalid("The Assertion has no AuthnStatement.");
  const xmlNode* s = statements.front();
  auto instant = time_attr(s, "AuthnInstant");
  auto session_end = time_attr(s, "SessionNotOnOrAfter");
  if (!instant || !*instant || !session_end) return invalid("The AuthnStatement's times are missing or malformed.");
  if (*session_end && expired(**session_end, e)) return invalid("The IdP session has ended (SessionNotOnOrAfter).");
  out.authn_instant = **instant;
  out.session_not_on_or_after = *session_end;
  out.session_index = attribute(s, "SessionIndex");
  auto ctx = optional_child(s, ns_saml, "AuthnContext");
  if (ctx && *ctx)
    if (auto ref = optional_child(*ctx, ns_saml, "AuthnContextClassRef"); ref && *ref)
      out.authn_context_class_ref = element_text(*ref).value_or("");
  return {};
}

result<void> read_attributes(const xmlNode* a, validated_assertion& out) {
  for (xmlNode* st : element_children(a, ns_saml, "AttributeStatement")) {
    for (xmlNode* at : element_children(st, ns_saml, "Attribute")) {
      saml_attribute attr{attribute(at, "Name").value_or(""), attribute(at, "NameFormat").value_or(""), {}};
      for (xmlNode* v : element_children(at, ns_saml, "AttributeValue")) {
        auto text = element_text(v);
        if (!text) return invalid("Attribute " + attr.name + " has a value that is not text.");
        attr.values.push_back(std::move(*text));
      }
      out.attributes.push_back(std::move(attr));
    }
  }
  return {};
}

result<void> read_assertion(const xmlNode* a, const response_expectations& e, validated_assertion& out) {
  if (attribute(a, "Version") != "2.0") return invalid("The Assertion's Version is not 2.0.");
  auto issuer = issuer_of(a);
  if (!issuer) return std::unexpected(issuer.error());
  if (*issuer != e.idp_entity_id) return invalid("The Assertion's Issuer is not the configured IdP.");
  out.issuer = std::move(*issuer);
  out.assertion_id = attribute(a, "ID").value_or("");
  if (auto r = read_subject(a, e, out); !r) return r;
  if (auto r = check_conditions(a, e, out); !r) return r;
  if (auto r = read_authn(a, e, out); !r) return r;
  return read_attributes(a, out);
}

// Verifies every signature present; returns the assertion node to read, taken from a
// verified element (the verified Assertion, or the Assertion child of the verified Response).
result<const xmlNode*> verify_signatures(document& doc, xmlNode* root, xmlNode* assertion, const verifier& v,
                                         validated_assertion& out) {
  out.response_signed = has_signature(root);
  out.assertion_signed = has_signature(assertion);
  if (!out.response_signed && !out.assertion_signed)
    return fail(errc::unauthenticated, "Neither the Response nor its Assertion is signed.");
  const xmlNode* read_from = nullptr;
  if (out.response_signed) {
    auto r = v.verify(doc, root);
    if (!r) return std::unexpected(r.error());
    read_from = element_children(r->node(), ns_saml, "Assertion").front();
  }
  if (out.assertion_signed) {
    auto a = v.verify(doc, assertion);
    if (!a) return std::unexpected(a.error());
    read_from = a->node();
  }
  return read_from;
}

}  // namespace

result<validated_assertion> validate_response(document& doc, const response_expectations& e, const verifier& v,
                                              const saml_schema& schema) {
  xmlNode* root = doc.root();
  if (!is_element(root, ns_samlp, "Response")) return invalid("The SAML message is not a Response.");
  if (auto r = schema.validate(doc); !r) return std::unexpected(r.error());
  auto assertion = the_assertion(root);
  if (!assertion) return std::unexpected(assertion.error());
  validated_assertion out;
  auto node = verify_signatures(doc, root, *assertion, v, out);
  if (!node) return std::unexpected(node.error());
  if (auto r = check_response(root, e, out.response_signed); !r) return std::unexpected(r.error());
  out.response_id = attribute(root, "ID").value_or("");
  out.in_response_to = attribute(root, "InResponseTo");
  if (auto r = read_assertion(*node, e, out); !r) return std::unexpected(r.error());
  return out;
}

result<validated_assertion> validate_post_response(std::string_view saml_response, const response_expectations& e,
                                                   const verifier& v, const saml_schema& schema,
                                                   const parse_limits& limits) {
  auto doc = decode_post_message(saml_response, limits);
  if (!doc) return std::unexpected(doc.error());
  return validate_response(*doc, e, v, schema);
}

}  // namespace atrium::xml
