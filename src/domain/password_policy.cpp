#include "domain/password_policy.hpp"

#include "base/strings.hpp"

namespace atrium::domain {

namespace {

struct classes {
  bool lower = false, upper = false, digit = false, symbol = false;
};

classes classes_of(std::string_view p) {
  classes c;
  for (char ch : p) {  // multi-byte UTF-8 units are >= 0x80 and match none of these
    if (ch >= 'a' && ch <= 'z') c.lower = true;
    else if (ch >= 'A' && ch <= 'Z') c.upper = true;
    else if (ch >= '0' && ch <= '9') c.digit = true;
    else if (password_symbols.find(ch) != std::string_view::npos) c.symbol = true;
  }
  return c;
}

std::unexpected<error> broken(const std::string& rule) {
  return fail(errc::validation, "The password does not meet the password requirements: " + rule + ".");
}

}  // namespace

std::string password_rules_text() {
  return "8 to 64 characters with at least one lower-case letter (a-z), one upper-case letter (A-Z), "
         "one number (0-9) and one non-alphanumeric character (" + std::string(password_symbols) +
         "); none of the last three passwords";
}

result<void> check_password(std::string_view p) {
  if (!valid_utf8(p)) return broken("it must be valid UTF-8 text");
  if (has_control_chars(p)) return broken("it must not contain control characters");
  auto n = utf8_length(p);
  if (n < password_min_length) return broken("it must be at least 8 characters long");
  if (n > password_max_length) return broken("it must be at most 64 characters long");
  auto c = classes_of(p);
  if (!c.lower) return broken("it must contain a lower-case letter (a-z)");
  if (!c.upper) return broken("it must contain an upper-case letter (A-Z)");
  if (!c.digit) return broken("it must contain a number (0-9)");
  if (!c.symbol) return broken("it must contain a non-alphanumeric character (" + std::string(password_symbols) + ")");
  return {};
}

}  // namespace atrium::domain
