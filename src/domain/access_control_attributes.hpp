#pragma once
// Attributes for access control (ABAC; issue 4 item 6; user guide "Attribute-based access
// control", "Attributes for access control" and "Supported external identity provider
// attributes"). The instance's configuration maps a key (the session tag name that policies read
// as aws:PrincipalTag/<key>) to one `${path:...}` source among the guide's supported attributes;
// the resolver turns a user into the key/value pairs credentials and SAML assertions carry.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"
#include "domain/identity.hpp"

namespace atrium::domain {

struct access_control_attribute {
  std::string key;                  // "CostCenter"
  std::vector<std::string> source;  // exactly one entry: "${path:enterprise.costCenter}"
  friend bool operator==(const access_control_attribute&, const access_control_attribute&) = default;
};

// The sso-admin API's limits (AccessControlAttribute / AccessControlAttributeValue shapes) and
// the guide's: at most 50 attributes (a SAML assertion with ABAC carries at most 50), key 1-128
// characters of [\p{L}\p{Z}\p{N}_.:/=+\-@], unique ignoring case (session tag keys are
// case-insensitive in STS), one source of at most 256 characters.
struct abac_limits {
  static constexpr std::size_t max_attributes = 50;
  static constexpr std::size_t max_key_chars = 128;
  static constexpr std::size_t max_source_chars = 256;
  static constexpr std::size_t max_value_chars = 256;  // an STS session tag value
};

// The guide's list of supported `${path:...}` sources, in its order.
const std::vector<std::string_view>& supported_attribute_paths();

// errc::validation with a message naming the offending attribute (ValidationException).
result<void> validate_access_control_attributes(const std::vector<access_control_attribute>& attrs);

struct resolved_attribute {
  std::string key;
  std::string value;
  friend bool operator==(const resolved_attribute&, const resolved_attribute&) = default;
};

struct abac_resolution {
  std::vector<resolved_attribute> attributes;  // in configuration order
  // Keys left out, each with why: the user has no value for the source (the guide: only
  // attributes that have values are passed), or the value is longer than a session tag allows.
  std::vector<std::string> omitted;
};

// Single-valued by construction: each source selects one value (`emails[primary eq true]` the
// primary email, `addresses[type eq "work"]` the first work address, and so on), because the
// guide's SAML rules forbid multi-valued access-control attributes. Empty values are omitted.
abac_resolution resolve_access_control_attributes(const std::vector<access_control_attribute>& attrs, const user& u);

// The value one supported source selects from a user; nullopt when the user has none (or the
// source is not a supported path).
std::optional<std::string> attribute_value(std::string_view source, const user& u);

}  // namespace atrium::domain
