#pragma once
// Small read helpers over libxml2 nodes: namespace-qualified element tests, child lookup,
// attributes without a namespace, and element text. Used after parsing and verification, so
// that every SAML value is read the same way.
#include <libxml/tree.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"

namespace atrium::xml {

// An element with this namespace URI and local name.
bool is_element(const xmlNode* n, const char* ns, const char* name);
// Element children in document order, or only those with this namespace and name.
std::vector<xmlNode*> element_children(const xmlNode* parent);
std::vector<xmlNode*> element_children(const xmlNode* parent, const char* ns, const char* name);
// The only such child: nullptr when there is none, an error when there are several.
result<xmlNode*> optional_child(const xmlNode* parent, const char* ns, const char* name);
// Descendants (not the node itself) with this namespace and name, anywhere below.
std::size_t count_descendants(const xmlNode* n, const char* ns, const char* name);
// An attribute without a namespace (SAML's attributes are unqualified).
std::optional<std::string> attribute(const xmlNode* n, const char* name);
// The text of an element: every text and CDATA child joined, comments skipped, so that
// "a<!---->b" reads as "ab" (the value that exc-c14n signed) and never as "a". An element
// child is refused: SAML's string-valued elements hold text only.
result<std::string> element_text(const xmlNode* n);
// "{namespace}name" for messages.
std::string qualified_name(const xmlNode* n);

// XML character escaping for text and attribute values (&, <, >, ", ', and CR/TAB/LF in
// attributes as character references so that attribute normalisation keeps them).
std::string escape(std::string_view s);

}  // namespace atrium::xml
