#include "xml/dom.hpp"

#include <cstring>

namespace atrium::xml {

namespace {
const char* str(const xmlChar* s) { return reinterpret_cast<const char*>(s); }
}  // namespace

bool is_element(const xmlNode* n, const char* ns, const char* name) {
  if (!n || n->type != XML_ELEMENT_NODE || !n->name || std::strcmp(str(n->name), name) != 0) return false;
  if (!ns) return n->ns == nullptr;
  return n->ns && n->ns->href && std::strcmp(str(n->ns->href), ns) == 0;
}

std::vector<xmlNode*> element_children(const xmlNode* parent) {
  std::vector<xmlNode*> out;
  if (!parent) return out;
  for (xmlNode* c = parent->children; c; c = c->next)
    if (c->type == XML_ELEMENT_NODE) out.push_back(c);
  return out;
}

std::vector<xmlNode*> element_children(const xmlNode* parent, const char* ns, const char* name) {
  std::vector<xmlNode*> out;
  if (!parent) return out;
  for (xmlNode* c = parent->children; c; c = c->next)
    if (is_element(c, ns, name)) out.push_back(c);
  return out;
}

result<xmlNode*> optional_child(const xmlNode* parent, const char* ns, const char* name) {
  auto all = element_children(parent, ns, name);
  if (all.size() > 1)
    return fail(errc::validation, std::string("More than one ") + name + " element in " + qualified_name(parent) + ".");
  return all.empty() ? nullptr : all.front();
}

std::size_t count_descendants(const xmlNode* n, const char* ns, const char* name) {
  std::size_t count = 0;
  if (!n) return 0;
  for (xmlNode* c = n->children; c; c = c->next) {
    if (c->type != XML_ELEMENT_NODE) continue;
    if (is_element(c, ns, name)) ++count;
    count += count_descendants(c, ns, name);  // depth is bounded by parse_limits
  }
  return count;
}

std::optional<std::string> attribute(const xmlNode* n, const char* name) {
  if (!n || n->type != XML_ELEMENT_NODE) return std::nullopt;
  xmlAttr* a = xmlHasNsProp(n, reinterpret_cast<const xmlChar*>(name), nullptr);
  if (!a) return std::nullopt;
  xmlChar* v = xmlNodeGetContent(reinterpret_cast<xmlNode*>(a));
  std::string out = v ? str(v) : "";
  xmlFree(v);
  return out;
}

result<std::string> element_text(const xmlNode* n) {
  std::string out;
  if (!n) return out;
  for (xmlNode* c = n->children; c; c = c->next) {
    if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) {
      if (c->content) out += str(c->content);
    } else if (c->type == XML_ELEMENT_NODE) {
      return fail(errc::validation, qualified_name(n) + " must hold text only.");
    }
  }
  return out;
}

std::string qualified_name(const xmlNode* n) {
  if (!n || !n->name) return "(none)";
  std::string out;
  if (n->ns && n->ns->href) out = std::string("{") + str(n->ns->href) + "}";
  return out + str(n->name);
}

std::string escape(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 16);
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      case '\r': out += "&#13;"; break;
      case '\t': out += "&#9;"; break;
      case '\n': out += "&#10;"; break;
      default: out += c;
    }
  }
  return out;
}

}  // namespace atrium::xml
