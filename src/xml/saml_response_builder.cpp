#include "xml/saml_response_builder.hpp"

#include "base/strings.hpp"
#include "xml/document.hpp"
#include "xml/dom.hpp"
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

std::string attr(const char* name, std::string_view value) {
  return std::string(" ") + name + "=\"" + escape(value) + "\"";
}

std::string element(const char* name, std::string_view text) {
  return std::string("<") + name + ">" + escape(text) + "</" + name + ">";
}

// SAML core §2.7.3: xs:string values; the xs/xsi declarations sit on the value itself so that
// the assertion stays self-contained under exclusive c14n.
std::string attribute_statement(const std::vector<saml_attribute>& attributes) {
  if (attributes.empty()) return {};
  std::string out = "<saml:AttributeStatement>";
  for (const auto& a : attributes) {
    out += "<saml:Attribute" + attr("Name", a.name) + attr("NameFormat", a.name_format) + ">";
    for (const auto& value : a.values)
      out += "<saml:AttributeValue xmlns:xs=\"http://www.w3.org/2001/XMLSchema\" "
             "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:type=\"xs:string\">" +
             escape(value) + "</saml:AttributeValue>";
    out += "</saml:Attribute>";
  }
  return out + "</saml:AttributeStatement>";
}

// SAML profiles §4.1.4.2: bearer confirmation with Recipient, NotOnOrAfter, InResponseTo.
std::string subject(const response_values& v) {
  std::string data = "<saml:SubjectConfirmationData";
  if (v.in_response_to) data += attr("InResponseTo", *v.in_response_to);
  data += attr("NotOnOrAfter", format_saml_time(v.not_on_or_after)) + attr("Recipient", v.recipient) + "/>";
  return "<saml:Subject><saml:NameID" + attr("Format", v.name_id_format) + ">" + escape(v.name_id) +
         "</saml:NameID><saml:SubjectConfirmation" + attr("Method", cm_bearer) + ">" + data +
         "</saml:SubjectConfirmation></saml:Subject>";
}

std::string assertion(const response_values& v, const std::string& id) {
  std::string authn = "<saml:AuthnStatement" + attr("AuthnInstant", format_saml_time(v.authn_instant)) +
                      attr("SessionIndex", v.session_index);
  if (v.session_not_on_or_after) authn += attr("SessionNotOnOrAfter", format_saml_time(*v.session_not_on_or_after));
  authn += "><saml:AuthnContext>" + element("saml:AuthnContextClassRef", v.authn_context_class_ref) +
           "</saml:AuthnContext></saml:AuthnStatement>";
  return "<saml:Assertion xmlns:saml=\"" + std::string(ns_saml) + "\"" + attr("ID", id) + " Version=\"2.0\"" +
         attr("IssueInstant", format_saml_time(v.issue_instant)) + ">" + element("saml:Issuer", v.issuer) +
         subject(v) + "<saml:Conditions" + attr("NotBefore", format_saml_time(v.not_before)) +
         attr("NotOnOrAfter", format_saml_time(v.not_on_or_after)) + "><saml:AudienceRestriction>" +
         element("saml:Audience", v.audience) + "</saml:AudienceRestriction></saml:Conditions>" + authn +
         attribute_statement(v.attributes) + "</saml:Assertion>";
}

std::string saml_id(random_source& random) { return "_" + random.hex(16); }

}  // namespace

result<std::string> build_response_xml(const response_values& v, random_source& random) {
  if (auto r = check_values(v); !r) return std::unexpected(r.error());
  std::string response_id = saml_id(random), assertion_id = saml_id(random);
  std::string out = "<samlp:Response xmlns:samlp=\"" + std::string(ns_samlp) + "\" xmlns:saml=\"" + ns_saml + "\"" +
                    attr("ID", response_id) + " Version=\"2.0\"" +
                    attr("IssueInstant", format_saml_time(v.issue_instant)) + attr("Destination", v.destination);
  if (v.in_response_to) out += attr("InResponseTo", *v.in_response_to);
  out += ">" + element("saml:Issuer", v.issuer) + "<samlp:Status><samlp:StatusCode" + attr("Value", status_success) +
         "/></samlp:Status>" + assertion(v, assertion_id) + "</samlp:Response>";
  return out;
}

result<std::string> build_response(const response_values& v, random_source& random, const signer& sign_with,
                                   sign_target target) {
  auto xml = build_response_xml(v, random);
  if (!xml) return std::unexpected(xml.error());
  parse_limits limits;
  limits.max_bytes = 4u << 20;  // our own output: attributes may be many
  limits.max_elements = 100'000;
  auto doc = document::parse(*xml, limits);
  if (!doc) return std::unexpected(doc.error());
  xmlNode* response = doc->root();
  auto assertions = element_children(response, ns_saml, "Assertion");
  if (target != sign_target::response)
    if (auto r = sign_with.sign(*doc, assertions.front()); !r) return std::unexpected(r.error());
  if (target != sign_target::assertion)
    if (auto r = sign_with.sign(*doc, response); !r) return std::unexpected(r.error());
  return doc->to_string();
}

}  // namespace atrium::xml
