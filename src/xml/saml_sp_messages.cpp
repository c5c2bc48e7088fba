#include "xml/saml_sp_messages.hpp"

#include "xml/dom.hpp"
#include "xml/names.hpp"
#include "xml/saml_metadata.hpp"
#include "xml/saml_time.hpp"

namespace atrium::xml {

std::string make_message_id(random_source& random) { return "_" + random.hex(16); }

std::string build_authn_request(const authn_request_values& v) {
  std::string x = "<samlp:AuthnRequest xmlns:samlp=\"";
  x += ns_samlp;
  x += "\" xmlns:saml=\"";
  x += ns_saml;
  x += "\" ID=\"" + escape(v.id) + "\" Version=\"2.0\" IssueInstant=\"" + format_saml_time(v.issue_instant) +
       "\" Destination=\"" + escape(v.destination) + "\" AssertionConsumerServiceURL=\"" + escape(v.acs_url) +
       "\" ProtocolBinding=\"";
  x += binding_post;
  x += "\"><saml:Issuer>" + escape(v.sp_entity_id) + "</saml:Issuer><samlp:NameIDPolicy Format=\"";
  x += name_id_email;
  x += "\" AllowCreate=\"false\"/></samlp:AuthnRequest>";
  return x;
}

std::string build_sp_metadata(const sp_metadata_values& v) {
  std::string x = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<md:EntityDescriptor xmlns:md=\"";
  x += ns_md;
  x += "\" xmlns:ds=\"";
  x += ns_ds;
  x += "\" entityID=\"" + escape(v.entity_id) + "\">\n";
  x += "  <md:SPSSODescriptor AuthnRequestsSigned=\"true\" WantAssertionsSigned=\"true\" "
       "protocolSupportEnumeration=\"";
  x += ns_samlp;
  x += "\">\n    <md:KeyDescriptor use=\"signing\"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>" +
       escape(v.signing_certificate_base64) + "</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>\n";
  x += "    <md:NameIDFormat>";
  x += name_id_email;
  x += "</md:NameIDFormat>\n    <md:AssertionConsumerService Binding=\"";
  x += binding_post;
  x += "\" Location=\"" + escape(v.acs_url) + "\" index=\"0\" isDefault=\"true\"/>\n";
  x += "  </md:SPSSODescriptor>\n</md:EntityDescriptor>\n";
  return x;
}

}  // namespace atrium::xml
