#include "xml/schema.hpp"

#include <libxml/xmlschemas.h>

#include <filesystem>
#include <mutex>

#include "xml/library.hpp"

#ifndef ATRIUM_XML_SCHEMA_DIR
#define ATRIUM_XML_SCHEMA_DIR "/usr/share/atrium/xml/schemas"
#endif

namespace atrium::xml {

namespace {

// The schemaLocation URLs in saml-schema-protocol-2.0.xsd and saml-schema-assertion-2.0.xsd.
constexpr const char* dsig_url = "http://www.w3.org/TR/2002/REC-xmldsig-core-20020212/xmldsig-core-schema.xsd";
constexpr const char* xenc_url = "http://www.w3.org/TR/2002/REC-xmlenc-core-20021210/xenc-schema.xsd";

void schema_error(void* ctx, xmlErrorPtr err) {
  if (!ctx || !err || !err->message) return;
  std::string m = err->message;
  while (!m.empty() && (m.back() == '\n' || m.back() == ' ')) m.pop_back();
  static_cast<error_capture*>(ctx)->add(std::move(m));
}

result<void> require_file(const std::string& path, const char* package) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec))
    return fail(errc::internal, "SAML schema file " + path + " is missing (" + package + "; scripts/install-deps).");
  return {};
}

}  // namespace

struct saml_schema::impl {
  xmlSchemaPtr schema = nullptr;
  ~impl() {
    if (schema) xmlSchemaFree(schema);
  }
};

saml_schema::saml_schema(std::unique_ptr<impl> p) : impl_(std::move(p)) {}
saml_schema::~saml_schema() = default;

schema_locations default_schema_locations() { return {"/usr/share/xml/opensaml", ATRIUM_XML_SCHEMA_DIR}; }

result<std::shared_ptr<const saml_schema>> saml_schema::load(const schema_locations& where) {
  ensure_initialized();
  const std::string protocol = where.saml_dir + "/saml-schema-protocol-2.0.xsd";
  const std::string dsig = where.w3c_dir + "/xmldsig-core-schema.xsd";
  const std::string xenc = where.w3c_dir + "/xenc-schema.xsd";
  for (const auto& [path, pkg] : {std::pair{protocol, "opensaml-schemas"}, std::pair{dsig, "src/xml/schemas"},
                                  std::pair{xenc, "src/xml/schemas"}})
    if (auto r = require_file(path, pkg); !r) return std::unexpected(r.error());
  allow_schema_directory(where.saml_dir);
  allow_schema_directory(where.w3c_dir);
  map_schema_url(dsig_url, dsig);
  map_schema_url(xenc_url, xenc);

  error_capture errors;
  xmlSchemaParserCtxtPtr pctxt = xmlSchemaNewParserCtxt(protocol.c_str());
  if (!pctxt) return fail(errc::internal, "Cannot read the SAML protocol schema.");
  xmlSchemaSetParserStructuredErrors(pctxt, schema_error, &errors);
  auto p = std::make_unique<impl>();
  p->schema = xmlSchemaParse(pctxt);
  xmlSchemaFreeParserCtxt(pctxt);
  if (!p->schema) return fail(errc::internal, "Cannot compile the SAML schemas: " + errors.summary());
  return std::shared_ptr<const saml_schema>(new saml_schema(std::move(p)));
}

result<std::shared_ptr<const saml_schema>> saml_schema::shared() {
  static std::once_flag once;
  static result<std::shared_ptr<const saml_schema>> instance = fail(errc::internal, "not loaded");
  std::call_once(once, [] { instance = load(default_schema_locations()); });
  return instance;
}

result<void> saml_schema::validate(const document& doc) const {
  error_capture errors;
  xmlSchemaValidCtxtPtr v = xmlSchemaNewValidCtxt(impl_->schema);
  if (!v) return fail(errc::internal, "Cannot create a schema validation context.");
  xmlSchemaSetValidStructuredErrors(v, schema_error, &errors);
  int rc = xmlSchemaValidateDoc(v, doc.get());
  xmlSchemaFreeValidCtxt(v);
  if (rc != 0) {
    auto why = errors.summary();
    return fail(errc::validation, "The SAML message does not follow the SAML 2.0 schema" +
                                      (why.empty() ? std::string(".") : ": " + why));
  }
  return {};
}

}  // namespace atrium::xml
