#pragma once
// A minimal, bounded XML reader for the answers of AWS Query APIs (IAM, STS): elements, text,
// CDATA, the five predefined entities and character references. Answers come from the network,
// so the input is untrusted: DOCTYPE (and with it entity expansion) is refused, and size, depth
// and element count are limited. Namespace prefixes are dropped from element names; attributes
// are parsed for well-formedness and discarded (AWS answers carry data in elements only).
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"

namespace atrium::cloud {

struct xml_limits {
  std::size_t max_bytes = 8u << 20;
  std::size_t max_depth = 32;
  std::size_t max_elements = 200'000;
};

struct xml_node {
  std::string name;  // local name, without a namespace prefix
  std::string text;  // concatenated character data directly inside this element
  std::vector<xml_node> children;

  // First child element called `name`, or nullptr.
  const xml_node* child(std::string_view name) const;
  // Descends a '/'-separated path of child names ("GetRoleResult/Role/Path").
  const xml_node* find(std::string_view path) const;
  // Text at `path`, or "" when the element is missing.
  std::string text_at(std::string_view path) const;
  // Every child called `name` (e.g. the <member> items of a list).
  std::vector<const xml_node*> all(std::string_view name) const;
};

// Parses a whole document and returns its root element; errc::validation on malformed input or
// exceeded limits (the message says where).
result<xml_node> parse_xml(std::string_view doc, const xml_limits& limits = {});

}  // namespace atrium::cloud
