#pragma once
// The first implementation of xml::build_response, kept as the tests' oracle: the Response
// written as escaped text, parsed by libxml2, then signed. The builder now makes the libxml2
// tree directly; saml_response_test checks that its output — the signed bytes every SP verifies
// — is the same, byte for byte, as this one's for the same values, ids and key.
#include <string>
#include <vector>

#include "xml/document.hpp"
#include "xml/dom.hpp"
#include "xml/names.hpp"
#include "xml/saml_response_builder.hpp"
#include "xml/saml_time.hpp"

namespace atrium::xml::testing::oracle {

inline std::string attr(const char* name, std::string_view value) {
  return std::string(" ") + name + "=\"" + escape(value) + "\"";
}

inline std::string element(const char* name, std::string_view text) {
  return std::string("<") + name + ">" + escape(text) + "</" + name + ">";
}

inline std::string attribute_statement(const std::vector<saml_attribute>& attributes) {
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

inline std::string subject(const response_values& v) {
  std::string data = "<saml:SubjectConfirmationData";
  if (v.in_response_to) data += attr("InResponseTo", *v.in_response_to);
  data += attr("NotOnOrAfter", format_saml_time(v.not_on_or_after)) + attr("Recipient", v.recipient) + "/>";
  return "<saml:Subject><saml:NameID" + attr("Format", v.name_id_format) + ">" + escape(v.name_id) +
         "</saml:NameID><saml:SubjectConfirmation" + attr("Method", cm_bearer) + ">" + data +
         "</saml:SubjectConfirmation></saml:Subject>";
}

inline std::string assertion(const response_values& v, const std::string& id) {
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

inline std::string response_text(const response_values& v, random_source& random) {
  std::string response_id = "_" + random.hex(16), assertion_id = "_" + random.hex(16);
  std::string out = "<samlp:Response xmlns:samlp=\"" + std::string(ns_samlp) + "\" xmlns:saml=\"" + ns_saml + "\"" +
                    attr("ID", response_id) + " Version=\"2.0\"" +
                    attr("IssueInstant", format_saml_time(v.issue_instant)) + attr("Destination", v.destination);
  if (v.in_response_to) out += attr("InResponseTo", *v.in_response_to);
  out += ">" + element("saml:Issuer", v.issuer) + "<samlp:Status><samlp:StatusCode" + attr("Value", status_success) +
         "/></samlp:Status>" + assertion(v, assertion_id) + "</samlp:Response>";
  return out;
}

// Text, parse, sign: what build_response did before it built the tree.
inline std::string signed_response_text(const response_values& v, random_source& random, const signer& s, sign_target target) {
  parse_limits limits;
  limits.max_bytes = 4u << 20;
  limits.max_elements = 100'000;
  auto doc = document::parse(response_text(v, random), limits);
  if (!doc) throw std::runtime_error(doc.error().message);
  xmlNode* response = doc->root();
  if (target != sign_target::response)
    if (auto r = s.sign(*doc, element_children(response, ns_saml, "Assertion").front()); !r)
      throw std::runtime_error(r.error().message);
  if (target != sign_target::assertion)
    if (auto r = s.sign(*doc, response); !r) throw std::runtime_error(r.error().message);
  return doc->to_string();
}

}  // namespace atrium::xml::testing::oracle
