#include "xml/id_registry.hpp"

#include <libxml/valid.h>

#include <cstring>
#include <set>
#include <string>
#include <vector>

#include "xml/dom.hpp"
#include "xml/names.hpp"

namespace atrium::xml {

namespace {

bool id_like_name(const xmlAttr* a) {
  if (a->ns) return false;
  const char* n = reinterpret_cast<const char*>(a->name);
  return std::strcmp(n, "ID") == 0 || std::strcmp(n, "Id") == 0 || std::strcmp(n, "id") == 0;
}

bool is_xml_id(const xmlAttr* a) {
  return a->ns && a->ns->href && std::strcmp(reinterpret_cast<const char*>(a->ns->href), ns_xml) == 0 &&
         std::strcmp(reinterpret_cast<const char*>(a->name), "id") == 0;
}

std::string attr_value(const xmlAttr* a) {
  xmlChar* v = xmlNodeGetContent(reinterpret_cast<const xmlNode*>(a));
  std::string out = v ? reinterpret_cast<const char*>(v) : "";
  xmlFree(v);
  return out;
}

// Every element in document order (the tree depth is bounded by parse_limits).
void collect_elements(xmlNode* n, std::vector<xmlNode*>& out) {
  for (; n; n = n->next) {
    if (n->type != XML_ELEMENT_NODE) continue;
    out.push_back(n);
    collect_elements(n->children, out);
  }
}

}  // namespace

bool is_signable_element(const xmlNode* n) {
  return is_element(n, ns_samlp, "Response") || is_element(n, ns_saml, "Assertion") ||
         is_element(n, ns_samlp, "AuthnRequest") || is_element(n, ns_samlp, "LogoutRequest") ||
         is_element(n, ns_samlp, "LogoutResponse");
}

result<void> register_saml_ids(document& doc) {
  std::vector<xmlNode*> elements;
  collect_elements(doc.get()->children, elements);
  std::set<std::string> seen;
  for (xmlNode* e : elements) {
    for (xmlAttr* a = e->properties; a; a = a->next) {
      if (is_xml_id(a)) return fail(errc::validation, "xml:id attributes are not accepted in SAML messages.");
      if (id_like_name(a) && !seen.insert(attr_value(a)).second)
        return fail(errc::validation, "The ID value \"" + attr_value(a) + "\" occurs more than once in the document.");
      if (a->atype == XML_ATTRIBUTE_ID) xmlRemoveID(doc.get(), a);
    }
  }
  for (xmlNode* e : elements) {
    if (!is_signable_element(e)) continue;
    xmlAttr* a = xmlHasNsProp(e, reinterpret_cast<const xmlChar*>("ID"), nullptr);
    if (!a) continue;
    std::string v = attr_value(a);
    if (v.empty()) return fail(errc::validation, qualified_name(e) + " has an empty ID.");
    if (!xmlAddID(nullptr, doc.get(), reinterpret_cast<const xmlChar*>(v.c_str()), a))
      return fail(errc::validation, "Cannot register the ID \"" + v + "\".");
  }
  return {};
}

}  // namespace atrium::xml
