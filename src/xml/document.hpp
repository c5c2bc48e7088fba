#pragma once
// An owned libxml2 document parsed from untrusted bytes with the refusals SAML needs.
//
// Before the parser sees a byte: size limit, UTF-8 only, no NUL, and no "<!DOCTYPE" or
// "<!ENTITY" anywhere (billion laughs, external entities and XXE never reach libxml2 or xmlsec,
// which crashes on the former). The parser runs with XML_PARSE_NONET and never with
// XML_PARSE_NOENT, XML_PARSE_DTDLOAD or XML_PARSE_DTDATTR; after it, a document with an internal
// or external subset, a processing instruction or an entity reference is refused, and so is one
// deeper or larger than the limits. SAML core §3 messages need none of these.
#include <libxml/tree.h>

#include <cstddef>
#include <string>
#include <string_view>

#include "base/result.hpp"

namespace atrium::xml {

struct parse_limits {
  std::size_t max_bytes = 256 * 1024;
  std::size_t max_depth = 64;
  std::size_t max_elements = 10'000;
};

class document {
 public:
  // Parses untrusted bytes. Errors are errc::validation with libxml2's first messages.
  static result<document> parse(std::string_view bytes, const parse_limits& limits = {});

  // Takes ownership of a document built in memory (not parsed: nothing untrusted in it).
  static document adopt(xmlDoc* doc) { return document(doc); }

  document(document&& other) noexcept;
  document& operator=(document&& other) noexcept;
  document(const document&) = delete;
  document& operator=(const document&) = delete;
  ~document();

  xmlDoc* get() const { return doc_; }
  xmlNode* root() const;
  // The document as text (UTF-8, with an XML declaration). Signed content is written as held.
  std::string to_string() const;
  // The root element alone as text, without the XML declaration.
  std::string root_to_string() const;

 private:
  explicit document(xmlDoc* doc) : doc_(doc) {}
  xmlDoc* doc_ = nullptr;
};

}  // namespace atrium::xml
