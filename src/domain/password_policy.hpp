#pragma once
// The guide's "Password requirements when managing identities in AWS SSO", applied to every
// password a built-in user sets or an administrator generates:
//   - between 8 and 64 characters (Unicode code points of well-formed UTF-8);
//   - at least one of each: lower-case letter (a-z), upper-case letter (A-Z), number (0-9),
//     non-alphanumeric character — the guide's list ~!@#$%^&*_-+=`|\(){}[]:;"'<>,.?/ is
//     exactly ASCII's 32 punctuation characters, so that is what counts;
//   - case-sensitive (compared as given: no case folding, no Unicode normalisation).
// Other characters (space, letters outside a-z/A-Z, emoji) are allowed and count toward the
// length but toward no class. Control characters are refused (no keyboard types them and they
// break forms and logs). "The last three passwords cannot be reused" needs the stored hashes
// and is checked by service::password_service. Pure.
#include <string>
#include <string_view>

#include "base/result.hpp"

namespace atrium::domain {

inline constexpr std::size_t password_min_length = 8;
inline constexpr std::size_t password_max_length = 64;
inline constexpr std::string_view password_symbols = "~!@#$%^&*_-+=`|\\(){}[]:;\"'<>,.?/";

// errc::validation whose message names the first rule the password breaks.
result<void> check_password(std::string_view password);

// A one-line summary of the rules for forms and error messages.
std::string password_rules_text();

}  // namespace atrium::domain
