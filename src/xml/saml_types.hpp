#pragma once
// Values shared by the SAML assertion builder and the response validator.
#include <string>
#include <vector>

namespace atrium::xml {

// SAML core §2.7.3.1 Attribute: Name, NameFormat and string values (xs:string).
struct saml_attribute {
  std::string name;
  std::string name_format = "urn:oasis:names:tc:SAML:2.0:attrname-format:uri";
  std::vector<std::string> values;
};

}  // namespace atrium::xml
