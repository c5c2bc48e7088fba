#include "domain/attribute_mapping.hpp"

#include <cstddef>
#include <set>

#include "base/strings.hpp"
#include "base/try.hpp"
#include "domain/access_control_attributes.hpp"

namespace atrium::domain {

namespace {

// A format as the SAML core spec names it (urn, sections 8.2 and 8.3) and as the console
// shows it (short name); the first row is the default.
template <class Format>
struct format_row {
  Format f;
  std::string_view urn;
  std::string_view short_name;
};
constexpr format_row<name_id_format> name_id_rows[] = {
    {name_id_format::unspecified, "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified", "unspecified"},
    {name_id_format::email_address, "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress", "emailAddress"},
    {name_id_format::persistent, "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent", "persistent"},
    {name_id_format::transient, "urn:oasis:names:tc:SAML:2.0:nameid-format:transient", "transient"},
};
constexpr format_row<attribute_name_format> name_format_rows[] = {
    {attribute_name_format::unspecified, "urn:oasis:names:tc:SAML:2.0:attrname-format:unspecified", "unspecified"},
    {attribute_name_format::uri, "urn:oasis:names:tc:SAML:2.0:attrname-format:uri", "uri"},
    {attribute_name_format::basic, "urn:oasis:names:tc:SAML:2.0:attrname-format:basic", "basic"},
};

template <class Format, std::size_t N>
const format_row<Format>& row_of(const format_row<Format> (&rows)[N], Format f) {
  for (const auto& r : rows)
    if (r.f == f) return r;
  return rows[0];
}

template <class Format, std::size_t N>
std::optional<Format> format_from(const format_row<Format> (&rows)[N], std::string_view text) {
  for (const auto& r : rows)
    if (r.urn == text || r.short_name == text) return r.f;
  return std::nullopt;
}

constexpr std::string_view groups_expression = "${user:groups}";

// One piece of a template: literal text, or an expression "${...}" kept whole.
struct piece {
  std::string_view text;
  bool expression = false;
};

// Splits a template into literal text and ${...} expressions. nullopt when a "${" has no "}".
std::optional<std::vector<piece>> split_template(std::string_view value) {
  std::vector<piece> out;
  while (!value.empty()) {
    auto open = value.find("${");
    if (open == std::string_view::npos) {
      out.push_back({value, false});
      break;
    }
    if (open > 0) out.push_back({value.substr(0, open), false});
    auto close = value.find('}', open);
    if (close == std::string_view::npos) return std::nullopt;
    out.push_back({value.substr(open, close - open + 1), true});
    value.remove_prefix(close + 1);
  }
  return out;
}

bool is_user_expression(std::string_view e) {
  for (auto a : supported_user_attributes())
    if (a == e) return true;
  return false;
}

bool is_path_expression(std::string_view e) {
  for (auto p : supported_attribute_paths())
    if (p == e) return true;
  return false;
}

std::optional<std::string> present(const std::optional<std::string>& v) {
  if (!v || v->empty()) return std::nullopt;
  return v;
}

// The guide's "Supported attributes in AWS SSO" read from Atrium's user, following its "Default
// mappings" table (AD_GUID <- guid, familyName <- lastname, givenName <- firstname, middleName <-
// initials, name and preferredUsername <- displayname, subject <- the sign-in name) with
// Atrium's own attribute in place of each directory attribute; email is the user's e-mail
// address (the primary one; the identity store keeps at most one).
std::optional<std::string> user_attribute(std::string_view name, const user& u) {
  if (name == "subject") return present(u.user_name);
  if (name == "AD_GUID") return present(u.id);
  if (name == "email") {
    for (const auto& e : u.emails)
      if (e.primary.value_or(false)) return present(e.value);
    return u.emails.empty() ? std::nullopt : present(u.emails.front().value);
  }
  if (name == "name" || name == "preferredUsername") return present(u.display_name);
  if (!u.user_name_parts) return std::nullopt;
  if (name == "familyName") return present(u.user_name_parts->family_name);
  if (name == "givenName") return present(u.user_name_parts->given_name);
  if (name == "middleName") return present(u.user_name_parts->middle_name);
  return std::nullopt;
}

std::optional<std::string> expression_value(std::string_view e, const user_facts& facts) {
  if (e.starts_with("${user:")) return user_attribute(e.substr(7, e.size() - 8), facts.u);
  return attribute_value(e, facts.u);  // ${path:...} (access_control_attributes)
}

result<void> check_row_text(const attribute_mapping& r, std::size_t i) {
  std::string where = "AttributeMappings[" + std::to_string(i) + "]";
  if (r.name.empty() || r.name.size() > mapping_limits::max_name || !valid_utf8(r.name) || has_control_chars(r.name))
    return invalid(where + ": the attribute name must be 1-256 characters of text.");
  if (r.value.size() > mapping_limits::max_value || !valid_utf8(r.value) || has_control_chars(r.value))
    return invalid(where + " (" + r.name + "): the value must be at most 1024 characters of text.");
  return {};
}

result<void> check_expressions(const attribute_mapping& r) {
  auto pieces = split_template(r.value);
  if (!pieces) return invalid("Attribute " + r.name + ": '${' without a closing '}' in " + r.value + ".");
  for (const auto& p : *pieces) {
    if (!p.expression) continue;
    if (p.text == groups_expression) {
      if (pieces->size() != 1) return invalid("Attribute " + r.name + ": ${user:groups} is multi-valued and must be the whole value.");
      if (r.name == subject_row) return invalid("The Subject cannot be ${user:groups}: a NameID has one value.");
      continue;
    }
    if (!is_user_expression(p.text) && !is_path_expression(p.text))
      return invalid("Attribute " + r.name + ": " + std::string(p.text) +
                     " is not a supported attribute; use one of the ${user:...} or ${path:...} attributes the user guide lists.");
  }
  return {};
}

}  // namespace

std::string_view urn_of(name_id_format f) { return row_of(name_id_rows, f).urn; }
std::string_view short_name_of(name_id_format f) { return row_of(name_id_rows, f).short_name; }
std::optional<name_id_format> name_id_format_from(std::string_view text) { return format_from(name_id_rows, text); }

std::string_view urn_of(attribute_name_format f) { return row_of(name_format_rows, f).urn; }
std::string_view short_name_of(attribute_name_format f) { return row_of(name_format_rows, f).short_name; }
std::optional<attribute_name_format> attribute_name_format_from(std::string_view text) {
  return format_from(name_format_rows, text);
}

const std::vector<std::string_view>& supported_user_attributes() {
  static const std::vector<std::string_view> attrs = {
      "${user:AD_GUID}", "${user:email}", "${user:familyName}", "${user:givenName}", "${user:middleName}",
      "${user:name}",    "${user:preferredUsername}", "${user:subject}", "${user:groups}",
  };
  return attrs;
}

std::vector<attribute_mapping> default_attribute_mappings() {
  return {{std::string(subject_row), "${user:subject}", "unspecified"}};
}

result<void> validate_attribute_mappings(const std::vector<attribute_mapping>& rows) {
  if (rows.size() > mapping_limits::max_rows) return invalid("An application has at most 100 attribute mappings.");
  std::set<std::string> names;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const auto& r = rows[i];
    TRY_VOID(check_row_text(r, i));
    if (!names.insert(r.name).second) return invalid("Attribute " + r.name + " is mapped more than once.");
    if (r.name == subject_row) {
      if (i != 0) return invalid("The Subject row must be the first attribute mapping.");
      if (!name_id_format_from(r.format) || r.format.starts_with("urn:"))
        return invalid("The Subject's format must be unspecified, emailAddress, persistent or transient.");
    } else if (!attribute_name_format_from(r.format) || r.format.starts_with("urn:")) {
      return invalid("Attribute " + r.name + ": the format must be unspecified, uri or basic.");
    }
    TRY_VOID(check_expressions(r));
  }
  return {};
}

name_id_format subject_name_id_format(const std::vector<attribute_mapping>& rows) {
  if (!rows.empty() && rows.front().name == subject_row)
    return name_id_format_from(rows.front().format).value_or(name_id_format::unspecified);
  return name_id_format::unspecified;
}

std::optional<std::vector<std::string>> resolve_template(std::string_view value, const user_facts& facts) {
  if (value == groups_expression) {
    if (facts.group_ids.empty()) return std::nullopt;
    return facts.group_ids;
  }
  auto pieces = split_template(value);
  if (!pieces) return std::nullopt;
  std::string out;
  for (const auto& p : *pieces) {
    if (!p.expression) {
      out += p.text;
      continue;
    }
    auto v = expression_value(p.text, facts);
    if (!v) return std::nullopt;
    out += *v;
  }
  return std::vector<std::string>{std::move(out)};
}

result<mapped_assertion> map_attributes(const std::vector<attribute_mapping>& rows, const user_facts& facts) {
  mapped_assertion out;
  std::string subject = "${user:subject}";
  std::size_t first = 0;
  if (!rows.empty() && rows.front().name == subject_row) {
    subject = rows.front().value;
    out.format = subject_name_id_format(rows);
    first = 1;
  }
  auto name_id = resolve_template(subject, facts);
  if (!name_id || name_id->size() != 1 || name_id->front().empty())
    return invalid("The user has no value for the application's Subject (" + subject + ").");
  out.name_id = std::move(name_id->front());
  for (std::size_t i = first; i < rows.size(); ++i) {
    const auto& r = rows[i];
    auto values = resolve_template(r.value, facts);
    if (!values) {
      out.omitted.push_back(r.name);
      continue;
    }
    out.attributes.push_back(
        {r.name, attribute_name_format_from(r.format).value_or(attribute_name_format::unspecified), std::move(*values)});
  }
  return out;
}

}  // namespace atrium::domain
