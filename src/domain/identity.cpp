#include "domain/identity.hpp"

#include "base/strings.hpp"

namespace atrium::domain {

const char* to_string(door d) {
  switch (d) {
    case door::api: return "api";
    case door::scim: return "scim";
    case door::console: return "console";
    case door::cli: return "cli";
    case door::system: return "system";
  }
  return "api";
}

std::optional<door> door_from_string(std::string_view s) {
  for (door d : {door::api, door::scim, door::console, door::cli, door::system})
    if (s == to_string(d)) return d;
  return std::nullopt;
}

std::string fold_key(std::string_view s) { return to_lower_ascii(s); }

std::string user::user_name_key() const { return fold_key(user_name); }

std::optional<std::string> user::primary_email_key() const {
  for (const auto& e : emails)
    if (e.value && e.primary.value_or(false)) return fold_key(*e.value);
  // A single email without an explicit primary flag is the primary one: the lists are
  // single-valued, so there is no other candidate.
  if (emails.size() == 1 && emails[0].value && !emails[0].primary.has_value())
    return fold_key(*emails[0].value);
  return std::nullopt;
}

std::string user::display_name_key() const { return fold_key(display_name.value_or("")); }

std::string group::display_name_key() const { return fold_key(display_name); }

}  // namespace atrium::domain
