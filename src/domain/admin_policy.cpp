#include "domain/admin_policy.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "base/strings.hpp"

namespace atrium::domain {

using nlohmann::json;

namespace {

auto malformed(const std::string& what) { return fail(errc::validation, "MalformedPolicyDocument: " + what); }

// Nesting of the raw text, counted before nlohmann parses it (its parser and copies recurse).
std::size_t nesting_depth(std::string_view s) {
  std::size_t depth = 0, max = 0;
  bool in_string = false, escaped = false;
  for (char c : s) {
    if (in_string) {
      if (escaped) escaped = false;
      else if (c == '\\') escaped = true;
      else if (c == '"') in_string = false;
      continue;
    }
    if (c == '"') in_string = true;
    else if (c == '{' || c == '[') max = std::max(max, ++depth);
    else if ((c == '}' || c == ']') && depth > 0) --depth;
  }
  return max;
}

std::size_t non_space_chars(std::string_view s) {
  std::size_t n = 0;
  for (char c : s)
    if (c != ' ' && c != '\t' && c != '\n' && c != '\r') ++n;
  return n;
}

// A JSON string or a non-empty list of strings (IAM accepts both for Action, Resource and
// condition values).
result<std::vector<std::string>> string_list(const json& v, const std::string& where) {
  std::vector<std::string> out;
  if (v.is_string()) {
    out.push_back(v.get<std::string>());
  } else if (v.is_array()) {
    if (v.empty()) return malformed(where + " must not be an empty list.");
    if (v.size() > policy_limits::max_values)
      return malformed(where + " has more than " + std::to_string(policy_limits::max_values) + " entries.");
    for (const auto& e : v) {
      if (!e.is_string()) return malformed(where + " must hold only strings.");
      out.push_back(e.get<std::string>());
    }
  } else {
    return malformed(where + " must be a string or a list of strings.");
  }
  for (const auto& s : out) {
    if (s.empty()) return malformed(where + " holds an empty string.");
    if (s.size() > policy_limits::max_pattern_chars) return malformed(where + " holds a value that is too long.");
    if (!valid_utf8(s)) return malformed(where + " is not valid UTF-8.");
  }
  return out;
}

// "service:Action" with a lowercase-ish service prefix, or "*" (IAM: "Actions/Conditions must be
// prefaced by a vendor"). The guide's PDF renders some actions as "sso>DeleteX"; those are
// typesetting artefacts and rightly refused here.
result<void> check_action(const std::string& a, const std::string& where) {
  if (a == "*") return {};
  auto colon = a.find(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == a.size())
    return malformed(where + ": action '" + a + "' must look like 'service:Operation'.");
  for (std::size_t i = 0; i < colon; ++i) {
    char c = a[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
    if (!ok) return malformed(where + ": action '" + a + "' has an invalid service prefix.");
  }
  for (std::size_t i = colon + 1; i < a.size(); ++i) {
    char c = a[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '*' || c == '?' ||
              c == '-' || c == '_';
    if (!ok) return malformed(where + ": action '" + a + "' has an invalid character.");
  }
  return {};
}

result<void> check_resource(const std::string& r, const std::string& where) {
  if (r == "*" || r.starts_with("arn:")) return {};
  return malformed(where + ": resource '" + r + "' must be '*' or an ARN.");
}

std::optional<condition_operator> operator_named(std::string_view name) {
  if (name == "StringEquals") return condition_operator::string_equals;
  if (name == "StringNotEquals") return condition_operator::string_not_equals;
  if (name == "StringLike") return condition_operator::string_like;
  if (name == "StringNotLike") return condition_operator::string_not_like;
  return std::nullopt;
}

result<std::vector<policy_condition>> parse_conditions(const json& c, const std::string& where) {
  if (!c.is_object()) return malformed(where + ": Condition must be an object.");
  std::vector<policy_condition> out;
  for (const auto& [op_name, keys] : c.items()) {
    auto op = operator_named(op_name);
    if (!op)
      return malformed(where + ": condition operator '" + op_name.substr(0, 64) +
                       "' is not supported (StringEquals, StringNotEquals, StringLike, StringNotLike).");
    if (!keys.is_object() || keys.empty()) return malformed(where + ": " + op_name + " must be a non-empty object.");
    for (const auto& [key, values] : keys.items()) {
      if (key.empty() || key.size() > 256) return malformed(where + ": a condition key is empty or too long.");
      auto v = string_list(values, where + " " + op_name + " " + key);
      if (!v) return std::unexpected(v.error());
      out.push_back(policy_condition{*op, key, std::move(*v)});
      if (out.size() > policy_limits::max_values) return malformed(where + ": too many conditions.");
    }
  }
  return out;
}

result<policy_statement> parse_statement(const json& s, std::size_t index) {
  std::string where = "Statement " + std::to_string(index + 1);
  if (!s.is_object()) return malformed(where + " must be an object.");
  policy_statement st;
  for (const auto& [k, v] : s.items()) {
    if (k == "Sid") {
      if (!v.is_string() || v.get<std::string>().size() > 128) return malformed(where + ": Sid must be a string of at most 128 characters.");
      st.sid = v.get<std::string>();
      for (char c : st.sid)
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')))
          return malformed(where + ": Sid may hold only letters and digits.");
      where = "Statement " + st.sid;
    } else if (k == "Effect") {
      if (v == "Allow") st.effect = policy_effect::allow;
      else if (v == "Deny") st.effect = policy_effect::deny;
      else return malformed(where + ": Effect must be Allow or Deny.");
    } else if (k == "Action" || k == "NotAction") {
      if (!st.actions.empty()) return malformed(where + " has both Action and NotAction.");
      auto a = string_list(v, where + " " + k);
      if (!a) return std::unexpected(a.error());
      for (const auto& x : *a)
        if (auto r = check_action(x, where); !r) return std::unexpected(r.error());
      st.actions = std::move(*a);
      st.not_action = k == "NotAction";
    } else if (k == "Resource" || k == "NotResource") {
      if (!st.resources.empty()) return malformed(where + " has both Resource and NotResource.");
      auto r = string_list(v, where + " " + k);
      if (!r) return std::unexpected(r.error());
      for (const auto& x : *r)
        if (auto c = check_resource(x, where); !c) return std::unexpected(c.error());
      st.resources = std::move(*r);
      st.not_resource = k == "NotResource";
    } else if (k == "Condition") {
      auto c = parse_conditions(v, where);
      if (!c) return std::unexpected(c.error());
      st.conditions = std::move(*c);
    } else if (k == "Principal" || k == "NotPrincipal") {
      return malformed(where + ": an identity-based policy may not name a Principal.");
    } else {
      return malformed(where + ": unknown element '" + k.substr(0, 64) + "'.");
    }
  }
  if (!s.contains("Effect")) return malformed(where + " is missing Effect.");
  if (st.actions.empty()) return malformed(where + " is missing Action or NotAction.");
  if (st.resources.empty()) return malformed(where + " is missing Resource or NotResource.");
  return st;
}

// Values of a condition key in the request; nullopt when the request does not carry it.
std::optional<std::string> context_value(const policy_request& req, const policy_resource* res, std::string_view key) {
  auto tag = [&](const std::map<std::string, std::string>& tags, std::string_view prefix) -> std::optional<std::string> {
    // Condition key names are case-insensitive, the tag key after the slash is matched as IAM
    // matches tag keys in conditions: case-insensitively.
    for (const auto& [k, v] : tags)
      if (iequals_ascii(k, key.substr(prefix.size()))) return v;
    return std::nullopt;
  };
  constexpr std::string_view rt = "aws:resourcetag/", qt = "aws:requesttag/";
  if (key.size() > rt.size() && iequals_ascii(key.substr(0, rt.size()), rt))
    return res ? tag(res->tags, rt) : std::nullopt;
  if (key.size() > qt.size() && iequals_ascii(key.substr(0, qt.size()), qt)) return tag(req.request_tags, qt);
  return std::nullopt;
}

bool condition_holds(const policy_condition& c, const policy_request& req, const policy_resource* res) {
  auto v = context_value(req, res, c.key);
  bool like = c.op == condition_operator::string_like || c.op == condition_operator::string_not_like;
  bool negated = c.op == condition_operator::string_not_equals || c.op == condition_operator::string_not_like;
  // IAM: a missing key makes the positive operators false and the negated ones true.
  if (!v) return negated;
  bool any = false;
  for (const auto& want : c.values)
    if (like ? wildcard_match(want, *v, false) : want == *v) any = true;
  return negated ? !any : any;
}

bool action_matches(const policy_statement& s, std::string_view action) {
  bool any = false;
  for (const auto& p : s.actions)
    if (wildcard_match(p, action, true)) any = true;
  return s.not_action ? !any : any;
}

bool resource_matches(const policy_statement& s, std::string_view arn) {
  bool any = false;
  for (const auto& p : s.resources)
    if (wildcard_match(p, arn, false)) any = true;
  return s.not_resource ? !any : any;
}

bool statement_applies(const policy_statement& s, const policy_request& req, const policy_resource* res) {
  if (!action_matches(s, req.action)) return false;
  if (!resource_matches(s, res ? std::string_view(res->arn) : std::string_view("*"))) return false;
  for (const auto& c : s.conditions)
    if (!condition_holds(c, req, res)) return false;
  return true;
}

policy_decision decide(std::span<const admin_policy> policies, const policy_request& req, const policy_resource* res) {
  bool allowed = false;
  for (const auto& p : policies)
    for (const auto& s : p.statements) {
      if (!statement_applies(s, req, res)) continue;
      if (s.effect == policy_effect::deny) return policy_decision::explicit_deny;
      allowed = true;
    }
  return allowed ? policy_decision::allow : policy_decision::implicit_deny;
}

}  // namespace

bool wildcard_match(std::string_view pattern, std::string_view text, bool case_insensitive) {
  // Iterative glob with one backtrack point: linear in practice, never exponential.
  auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
  auto eq = [&](char a, char b) { return case_insensitive ? lower(a) == lower(b) : a == b; };
  std::size_t p = 0, t = 0, star = std::string_view::npos, mark = 0;
  while (t < text.size()) {
    if (p < pattern.size() && (pattern[p] == '?' || (pattern[p] != '*' && eq(pattern[p], text[t])))) {
      ++p;
      ++t;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

result<admin_policy> parse_admin_policy(std::string_view document) {
  if (document.size() > policy_limits::max_raw_bytes)
    return malformed("the document is larger than " + std::to_string(policy_limits::max_raw_bytes) + " bytes.");
  if (non_space_chars(document) > policy_limits::max_chars)
    return malformed("the document exceeds " + std::to_string(policy_limits::max_chars) +
                     " characters (white space not counted).");
  if (nesting_depth(document) > policy_limits::max_nesting) return malformed("the document nests too deeply.");
  json doc = json::parse(document, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) return malformed("the document is not a JSON object.");
  admin_policy p;
  for (const auto& [k, v] : doc.items()) {
    if (k == "Version") {
      if (v != "2012-10-17" && v != "2008-10-17") return malformed("Version must be 2012-10-17 or 2008-10-17.");
      p.version = v.get<std::string>();
    } else if (k == "Id") {
      if (!v.is_string()) return malformed("Id must be a string.");
    } else if (k != "Statement") {
      return malformed("unknown element '" + k.substr(0, 64) + "'.");
    }
  }
  if (!doc.contains("Statement")) return malformed("the document has no Statement.");
  const json& st = doc["Statement"];
  json list = st.is_array() ? st : json::array({st});
  if (list.empty()) return malformed("Statement must not be empty.");
  if (list.size() > policy_limits::max_statements)
    return malformed("more than " + std::to_string(policy_limits::max_statements) + " statements.");
  for (std::size_t i = 0; i < list.size(); ++i) {
    auto s = parse_statement(list[i], i);
    if (!s) return std::unexpected(s.error());
    p.statements.push_back(std::move(*s));
  }
  return p;
}

policy_verdict evaluate(std::span<const admin_policy> policies, const policy_request& req) {
  if (req.resources.empty()) {
    auto d = decide(policies, req, nullptr);
    return {d, d == policy_decision::allow ? "" : "*"};
  }
  // Every resource must be allowed; an explicit deny on any one of them decides the call.
  policy_verdict v{policy_decision::allow, ""};
  for (const auto& r : req.resources) {
    auto d = decide(policies, req, &r);
    if (d == policy_decision::explicit_deny) return {d, r.arn};
    if (d == policy_decision::implicit_deny && v.decision == policy_decision::allow) v = {d, r.arn};
  }
  return v;
}

// Some call of `action` may be allowed: an Allow statement names it, whatever its resources and
// conditions, and no unconditional Deny of it covers every resource ("*"). What a UI offers (the
// admin console's DescribeCaller: an OU's administrator gets the Assign button for their OU's
// accounts); each call is still decided by evaluate() on the resources it names.
bool may_be_allowed(std::span<const admin_policy> policies, std::string_view action) {
  bool allowed = false;
  for (const auto& p : policies)
    for (const auto& s : p.statements) {
      if (!action_matches(s, action)) continue;
      if (s.effect == policy_effect::allow) {
        allowed = true;
        continue;
      }
      bool everywhere = !s.not_resource && std::find(s.resources.begin(), s.resources.end(), "*") != s.resources.end();
      if (everywhere && s.conditions.empty()) return false;
    }
  return allowed;
}

}  // namespace atrium::domain
