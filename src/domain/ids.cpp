#include "domain/ids.hpp"

#include "base/strings.hpp"

namespace atrium::domain {

bool is_uuid(std::string_view s, bool lower_only) {
  if (s.size() != 36) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? s[i] != '-' : !(lower_only ? is_hex_lower(s[i]) : is_hex_any(s[i]))) return false;
  }
  return true;
}

std::string new_identity_store_id(random_source& rnd) { return "d-" + rnd.hex(5); }

std::string new_resource_id(std::string_view store_id, random_source& rnd, sys_time now) {
  std::string prefix(store_id.size() == 12 ? store_id.substr(2) : std::string_view("0000000000"));
  return prefix + "-" + rnd.uuid7(now);
}

bool is_identity_store_id(std::string_view s) {
  if (s.size() != 12 || !s.starts_with("d-")) return false;
  for (char c : s.substr(2))
    if (!is_hex_lower(c)) return false;
  return true;
}

bool is_resource_id(std::string_view s) {
  if (s.size() == 47) {
    for (char c : s.substr(0, 10))
      if (!is_hex_lower(c)) return false;
    return s[10] == '-' && is_uuid(s.substr(11));
  }
  return is_uuid(s);
}

}  // namespace atrium::domain
