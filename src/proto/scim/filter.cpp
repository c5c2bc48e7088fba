#include "proto/scim/filter.hpp"

#include <algorithm>
#include <optional>
#include <utility>
#include <vector>

#include "base/strings.hpp"
#include "proto/scim/schemas.hpp"

namespace atrium::proto::scim {

using nlohmann::json;

namespace {

// A byte of the input for an error detail. The detail goes into a JSON response, so it must stay
// valid UTF-8 whatever the filter held: anything but printable ASCII is written in hex.
std::string describe(char c) {
  if (c > ' ' && c < 0x7f) return std::string("'") + c + "'";
  static constexpr char hex[] = "0123456789ABCDEF";
  auto b = static_cast<unsigned char>(c);
  return std::string("byte 0x") + hex[b >> 4] + hex[b & 15];
}

// Whatever filter_limits says, the parser never recurses deeper than this (each level is three
// stack frames); a misconfigured limit must not turn into a stack overflow.
constexpr int hard_max_depth = 256;

bool is_alpha(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
// nameChar = "-" / "_" / DIGIT / ALPHA (RFC 7644 §3.4.2.2 Figure 1)
bool is_name_char(char c) { return is_alpha(c) || is_digit(c) || c == '-' || c == '_'; }
// Characters of an attrPath token: names, "." before a subAttr, and the ":" and "." of the
// schema URNs SCIM uses; "$" for "$ref".
bool is_path_char(char c) { return is_name_char(c) || c == '.' || c == ':' || c == '$'; }

// ATTRNAME = ALPHA *(nameChar); "$ref" is also an attribute name (RFC 7643 §2.3.7).
bool valid_attr_name(std::string_view s) {
  if (iequals_ascii(s, "$ref")) return true;
  if (s.empty() || !is_alpha(s.front())) return false;
  return std::all_of(s.begin() + 1, s.end(), is_name_char);
}

// "[URI ':'] ATTRNAME ['.' ATTRNAME]". The URN may itself hold dots ("…:enterprise:2.0:User"),
// so the attribute starts after the last ':'.
std::optional<attr_path> split_attr_path(std::string_view token) {
  if (token.empty() || !std::all_of(token.begin(), token.end(), is_path_char)) return std::nullopt;
  attr_path p;
  if (auto colon = token.rfind(':'); colon != std::string_view::npos) {
    if (colon == 0) return std::nullopt;
    p.urn = std::string(token.substr(0, colon));
    token.remove_prefix(colon + 1);
  }
  auto dot = token.find('.');
  std::string_view name = token.substr(0, dot);
  if (!valid_attr_name(name)) return std::nullopt;
  p.name = std::string(name);
  if (dot != std::string_view::npos) {
    std::string_view sub = token.substr(dot + 1);
    if (!valid_attr_name(sub)) return std::nullopt;
    p.sub_attr = std::string(sub);
  }
  return p;
}

std::optional<compare_op> op_from_word(std::string_view w) {
  static constexpr std::pair<std::string_view, compare_op> ops[] = {
      {"eq", compare_op::eq}, {"ne", compare_op::ne}, {"co", compare_op::co}, {"sw", compare_op::sw},
      {"ew", compare_op::ew}, {"gt", compare_op::gt}, {"lt", compare_op::lt}, {"ge", compare_op::ge},
      {"le", compare_op::le}, {"pr", compare_op::pr}};
  for (const auto& [name, op] : ops)
    if (iequals_ascii(w, name)) return op;
  return std::nullopt;
}

std::shared_ptr<filter> make_node(filter::kind k, filter_ptr lhs, filter_ptr rhs = nullptr) {
  auto f = std::make_shared<filter>();
  f->k = k;
  f->lhs = std::move(lhs);
  f->rhs = std::move(rhs);
  return f;
}

// Joins the operands of one run of "and" (or "or") pairwise, level by level. The operators are
// associative, so the result means the same as the left-nested tree of the grammar, but its
// depth is log2(n): a long run cannot make evaluation or destruction recurse n deep.
filter_ptr join_balanced(std::vector<filter_ptr> terms, filter::kind k) {
  while (terms.size() > 1) {
    std::vector<filter_ptr> next;
    next.reserve(terms.size() / 2 + 1);
    for (std::size_t i = 0; i + 1 < terms.size(); i += 2) next.push_back(make_node(k, terms[i], terms[i + 1]));
    if (terms.size() % 2 == 1) next.push_back(std::move(terms.back()));
    terms = std::move(next);
  }
  return std::move(terms.front());
}

// Recursive descent over RFC 7644 §3.4.2.2 Figure 1 with precedence not > and > or. Every
// recursion goes through "(", "not (" or "[", each of which counts one level of depth.
class parser {
 public:
  parser(std::string_view text, const filter_limits& lim, const char* type, const char* noun)
      : s_(text), max_depth_(std::min(lim.max_depth, hard_max_depth)), type_(type), noun_(noun) {}

  scim_result<filter_ptr> whole_filter() {
    auto f = parse_or(0, false);
    if (!f) return f;
    skip_ws();
    if (pos_ < s_.size()) return fail("unexpected " + describe(s_[pos_]));
    return f;
  }

  // PATH = attrPath / valuePath [subAttr] (RFC 7644 §3.5.2). Only the part before any "[" can
  // hold the URN, so the filter's own values (which may contain ':') do not confuse the split.
  scim_result<patch_path> whole_path() {
    auto bracket = s_.find('[');
    auto attr = split_attr_path(s_.substr(0, bracket));
    if (!attr) return fail("expected an attribute path");
    patch_path out{std::move(*attr), nullptr};
    if (bracket == std::string_view::npos) return out;
    pos_ = bracket;
    if (!out.attr.sub_attr.empty()) return fail("a value filter must follow an attribute, not a sub-attribute");
    auto inner = parse_brackets(0);
    if (!inner) return std::unexpected(inner.error());
    out.value_filter = std::move(*inner);
    if (pos_ < s_.size()) {
      if (s_[pos_] != '.') return fail("expected '.' and a sub-attribute after ']'");
      auto sub = s_.substr(pos_ + 1);
      if (!valid_attr_name(sub)) return fail("expected a sub-attribute name after '.'");
      out.attr.sub_attr = std::string(sub);
    }
    return out;
  }

 private:
  std::string_view s_;
  std::size_t pos_ = 0;
  int max_depth_;
  const char* type_;
  const char* noun_;

  std::unexpected<scim_error> fail(const std::string& what) const {
    return bad_request(type_, std::string("Invalid ") + noun_ + " at byte " + std::to_string(pos_) + ": " + what + ".");
  }

  void skip_ws() {
    while (pos_ < s_.size() && is_space(s_[pos_])) ++pos_;
  }

  std::string_view word_at(std::size_t at) const {
    std::size_t end = at;
    while (end < s_.size() && is_alpha(s_[end])) ++end;
    return s_.substr(at, end - at);
  }

  // A logical word ("and", "or") in any case, not the start of a longer name.
  bool eat_keyword(std::string_view kw) {
    auto w = word_at(pos_);
    if (!iequals_ascii(w, kw)) return false;
    std::size_t end = pos_ + w.size();
    if (end < s_.size() && is_path_char(s_[end])) return false;
    pos_ = end;
    return true;
  }

  scim_result<void> enter(int depth) const {
    if (depth > max_depth_) return fail("nesting deeper than " + std::to_string(max_depth_));
    return {};
  }

  scim_result<filter_ptr> parse_or(int depth, bool in_brackets) {
    return parse_chain(depth, in_brackets, "or", filter::kind::logical_or);
  }

  // One run of `operand (word operand)*`: operands of "or" are "and" runs; of "and", terms.
  scim_result<filter_ptr> parse_chain(int depth, bool in_brackets, std::string_view word, filter::kind k) {
    std::vector<filter_ptr> terms;
    for (;;) {
      auto t = k == filter::kind::logical_or ? parse_chain(depth, in_brackets, "and", filter::kind::logical_and)
                                             : parse_term(depth, in_brackets);
      if (!t) return t;
      terms.push_back(std::move(*t));
      std::size_t before = pos_;
      skip_ws();
      if (pos_ == before && pos_ < s_.size() && is_alpha(s_[pos_])) return fail("expected a space");
      if (!eat_keyword(word)) {
        pos_ = before;
        break;
      }
    }
    return join_balanced(std::move(terms), k);
  }

  // "(" FILTER ")" / "not" "(" FILTER ")" / attrPath "[" valFilter "]" / attrExp
  scim_result<filter_ptr> parse_term(int depth, bool in_brackets) {
    skip_ws();
    if (pos_ >= s_.size()) return fail("expected an expression");
    if (s_[pos_] == '(') return parse_parens(depth);
    if (auto w = word_at(pos_); iequals_ascii(w, "not")) {
      std::size_t after = pos_ + w.size();
      while (after < s_.size() && is_space(s_[after])) ++after;
      // "not" is the operator only when a "(" follows; otherwise it is an attribute name.
      if (after < s_.size() && s_[after] == '(') {
        pos_ = after;
        auto inner = parse_parens(depth);
        if (!inner) return inner;
        return filter_ptr(make_node(filter::kind::logical_not, std::move(*inner)));
      }
    }
    auto path = parse_attr_path();
    if (!path) return std::unexpected(path.error());
    if (pos_ < s_.size() && s_[pos_] == '[') {
      if (in_brackets) return fail("a value filter cannot be nested in another");
      if (!path->sub_attr.empty()) return fail("a value filter must follow an attribute, not a sub-attribute");
      auto inner = parse_brackets(depth);
      if (!inner) return inner;
      auto f = make_node(filter::kind::value_path, std::move(*inner));
      f->path = std::move(*path);
      return filter_ptr(std::move(f));
    }
    return parse_comparison(std::move(*path));
  }

  scim_result<filter_ptr> parse_parens(int depth) {
    if (auto ok = enter(depth + 1); !ok) return std::unexpected(ok.error());
    ++pos_;  // "("
    auto inner = parse_or(depth + 1, false);
    if (!inner) return inner;
    skip_ws();
    if (pos_ >= s_.size() || s_[pos_] != ')') return fail("expected ')'");
    ++pos_;
    return inner;
  }

  scim_result<filter_ptr> parse_brackets(int depth) {
    if (auto ok = enter(depth + 1); !ok) return std::unexpected(ok.error());
    ++pos_;  // "["
    auto inner = parse_or(depth + 1, true);
    if (!inner) return inner;
    skip_ws();
    if (pos_ >= s_.size() || s_[pos_] != ']') return fail("expected ']'");
    ++pos_;
    return inner;
  }

  scim_result<attr_path> parse_attr_path() {
    std::size_t end = pos_;
    while (end < s_.size() && is_path_char(s_[end])) ++end;
    if (end == pos_) return fail("expected an attribute path");
    auto p = split_attr_path(s_.substr(pos_, end - pos_));
    if (!p) return fail("malformed attribute path '" + std::string(s_.substr(pos_, end - pos_)) + "'");
    pos_ = end;
    return std::move(*p);
  }

  scim_result<filter_ptr> parse_comparison(attr_path path) {
    skip_ws();
    auto w = word_at(pos_);
    auto op = op_from_word(w);
    if (!op || (pos_ + w.size() < s_.size() && is_path_char(s_[pos_ + w.size()])))
      return fail("expected a comparison operator (eq, ne, co, sw, ew, gt, lt, ge, le, pr)");
    pos_ += w.size();
    auto f = std::make_shared<filter>();
    f->k = filter::kind::compare;
    f->path = std::move(path);
    f->op = *op;
    if (*op == compare_op::pr) return filter_ptr(std::move(f));
    skip_ws();
    std::size_t value_at = pos_;
    auto v = parse_value();
    if (!v) return std::unexpected(v.error());
    if (auto ok = check_operand(*op, *v, value_at); !ok) return std::unexpected(ok.error());
    f->value = std::move(*v);
    return filter_ptr(std::move(f));
  }

  // RFC 7644 §3.4.2.2: co/sw/ew are string operations; gt/ge/lt/le order strings, numbers and
  // dates and are an invalidFilter on booleans (and meaningless on null).
  scim_result<void> check_operand(compare_op op, const json& v, std::size_t at) {
    bool text_only = op == compare_op::co || op == compare_op::sw || op == compare_op::ew;
    bool ordering = op == compare_op::gt || op == compare_op::ge || op == compare_op::lt || op == compare_op::le;
    if ((text_only && !v.is_string()) || (ordering && !v.is_string() && !v.is_number())) {
      pos_ = at;
      return fail(text_only ? "this operator needs a string" : "this operator needs a string or a number");
    }
    return {};
  }

  // compValue = false / null / true / number / string (JSON, RFC 7159); the words in any case.
  scim_result<json> parse_value() {
    if (pos_ >= s_.size()) return fail("expected a value");
    char c = s_[pos_];
    if (c == '"') return parse_json_token(string_end(), "malformed string");
    if (c == '-' || is_digit(c)) {
      std::size_t end = pos_;
      while (end < s_.size() && (is_digit(s_[end]) || s_[end] == '-' || s_[end] == '+' || s_[end] == '.' ||
                                 s_[end] == 'e' || s_[end] == 'E'))
        ++end;
      return parse_json_token(end, "malformed number");
    }
    auto w = word_at(pos_);
    json v;
    if (iequals_ascii(w, "true")) v = true;
    else if (iequals_ascii(w, "false")) v = false;
    else if (iequals_ascii(w, "null")) v = nullptr;
    else return fail("expected a value (a JSON string, number, true, false or null)");
    pos_ += w.size();
    return v;
  }

  // One past the closing quote of the string at pos_, or npos when it is not closed.
  std::size_t string_end() const {
    for (std::size_t i = pos_ + 1; i < s_.size(); ++i) {
      if (s_[i] == '\\') ++i;
      else if (s_[i] == '"') return i + 1;
    }
    return std::string_view::npos;
  }

  // nlohmann's parser decodes escapes and checks UTF-8 and numbers, without exceptions.
  scim_result<json> parse_json_token(std::size_t end, const char* what) {
    if (end == std::string_view::npos) return fail("unterminated string");
    auto token = s_.substr(pos_, end - pos_);
    auto v = json::parse(token.begin(), token.end(), nullptr, false);
    if (v.is_discarded() || (!v.is_string() && !v.is_number())) return fail(what);
    pos_ = end;
    return v;
  }
};

bool is_known_schema(std::string_view s) {
  return iequals_ascii(s, user_schema_urn) || iequals_ascii(s, group_schema_urn) ||
         iequals_ascii(s, enterprise_user_urn);
}

// ---- evaluation ----

const json* find_ci(const json& obj, std::string_view key) {
  if (!obj.is_object()) return nullptr;
  if (auto it = obj.find(key); it != obj.end()) return &*it;
  for (auto it = obj.begin(); it != obj.end(); ++it)
    if (iequals_ascii(it.key(), key)) return &it.value();
  return nullptr;
}

// The values `p` names in `item`: the attribute (each element when it is multi-valued) or the
// sub-attribute of each. Null counts as unassigned (RFC 7643 §2.5) and is left out. An item
// that is not an object (a multi-valued attribute of strings) is its own "value".
std::vector<const json*> values_at(const json& item, const attr_path& p) {
  std::vector<const json*> out;
  const json* scope = &item;
  if (!p.urn.empty())
    if (const json* ext = find_ci(item, p.urn); ext && ext->is_object()) scope = ext;
  const json* a = find_ci(*scope, p.name);
  if (!a && !item.is_object() && p.sub_attr.empty() && iequals_ascii(p.name, "value")) a = &item;
  if (!a) return out;
  auto take = [&](const json& v) {
    const json* t = p.sub_attr.empty() ? &v : find_ci(v, p.sub_attr);
    if (t && !t->is_null()) out.push_back(t);
  };
  if (a->is_array()) {
    for (const auto& e : *a) take(e);
  } else {
    take(*a);
  }
  return out;
}

bool non_empty(const json& v) {
  if (v.is_string()) return !v.get_ref<const std::string&>().empty();
  if (v.is_array() || v.is_object()) return !v.empty();
  return !v.is_null();
}

bool compare_strings(compare_op op, std::string a, std::string b, bool case_exact) {
  if (!case_exact) {
    a = to_lower_ascii(a);
    b = to_lower_ascii(b);
  }
  switch (op) {
    case compare_op::eq: return a == b;
    case compare_op::ne: return a != b;
    case compare_op::co: return a.find(b) != std::string::npos;
    case compare_op::sw: return a.starts_with(b);
    case compare_op::ew: return a.ends_with(b);
    case compare_op::gt: return a > b;
    case compare_op::lt: return a < b;
    case compare_op::ge: return a >= b;
    case compare_op::le: return a <= b;
    case compare_op::pr: return true;
  }
  return false;
}

// `attr op value` for one present attribute value. Values of different JSON types are never
// equal (so `ne` holds); ordering across types is false.
bool compare_one(compare_op op, const json& attr, const json& value, bool case_exact) {
  if (op == compare_op::pr) return non_empty(attr);
  if (attr.is_string() && value.is_string())
    return compare_strings(op, attr.get<std::string>(), value.get<std::string>(), case_exact);
  bool both_numbers = attr.is_number() && value.is_number();
  switch (op) {
    case compare_op::eq: return attr.type() == value.type() || both_numbers ? attr == value : false;
    case compare_op::ne: return attr.type() == value.type() || both_numbers ? attr != value : true;
    case compare_op::gt: return both_numbers && attr > value;
    case compare_op::lt: return both_numbers && attr < value;
    case compare_op::ge: return both_numbers && attr >= value;
    case compare_op::le: return both_numbers && attr <= value;
    default: return false;  // co, sw, ew need strings
  }
}

}  // namespace

scim_result<filter_ptr> parse_filter(std::string_view text, const filter_limits& lim) {
  if (text.size() > lim.max_length)
    return bad_request(scim_type::invalid_filter,
                       "Filter is longer than " + std::to_string(lim.max_length) + " bytes.");
  return parser(text, lim, scim_type::invalid_filter, "filter").whole_filter();
}

scim_result<patch_path> parse_patch_path(std::string_view text, const filter_limits& lim) {
  if (text.size() > lim.max_length)
    return bad_request(scim_type::invalid_path, "Path is longer than " + std::to_string(lim.max_length) + " bytes.");
  // A schema URN alone names that schema's attributes as a whole (clients send the
  // enterprise extension's URN as a path with an object value).
  if (is_known_schema(text)) return patch_path{attr_path{std::string(text), "", ""}, nullptr};
  return parser(text, lim, scim_type::invalid_path, "path").whole_path();
}

bool matches(const filter& f, const json& item, const case_exact_fn& case_exact) {
  switch (f.k) {
    case filter::kind::logical_and:
      return f.lhs && f.rhs && matches(*f.lhs, item, case_exact) && matches(*f.rhs, item, case_exact);
    case filter::kind::logical_or:
      return (f.lhs && matches(*f.lhs, item, case_exact)) || (f.rhs && matches(*f.rhs, item, case_exact));
    case filter::kind::logical_not:
      return f.lhs && !matches(*f.lhs, item, case_exact);
    case filter::kind::value_path: {
      if (!f.lhs) return false;
      auto items = values_at(item, f.path);
      return std::any_of(items.begin(), items.end(),
                         [&](const json* v) { return matches(*f.lhs, *v, case_exact); });
    }
    case filter::kind::compare: break;
  }
  std::string name = f.path.sub_attr.empty() ? f.path.name : f.path.name + "." + f.path.sub_attr;
  bool exact = case_exact && case_exact(name);
  auto values = values_at(item, f.path);
  return std::any_of(values.begin(), values.end(),
                     [&](const json* v) { return compare_one(f.op, *v, f.value, exact); });
}

}  // namespace atrium::proto::scim
