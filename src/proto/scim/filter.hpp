#pragma once
// SCIM filter expressions (RFC 7644 §3.4.2.2) and PATCH paths (RFC 7644 §3.5.2 "path"): a
// parser into an AST, and the evaluation of a filter against one value of a multi-valued
// attribute (PATCH value filters such as emails[type eq "work"]). Pure: no I/O, no store. What
// a door can *answer* with a filter (only eq/and on a few attributes for lists) is decided by
// the door, not here: this parses the whole grammar so that an unsupported filter gets a
// precise 400 invalidFilter instead of a parse error or, worse, an unfiltered list.
#include <cstddef>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "proto/scim/scim_error.hpp"

namespace atrium::proto::scim {

// attrPath = [URI ":"] ATTRNAME *1subAttr (RFC 7644 §3.4.2.2, ABNF in Figure 1).
struct attr_path {
  std::string urn;       // schema URN when written in full, e.g.
                         // "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"; else ""
  std::string name;      // attribute name as written (compare case-insensitively, RFC 7643 §2.1)
  std::string sub_attr;  // sub-attribute as written, "" when none
  friend bool operator==(const attr_path&, const attr_path&) = default;
};

enum class compare_op { eq, ne, co, sw, ew, gt, lt, ge, le, pr };

struct filter;
using filter_ptr = std::shared_ptr<const filter>;

struct filter {
  enum class kind { compare, logical_and, logical_or, logical_not, value_path };
  kind k = kind::compare;
  // compare: `path op value` (value is a JSON string, number, true, false or null; unused
  // for pr). value_path: `path[inner]` with inner in lhs.
  attr_path path;
  compare_op op = compare_op::eq;
  nlohmann::json value;
  // logical_and / logical_or: lhs and rhs. logical_not and value_path: lhs.
  filter_ptr lhs, rhs;
};

struct filter_limits {
  std::size_t max_length = 4096;  // bytes of filter text
  int max_depth = 16;             // nesting of and/or/not, parentheses and [ ]
};

// Parses a filter expression. Operators and the logical words are case-insensitive ("EQ",
// "And"); attribute names keep their spelling. Strings are JSON strings (escapes decoded).
// Precedence: not > and > or; parentheses group. Errors are 400 invalidFilter with a detail
// naming what was wrong and where (byte offset). A run of one logical operator ("a and b and
// c") is built as a balanced tree (same meaning, logarithmic depth).
scim_result<filter_ptr> parse_filter(std::string_view text, const filter_limits& lim = {});

// PATH = attrPath / valuePath [subAttr]   (RFC 7644 §3.5.2)
// e.g. "name.givenName", "members", "members[value eq \"id\"]",
// "emails[type eq \"work\"].value", "urn:…:enterprise:2.0:User:manager",
// "urn:…:enterprise:2.0:User:manager.value", "urn:ietf:params:scim:schemas:core:2.0:User:name.familyName".
struct patch_path {
  attr_path attr;           // for a valuePath: the multi-valued attribute, and in attr.sub_attr
                            // the sub-attribute written after the closing ']' (if any)
  filter_ptr value_filter;  // the [...] part, null when none
};
// A path that is exactly a schema URN (e.g. the enterprise extension's) is accepted and parsed
// as attr {urn, name ""}: the whole of that schema's attributes. Errors are 400 invalidPath.
scim_result<patch_path> parse_patch_path(std::string_view text, const filter_limits& lim = {});

// Evaluates `f` (the inside of a value filter) against one item of a multi-valued attribute,
// e.g. {"type": "work", "value": "a@example.com", "primary": true}. Attribute names match
// case-insensitively; string comparisons are case-insensitive unless case_exact(name) says the
// sub-attribute is caseExact (RFC 7643 §2.2). A missing attribute compares false (and `pr`
// is false). gt/ge/lt/le compare strings lexicographically and numbers numerically.
// case_exact is asked with the name as written in the filter, "sub" or "attr.sub" when the
// path has a subAttr; an empty case_exact_fn means "not caseExact". Null values are unassigned
// (RFC 7643 §2.5) and compare like missing ones. In a value filter the items of a multi-valued
// attribute of strings are matched through the name "value".
using case_exact_fn = std::function<bool(std::string_view sub_attribute)>;
bool matches(const filter& f, const nlohmann::json& item, const case_exact_fn& case_exact);

}  // namespace atrium::proto::scim
