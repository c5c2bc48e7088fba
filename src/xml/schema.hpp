#pragma once
// XML Schema validation of SAML 2.0 protocol messages (SAML core §3, saml-schema-protocol-2.0
// and saml-schema-assertion-2.0) with the XSDs of Debian's opensaml-schemas. Their imports of
// xmldsig-core and xenc name http:// URLs; those resolve to the copies committed in
// src/xml/schemas/ (from Debian's xmltooling-schemas) through the entity loader of
// xml/library, so loading and validating never touch the network.
//
// The compiled schema is read-only once parsed and shared; each validation makes its own
// validation context, so validation is thread-safe.
#include <memory>
#include <string>

#include "base/result.hpp"
#include "xml/document.hpp"

namespace atrium::xml {

struct schema_locations {
  std::string saml_dir;  // saml-schema-protocol-2.0.xsd and saml-schema-assertion-2.0.xsd
  std::string w3c_dir;   // xmldsig-core-schema.xsd and xenc-schema.xsd
};

// /usr/share/xml/opensaml and the source tree's src/xml/schemas (ATRIUM_XML_SCHEMA_DIR).
schema_locations default_schema_locations();

class saml_schema {
 public:
  // Compiles the protocol schema (and what it imports). errc::internal when files are missing.
  static result<std::shared_ptr<const saml_schema>> load(const schema_locations& where);
  // One process-wide schema from default_schema_locations(), compiled at first use.
  static result<std::shared_ptr<const saml_schema>> shared();

  saml_schema(const saml_schema&) = delete;
  saml_schema& operator=(const saml_schema&) = delete;
  ~saml_schema();

  // The whole document against the SAML protocol and assertion schemas (errc::validation).
  result<void> validate(const document& doc) const;

 private:
  struct impl;
  explicit saml_schema(std::unique_ptr<impl> p);
  std::unique_ptr<impl> impl_;
};

}  // namespace atrium::xml
