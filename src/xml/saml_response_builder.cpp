#include "xml/saml_response_builder.hpp"

#include <memory>

#include "base/strings.hpp"
#include "xml/document.hpp"
#include "xml/dom.hpp"
#include "xml/library.hpp"
#include "xml/names.hpp"
#include "xml/saml_time.hpp"

namespace atrium::xml {

namespace {

result<void> check_text(std::string_view value, const char* what, bool required) {
  if (required && value.empty()) return invalid(std::string(what) + " is required in a SAML response.");
  if (!valid_utf8(value) || has_control_chars(value, "\t\n\r"))
    return invalid(std::string(what) + " must be UTF-8 text without control characters.");
  return {};
}

result<void> check_values(const response_values& v) {
  const std::pair<const std::string*, const char*> required[] = {
      {&v.issuer, "The issuer"},         {&v.destination, "The destination"},
      {&v.recipient, "The recipient"},   {&v.audience, "The audience"},
      {&v.name_id, "The NameID"},        {&v.name_id_format, "The NameID format"},
      {&v.session_index, "The SessionIndex"}, {&v.authn_context_class_ref, "The AuthnContextClassRef"}};
  for (const auto& [value, what] : required)
    if (auto r = check_text(*value, what, true); !r) return r;
  if (v.in_response_to)
    if (auto r = check_text(*v.in_response_to, "InResponseTo", true); !r) return r;
  if (v.not_before >= v.not_on_or_after) return invalid("NotBefore must be earlier than NotOnOrAfter.");
  for (const auto& a : v.attributes) {
    if (auto r = check_text(a.name, "An attribute name", true); !r) return r;
    if (auto r = check_text(a.name_format, "An attribute NameFormat", true); !r) return r;
    if (a.values.empty()) return invalid("Attribute " + a.name + " has no values.");
    for (const auto& value : a.values)
      if (auto r = check_text(value, "An attribute value", false); !r) return r;
  }
  return {};
}

const xmlChar* u(const char* s) { return reinterpret_cast<const xmlChar*>(s); }
const xmlChar* u(const std::string& s) { return u(s.c_str()); }

// The Response is built as a libxml2 tree, node by node, instead of as text that is parsed
// again before signing (about a tenth of a launch's CPU besides the signatures). The tree is
// exactly the one the parser made of that text: the same namespace declarations on the same
// elements in the same order, attributes in the same order, raw values in text and attribute
// nodes (libxml2 escapes them when writing), no text node for an empty value. So the output,
// and what exclusive c14n signs, is byte for byte what it was (tests/xml/saml_response_test.cpp
// compares the two). Values were checked first: UTF-8, no NUL.
class tree_builder {
 public:
  explicit tree_builder(xmlDoc* doc) : doc_(doc) {}

  xmlNode* element(xmlNode* parent, xmlNs* ns, const char* name) {
    xmlNode* n = xmlNewDocNode(doc_, ns, u(name), nullptr);
    if (!n) failed_ = true;
    else if (parent) xmlAddChild(parent, n);
    return n;
  }
  xmlNode* text_element(xmlNode* parent, xmlNs* ns, const char* name, const std::string& text) {
    xmlNode* n = element(parent, ns, name);
    add_text(n, text);
    return n;
  }
  void add_text(xmlNode* n, const std::string& text) {
    if (!n || text.empty()) return;
    xmlNode* t = xmlNewDocTextLen(doc_, u(text), static_cast<int>(text.size()));
    if (!t) failed_ = true;
    else xmlAddChild(n, t);
  }
  void attr(xmlNode* n, const char* name, const std::string& value) {
    if (n && !xmlNewProp(n, u(name), u(value))) failed_ = true;
  }
  void attr(xmlNode* n, xmlNs* ns, const char* name, const char* value) {
    if (n && !xmlNewNsProp(n, ns, u(name), u(value))) failed_ = true;
  }
  xmlNs* declare(xmlNode* n, const char* href, const char* prefix) {
    xmlNs* ns = n ? xmlNewNs(n, u(href), u(prefix)) : nullptr;
    if (!ns) failed_ = true;
    return ns;
  }
  bool failed() const { return failed_; }

 private:
  xmlDoc* doc_;
  bool failed_ = false;
};

// SAML core §2.7.3: xs:string values; the xs/xsi declarations sit on the value itself so that
// the assertion stays self-contained under exclusive c14n.
void attribute_statement(tree_builder& b, xmlNode* assertion, xmlNs* saml, const std::vector<saml_attribute>& attributes) {
  if (attributes.empty()) return;
  xmlNode* statement = b.element(assertion, saml, "AttributeStatement");
  for (const auto& a : attributes) {
    xmlNode* attribute = b.element(statement, saml, "Attribute");
    b.attr(attribute, "Name", a.name);
    b.attr(attribute, "NameFormat", a.name_format);
    for (const auto& value : a.values) {
      xmlNode* v = b.element(attribute, saml, "AttributeValue");
      b.declare(v, "http://www.w3.org/2001/XMLSchema", "xs");
      xmlNs* xsi = b.declare(v, "http://www.w3.org/2001/XMLSchema-instance", "xsi");
      b.attr(v, xsi, "type", "xs:string");
      b.add_text(v, value);
    }
  }
}

// SAML profiles §4.1.4.2: bearer confirmation with Recipient, NotOnOrAfter, InResponseTo.
void subject(tree_builder& b, xmlNode* assertion, xmlNs* saml, const response_values& v) {
  xmlNode* subject = b.element(assertion, saml, "Subject");
  xmlNode* name_id = b.text_element(subject, saml, "NameID", v.name_id);
  b.attr(name_id, "Format", v.name_id_format);
  xmlNode* confirmation = b.element(subject, saml, "SubjectConfirmation");
  b.attr(confirmation, "Method", cm_bearer);
  xmlNode* data = b.element(confirmation, saml, "SubjectConfirmationData");
  if (v.in_response_to) b.attr(data, "InResponseTo", *v.in_response_to);
  b.attr(data, "NotOnOrAfter", format_saml_time(v.not_on_or_after));
  b.attr(data, "Recipient", v.recipient);
}

// The Assertion declares the saml namespace again (its Response does too) so that it stands
// alone when an SP takes it out of the Response.
void assertion(tree_builder& b, xmlNode* response, const response_values& v, const std::string& id) {
  xmlNode* a = b.element(response, nullptr, "Assertion");
  xmlNs* saml = b.declare(a, ns_saml, "saml");
  xmlSetNs(a, saml);
  b.attr(a, "ID", id);
  b.attr(a, "Version", "2.0");
  b.attr(a, "IssueInstant", format_saml_time(v.issue_instant));
  b.text_element(a, saml, "Issuer", v.issuer);
  subject(b, a, saml, v);
  xmlNode* conditions = b.element(a, saml, "Conditions");
  b.attr(conditions, "NotBefore", format_saml_time(v.not_before));
  b.attr(conditions, "NotOnOrAfter", format_saml_time(v.not_on_or_after));
  xmlNode* restriction = b.element(conditions, saml, "AudienceRestriction");
  b.text_element(restriction, saml, "Audience", v.audience);
  xmlNode* authn = b.element(a, saml, "AuthnStatement");
  b.attr(authn, "AuthnInstant", format_saml_time(v.authn_instant));
  b.attr(authn, "SessionIndex", v.session_index);
  if (v.session_not_on_or_after) b.attr(authn, "SessionNotOnOrAfter", format_saml_time(*v.session_not_on_or_after));
  xmlNode* context = b.element(authn, saml, "AuthnContext");
  b.text_element(context, saml, "AuthnContextClassRef", v.authn_context_class_ref);
  attribute_statement(b, a, saml, v.attributes);
}

std::string saml_id(random_source& random) { return "_" + random.hex(16); }

// The unsigned Response as a document (SAML core §3.3.3, §2.3.3).
result<document> response_document(const response_values& v, random_source& random) {
  if (auto r = check_values(v); !r) return std::unexpected(r.error());
  ensure_initialized();
  std::string response_id = saml_id(random), assertion_id = saml_id(random);
  document doc = document::adopt(xmlNewDoc(u("1.0")));
  if (!doc.get()) return fail(errc::internal, "Cannot create the Response document.");
  tree_builder b(doc.get());
  xmlNode* response = b.element(nullptr, nullptr, "Response");
  if (!response) return fail(errc::internal, "Cannot create the Response element.");
  xmlDocSetRootElement(doc.get(), response);
  xmlNs* samlp = b.declare(response, ns_samlp, "samlp");
  xmlNs* saml = b.declare(response, ns_saml, "saml");
  xmlSetNs(response, samlp);
  b.attr(response, "ID", response_id);
  b.attr(response, "Version", "2.0");
  b.attr(response, "IssueInstant", format_saml_time(v.issue_instant));
  b.attr(response, "Destination", v.destination);
  if (v.in_response_to) b.attr(response, "InResponseTo", *v.in_response_to);
  b.text_element(response, saml, "Issuer", v.issuer);
  xmlNode* status = b.element(response, samlp, "Status");
  xmlNode* code = b.element(status, samlp, "StatusCode");
  b.attr(code, "Value", status_success);
  assertion(b, response, v, assertion_id);
  if (b.failed()) return fail(errc::internal, "Cannot build the Response (out of memory).");
  return doc;
}

}  // namespace

result<std::string> build_response_xml(const response_values& v, random_source& random) {
  auto doc = response_document(v, random);
  if (!doc) return std::unexpected(doc.error());
  return doc->root_to_string();
}

result<std::string> build_response(const response_values& v, random_source& random, const signer& sign_with,
                                   sign_target target) {
  auto doc = response_document(v, random);
  if (!doc) return std::unexpected(doc.error());
  xmlNode* response = doc->root();
  if (target != sign_target::response) {
    auto assertions = element_children(response, ns_saml, "Assertion");
    if (auto r = sign_with.sign(*doc, assertions.front()); !r) return std::unexpected(r.error());
  }
  if (target != sign_target::assertion)
    if (auto r = sign_with.sign(*doc, response); !r) return std::unexpected(r.error());
  return doc->to_string();
}

}  // namespace atrium::xml
