#include "xml/document.hpp"

#include <libxml/parser.h>

#include <climits>
#include <memory>

#include "base/strings.hpp"
#include "xml/library.hpp"

namespace atrium::xml {

namespace {


// The byte-level refusals that run before libxml2 sees the input (see document.hpp).
result<void> precheck(std::string_view bytes, const parse_limits& limits) {
  if (bytes.empty()) return invalid("The XML document is empty.");
  if (bytes.size() > limits.max_bytes || bytes.size() > static_cast<std::size_t>(INT_MAX))
    return invalid("The XML document is larger than " + std::to_string(limits.max_bytes) + " bytes.");
  if (bytes.find('\0') != std::string_view::npos || !valid_utf8(bytes))
    return invalid("The XML document is not UTF-8 text.");
  // XML 1.0 §2.8: a document type declaration brings DTDs and entities; SAML never needs one.
  if (bytes.find("<!DOCTYPE") != std::string_view::npos || bytes.find("<!ENTITY") != std::string_view::npos)
    return invalid("XML documents with a DOCTYPE (DTD or entity declarations) are not accepted.");
  return {};
}

// Walks the tree iteratively: depth, element count, and node kinds SAML does not use.
result<void> postcheck(xmlDoc* doc, const parse_limits& limits) {
  if (doc->intSubset || doc->extSubset) return invalid("XML documents with a DOCTYPE are not accepted.");
  if (!xmlDocGetRootElement(doc)) return invalid("The XML document has no root element.");
  std::size_t depth = 0, elements = 0;
  for (xmlNode* n = doc->children; n;) {
    switch (n->type) {
      case XML_PI_NODE: return invalid("XML processing instructions are not accepted.");
      case XML_DTD_NODE:
      case XML_ENTITY_REF_NODE:
      case XML_ENTITY_NODE:
      case XML_ENTITY_DECL: return invalid("XML entities and DTDs are not accepted.");
      case XML_ELEMENT_NODE:
        if (++elements > limits.max_elements)
          return invalid("The XML document has more than " + std::to_string(limits.max_elements) + " elements.");
        break;
      default: break;
    }
    if (n->type == XML_ELEMENT_NODE && n->children) {
      if (++depth > limits.max_depth)
        return invalid("The XML document is nested deeper than " + std::to_string(limits.max_depth) + " levels.");
      n = n->children;
      continue;
    }
    while (n && !n->next) {
      n = n->parent;
      if (!n || n->type == XML_DOCUMENT_NODE) return {};
      --depth;
    }
    n = n->next;
  }
  return {};
}

struct ctxt_free {
  void operator()(xmlParserCtxt* c) const { xmlFreeParserCtxt(c); }
};

}  // namespace

result<document> document::parse(std::string_view bytes, const parse_limits& limits) {
  if (auto r = precheck(bytes, limits); !r) return std::unexpected(r.error());
  ensure_initialized();
  error_capture errors;
  std::unique_ptr<xmlParserCtxt, ctxt_free> ctxt(xmlNewParserCtxt());
  if (!ctxt) return fail(errc::internal, "Cannot create an XML parser.");
  // NONET: no network; no NOENT/DTDLOAD/DTDATTR/XINCLUDE: entities stay unexpanded, no DTD is
  // read, no default attributes are added. The encoding is forced to UTF-8 (checked above).
  constexpr int options = XML_PARSE_NONET | XML_PARSE_NOWARNING;
  xmlDoc* raw = xmlCtxtReadMemory(ctxt.get(), bytes.data(), static_cast<int>(bytes.size()), nullptr, "UTF-8", options);
  document doc(raw);
  if (!raw || !ctxt->wellFormed) {
    auto why = errors.summary();
    return invalid("The XML document is not well-formed" + (why.empty() ? std::string(".") : ": " + why));
  }
  if (auto r = postcheck(raw, limits); !r) return std::unexpected(r.error());
  return doc;
}

document::document(document&& other) noexcept : doc_(other.doc_) { other.doc_ = nullptr; }

document& document::operator=(document&& other) noexcept {
  if (this != &other) {
    if (doc_) xmlFreeDoc(doc_);
    doc_ = other.doc_;
    other.doc_ = nullptr;
  }
  return *this;
}

document::~document() {
  if (doc_) xmlFreeDoc(doc_);
}

xmlNode* document::root() const { return doc_ ? xmlDocGetRootElement(doc_) : nullptr; }

std::string document::to_string() const {
  if (!doc_) return {};
  xmlChar* mem = nullptr;
  int size = 0;
  xmlDocDumpMemoryEnc(doc_, &mem, &size, "UTF-8");
  std::string out(reinterpret_cast<const char*>(mem), size > 0 ? static_cast<std::size_t>(size) : 0);
  xmlFree(mem);
  return out;
}

std::string document::root_to_string() const {
  xmlNode* r = root();
  if (!r) return {};
  std::unique_ptr<xmlBuffer, decltype(&xmlBufferFree)> buf(xmlBufferCreate(), xmlBufferFree);
  if (!buf || xmlNodeDump(buf.get(), doc_, r, 0, 0) < 0) return {};
  return std::string(reinterpret_cast<const char*>(xmlBufferContent(buf.get())),
                     static_cast<std::size_t>(xmlBufferLength(buf.get())));
}

}  // namespace atrium::xml
