#include "domain/org.hpp"

#include "base/strings.hpp"

namespace atrium::domain {

namespace {

constexpr std::string_view alnum = "0123456789abcdefghijklmnopqrstuvwxyz";

std::string random_alnum(random_source& rnd, std::size_t n) {
  std::string out;
  out.reserve(n);
  while (out.size() < n) {
    unsigned char b = 0;
    rnd.fill(&b, 1);
    if (b >= 252) continue;  // 252 = 7 * 36: reject the tail so every character is equally likely
    out.push_back(alnum[b % 36]);
  }
  return out;
}

bool all_alnum_lower(std::string_view s) {
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z'))) return false;
  return true;
}

bool prefixed(std::string_view s, std::string_view prefix, std::size_t min, std::size_t max) {
  if (!s.starts_with(prefix)) return false;
  auto rest = s.substr(prefix.size());
  return rest.size() >= min && rest.size() <= max && all_alnum_lower(rest);
}

}  // namespace

std::unexpected<error> invalid_input(std::string reason, std::string message) {
  return std::unexpected(error{errc::validation, std::move(message), std::move(reason), {}});
}

std::string new_organization_id(random_source& rnd) { return "o-" + random_alnum(rnd, 10); }
std::string new_root_id(random_source& rnd) { return "r-" + random_alnum(rnd, 4); }

std::string new_ou_id(std::string_view root_id, random_source& rnd) {
  // AWS: "ou-" followed by the 4-32 characters of the root's id, a dash and 8-32 more.
  auto root_part = root_id.substr(root_id.starts_with("r-") ? 2 : 0);
  return "ou-" + std::string(root_part) + "-" + random_alnum(rnd, 8);
}

bool is_organization_id(std::string_view s) { return prefixed(s, "o-", 10, 32); }
bool is_root_id(std::string_view s) { return prefixed(s, "r-", 4, 32); }

bool is_ou_id(std::string_view s) {
  if (!s.starts_with("ou-")) return false;
  auto rest = s.substr(3);
  auto dash = rest.find('-');
  if (dash == std::string_view::npos) return false;
  auto a = rest.substr(0, dash), b = rest.substr(dash + 1);
  return a.size() >= 4 && a.size() <= 32 && b.size() >= 8 && b.size() <= 32 && all_alnum_lower(a) &&
         all_alnum_lower(b);
}

bool is_account_id(std::string_view s) {
  if (s.size() != 12) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

result<void> check_account_name(std::string_view name) {
  if (name.empty()) return invalid_input("MIN_LENGTH_EXCEEDED", "The account name must not be empty.");
  if (name.size() > max_account_name)
    return invalid_input("MAX_LENGTH_EXCEEDED", "The account name must be at most 50 characters.");
  for (char c : name)  // AccountName pattern [\u0020-\u007E]+
    if (c < 0x20 || c > 0x7e)
      return invalid_input("INVALID_PATTERN", "The account name may contain printable ASCII characters only.");
  return {};
}

result<void> check_email(std::string_view email) {
  if (email.size() < min_email) return invalid_input("MIN_LENGTH_EXCEEDED", "The email address must be at least 6 characters.");
  if (email.size() > max_email) return invalid_input("MAX_LENGTH_EXCEEDED", "The email address must be at most 64 characters.");
  // Email pattern [^\s@]+@[^\s@]+\.[^\s@]+ (Organizations API reference).
  auto at = email.find('@');
  bool ok = at != std::string_view::npos && at > 0 && email.find('@', at + 1) == std::string_view::npos;
  if (ok) {
    auto domain_part = email.substr(at + 1);
    auto dot = domain_part.rfind('.');
    ok = dot != std::string_view::npos && dot > 0 && dot + 1 < domain_part.size();
  }
  for (unsigned char c : email) ok = ok && c > 0x20 && c < 0x7f;
  if (!ok) return invalid_input("INVALID_PATTERN", "The email address is not valid.");
  return {};
}

result<void> check_ou_name(std::string_view name) {
  if (name.empty()) return invalid_input("MIN_LENGTH_EXCEEDED", "The OU name must not be empty.");
  if (!valid_utf8(name)) return invalid_input("INVALID_PATTERN", "The OU name must be valid UTF-8.");
  if (utf8_length(name) > max_ou_name)
    return invalid_input("MAX_LENGTH_EXCEEDED", "The OU name must be at most 128 characters.");
  for (unsigned char c : name)
    if (c < 0x20 && c != '\t') return invalid_input("INVALID_PATTERN", "The OU name must not contain control characters.");
  return {};
}

result<void> check_account_id(std::string_view id) {
  if (!is_account_id(id)) return invalid_input("INVALID_PATTERN", "An account id is exactly 12 digits.");
  return {};
}

result<void> check_parent_id(std::string_view id) {
  if (!is_parent_id(id))
    return invalid_input("INVALID_PATTERN", "A parent id is a root id (r-…) or an organizational unit id (ou-…).");
  return {};
}

// arn:aws:organizations::<management account>:<type>/o-…[/<id>] (Organizations' ARN formats,
// "Resource types defined by AWS Organizations" in the service authorization reference).
std::string organization_arn(const organization& o) {
  return "arn:aws:organizations::" + o.management_account_id + ":organization/" + o.id;
}
std::string root_arn(const organization& o) {
  return "arn:aws:organizations::" + o.management_account_id + ":root/" + o.id + "/" + o.root_id;
}
std::string ou_arn(const organization& o, std::string_view ou_id) {
  return "arn:aws:organizations::" + o.management_account_id + ":ou/" + o.id + "/" + std::string(ou_id);
}
std::string account_arn(const organization& o, std::string_view account_id) {
  return "arn:aws:organizations::" + o.management_account_id + ":account/" + o.id + "/" + std::string(account_id);
}

}  // namespace atrium::domain
