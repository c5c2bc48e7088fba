#include "cloud/xml_reader.hpp"

#include <cstdint>

namespace atrium::cloud {

const xml_node* xml_node::child(std::string_view n) const {
  for (const auto& c : children)
    if (c.name == n) return &c;
  return nullptr;
}

const xml_node* xml_node::find(std::string_view path) const {
  const xml_node* at = this;
  while (at && !path.empty()) {
    auto slash = path.find('/');
    at = at->child(path.substr(0, slash));
    path = slash == std::string_view::npos ? std::string_view{} : path.substr(slash + 1);
  }
  return at;
}

std::string xml_node::text_at(std::string_view path) const {
  const xml_node* n = find(path);
  return n ? n->text : std::string{};
}

std::vector<const xml_node*> xml_node::all(std::string_view n) const {
  std::vector<const xml_node*> out;
  for (const auto& c : children)
    if (c.name == n) out.push_back(&c);
  return out;
}

namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
bool is_name_char(char c) {
  auto u = static_cast<unsigned char>(c);
  return u >= 0x80 || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         c == '_' || c == '-' || c == '.' || c == ':';
}

void append_utf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

class parser {
 public:
  parser(std::string_view doc, const xml_limits& limits) : s_(doc), limits_(limits) {}

  result<xml_node> document() {
    if (s_.size() > limits_.max_bytes) return fail(errc::validation, "XML answer larger than the limit");
    if (s_.starts_with("\xEF\xBB\xBF")) pos_ = 3;  // UTF-8 byte order mark
    if (auto r = misc(); !r) return std::unexpected(r.error());
    if (pos_ >= s_.size() || s_[pos_] != '<') return error_here("expected the root element");
    xml_node root;
    if (auto r = element(root, 1); !r) return std::unexpected(r.error());
    if (auto r = misc(); !r) return std::unexpected(r.error());
    if (pos_ != s_.size()) return error_here("content after the root element");
    return root;
  }

 private:
  std::unexpected<error> error_here(const std::string& what) const {
    return fail(errc::validation, "malformed XML at byte " + std::to_string(pos_) + ": " + what);
  }

  bool starts(std::string_view lit) const { return s_.substr(pos_).starts_with(lit); }

  void skip_space() {
    while (pos_ < s_.size() && is_space(s_[pos_])) ++pos_;
  }

  // Skips up to and including `end`; false when it never comes.
  bool skip_past(std::string_view end) {
    auto at = s_.find(end, pos_);
    if (at == std::string_view::npos) return false;
    pos_ = at + end.size();
    return true;
  }

  // Whitespace, comments and processing instructions (the XML declaration) around the root.
  result<void> misc() {
    for (;;) {
      skip_space();
      if (starts("<?")) {
        if (!skip_past("?>")) return error_here("unterminated processing instruction");
      } else if (starts("<!--")) {
        if (!skip_past("-->")) return error_here("unterminated comment");
      } else if (starts("<!")) {
        return error_here("DOCTYPE and declarations are not accepted");
      } else {
        return {};
      }
    }
  }

  result<std::string> name() {
    std::size_t start = pos_;
    while (pos_ < s_.size() && is_name_char(s_[pos_])) ++pos_;
    if (pos_ == start) return error_here("expected a name");
    return std::string(s_.substr(start, pos_ - start));
  }

  static std::string local(std::string n) {
    auto colon = n.rfind(':');
    return colon == std::string::npos ? n : n.substr(colon + 1);
  }

  // Decodes one reference after '&' into `out`.
  result<void> reference(std::string& out) {
    auto semi = s_.find(';', pos_);
    if (semi == std::string_view::npos || semi - pos_ > 12) return error_here("bad entity reference");
    std::string_view ref = s_.substr(pos_ + 1, semi - pos_ - 1);
    if (ref == "lt") out += '<';
    else if (ref == "gt") out += '>';
    else if (ref == "amp") out += '&';
    else if (ref == "quot") out += '"';
    else if (ref == "apos") out += '\'';
    else if (ref.size() > 1 && ref[0] == '#') {
      bool hex = ref[1] == 'x';
      std::string_view digits = ref.substr(hex ? 2 : 1);
      if (digits.empty()) return error_here("bad character reference");
      std::uint32_t cp = 0;
      for (char c : digits) {
        int v = (c >= '0' && c <= '9') ? c - '0'
                : (hex && c >= 'a' && c <= 'f') ? c - 'a' + 10
                : (hex && c >= 'A' && c <= 'F') ? c - 'A' + 10
                                                : -1;
        if (v < 0) return error_here("bad character reference");
        cp = cp * (hex ? 16 : 10) + static_cast<std::uint32_t>(v);
        if (cp > 0x10FFFF) return error_here("character reference out of range");
      }
      if (cp == 0 || (cp >= 0xD800 && cp <= 0xDFFF)) return error_here("invalid character reference");
      append_utf8(out, cp);
    } else {
      return error_here("unknown entity (only the predefined ones are accepted)");
    }
    pos_ = semi + 1;
    return {};
  }

  result<void> attributes() {
    for (;;) {
      skip_space();
      if (pos_ >= s_.size()) return error_here("unterminated start tag");
      if (s_[pos_] == '>' || s_[pos_] == '/') return {};
      if (auto n = name(); !n) return std::unexpected(n.error());
      skip_space();
      if (pos_ >= s_.size() || s_[pos_] != '=') return error_here("expected '=' in attribute");
      ++pos_;
      skip_space();
      if (pos_ >= s_.size() || (s_[pos_] != '"' && s_[pos_] != '\'')) return error_here("expected a quoted value");
      char q = s_[pos_++];
      auto end = s_.find(q, pos_);
      if (end == std::string_view::npos) return error_here("unterminated attribute value");
      if (s_.substr(pos_, end - pos_).find('<') != std::string_view::npos) return error_here("'<' in attribute value");
      pos_ = end + 1;
    }
  }

  result<void> element(xml_node& node, std::size_t depth) {
    if (depth > limits_.max_depth) return error_here("nesting deeper than the limit");
    if (++elements_ > limits_.max_elements) return error_here("more elements than the limit");
    ++pos_;  // '<'
    auto n = name();
    if (!n) return std::unexpected(n.error());
    node.name = local(*n);
    if (auto r = attributes(); !r) return r;
    if (s_[pos_] == '/') {
      if (pos_ + 1 >= s_.size() || s_[pos_ + 1] != '>') return error_here("expected '/>'");
      pos_ += 2;
      return {};
    }
    ++pos_;  // '>'
    return content(node, *n, depth);
  }

  result<void> content(xml_node& node, const std::string& qname, std::size_t depth) {
    for (;;) {
      if (pos_ >= s_.size()) return error_here("unterminated element <" + qname + ">");
      char c = s_[pos_];
      if (c == '&') {
        if (auto r = reference(node.text); !r) return r;
      } else if (c != '<') {
        node.text += c;
        ++pos_;
      } else if (starts("</")) {
        pos_ += 2;
        auto n = name();
        if (!n) return std::unexpected(n.error());
        if (*n != qname) return error_here("</" + *n + "> does not close <" + qname + ">");
        skip_space();
        if (pos_ >= s_.size() || s_[pos_] != '>') return error_here("expected '>'");
        ++pos_;
        return {};
      } else if (starts("<![CDATA[")) {
        auto end = s_.find("]]>", pos_ + 9);
        if (end == std::string_view::npos) return error_here("unterminated CDATA");
        node.text.append(s_.substr(pos_ + 9, end - pos_ - 9));
        pos_ = end + 3;
      } else if (starts("<!--")) {
        if (!skip_past("-->")) return error_here("unterminated comment");
      } else if (starts("<?")) {
        if (!skip_past("?>")) return error_here("unterminated processing instruction");
      } else if (starts("<!")) {
        return error_here("declarations are not accepted inside elements");
      } else {
        node.children.emplace_back();
        if (auto r = element(node.children.back(), depth + 1); !r) return r;
      }
    }
  }

  std::string_view s_;
  const xml_limits& limits_;
  std::size_t pos_ = 0;
  std::size_t elements_ = 0;
};

}  // namespace

result<xml_node> parse_xml(std::string_view doc, const xml_limits& limits) {
  return parser(doc, limits).document();
}

}  // namespace atrium::cloud
