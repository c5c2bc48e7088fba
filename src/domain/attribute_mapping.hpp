#pragma once
// The attribute mappings of an application (user guide "Map attributes in your application to
// AWS SSO attributes", "Attribute mappings": the tables "Supported attributes in AWS SSO",
// "Supported external identity provider attributes" and "Default mappings"): which SAML
// attributes an assertion carries and how its NameID is made. A row maps an application
// attribute name to a value and a format:
//   - the row named "Subject" sets the NameID; its format is the NameID format's short name
//     (unspecified, emailAddress, persistent, transient; SAML core §8.3);
//   - every other row is a saml:Attribute whose NameFormat is unspecified, uri or basic (SAML
//     core §8.2).
// A value is a template: literal text with `${user:…}` and `${path:…}` expressions from the
// guide's tables, e.g. "${user:email}", "${path:enterprise.department}", "${user:givenName}
// ${user:familyName}" or a plain literal ("Engineering"). `${user:groups}` is multi-valued and
// stands alone. A mapping whose expression the user has no value for is left out of the
// assertion, never sent as an empty string; only a literal "" sends an empty value. Pure.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"
#include "domain/identity.hpp"

namespace atrium::domain {

enum class name_id_format { unspecified, email_address, persistent, transient };
enum class attribute_name_format { unspecified, uri, basic };

// urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified, ...:1.1:...:emailAddress,
// ...:2.0:...:persistent, ...:2.0:...:transient.
std::string_view urn_of(name_id_format f);
std::string_view short_name_of(name_id_format f);  // unspecified, emailAddress, persistent, transient
// The URN or the short name (case-sensitive, as SAML compares URIs).
std::optional<name_id_format> name_id_format_from(std::string_view text);
// urn:oasis:names:tc:SAML:2.0:attrname-format:unspecified / uri / basic.
std::string_view urn_of(attribute_name_format f);
std::string_view short_name_of(attribute_name_format f);  // unspecified, uri, basic
std::optional<attribute_name_format> attribute_name_format_from(std::string_view text);

struct attribute_mapping {
  std::string name;    // "Subject" or the SAML attribute's Name
  std::string value;   // a template (see above)
  std::string format;  // short name (see above)
  friend bool operator==(const attribute_mapping&, const attribute_mapping&) = default;
};

inline constexpr std::string_view subject_row = "Subject";

struct mapping_limits {
  static constexpr std::size_t max_rows = 100;
  static constexpr std::size_t max_name = 256;
  static constexpr std::size_t max_value = 1024;
};

// The guide's "Supported attributes in AWS SSO", in its order: ${user:AD_GUID} ... ${user:groups}.
const std::vector<std::string_view>& supported_user_attributes();

// The default mappings of a custom SAML 2.0 application: Subject = ${user:subject}, unspecified
// (what the console pre-fills; the administrator changes them).
std::vector<attribute_mapping> default_attribute_mappings();

// At most one Subject row, which must come first when present; attribute names unique and
// non-empty; formats known; every expression one of the guide's; ${user:groups} alone and never
// the Subject. errc::validation naming the row.
result<void> validate_attribute_mappings(const std::vector<attribute_mapping>& rows);

// The Subject row's NameID format (unspecified when there is no Subject row).
name_id_format subject_name_id_format(const std::vector<attribute_mapping>& rows);

// What a user's assertion carries.
struct mapped_attribute {
  std::string name;
  attribute_name_format format = attribute_name_format::unspecified;
  std::vector<std::string> values;
  friend bool operator==(const mapped_attribute&, const mapped_attribute&) = default;
};

struct mapped_assertion {
  std::string name_id;
  name_id_format format = name_id_format::unspecified;
  std::vector<mapped_attribute> attributes;  // in row order
  std::vector<std::string> omitted;          // attribute names left out (no value for the user)
};

// What an expression may read besides the user: the ids of the groups the user belongs to,
// directly or through nested groups (membership_graph), for ${user:groups}.
struct user_facts {
  const user& u;
  const std::vector<std::string>& group_ids;
};

// The values of one template for the user; nullopt when an expression in it has no value.
std::optional<std::vector<std::string>> resolve_template(std::string_view value, const user_facts& facts);

// Applies the rows to a user. The NameID comes from the Subject row (${user:subject} when there
// is none); when the user has no value for it there is nothing to sign in with:
// errc::validation "The user has no value for the application's Subject (...)".
result<mapped_assertion> map_attributes(const std::vector<attribute_mapping>& rows, const user_facts& facts);

}  // namespace atrium::domain
