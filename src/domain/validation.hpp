#pragma once
// Input rules of the identity store, as the identitystore API model states them (UserName:
// 1-128 characters of letters, marks, symbols, numbers and punctuation; other strings: 1-1024
// characters, also allowing tab, CR, LF and spaces; ExternalId issuer/id: 1-256 without
// whitespace; Emails/Addresses/PhoneNumbers: lists of at most one; ExternalIds: at most 10) and
// as the guide requires for a usable user (given name, family name, user name, display name).
#include <string_view>

#include "base/result.hpp"
#include "domain/identity.hpp"

namespace atrium::domain {

struct text_rule {
  std::size_t max_chars;
  bool allow_space;  // space, tab, CR, LF, NBSP, ideographic space
};

inline constexpr text_rule user_name_rule{128, false};
inline constexpr text_rule text_attribute_rule{1024, true};
inline constexpr text_rule group_name_rule{1024, true};
inline constexpr text_rule external_id_rule{256, false};
inline constexpr std::size_t max_external_ids = 10;
inline constexpr std::size_t max_multi_values = 1;

// `field` names the attribute in the error message ("UserName", "Name.GivenName").
result<void> check_text(std::string_view field, std::string_view value, text_rule rule);

// Full checks of an entity before it is stored (create and after every update).
result<void> validate_user(const user& u);
result<void> validate_group(const group& g);

// "Administrator" and "AWSAdministrators" are reserved for users and groups (API reference).
bool is_reserved_name(std::string_view name);

}  // namespace atrium::domain
