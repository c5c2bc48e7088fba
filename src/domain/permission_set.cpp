#include "domain/permission_set.hpp"

#include <algorithm>
#include <cctype>

#include "base/strings.hpp"

namespace atrium::domain {

namespace {


std::string shown(std::string_view s) {
  return std::string(s.size() > 64 ? s.substr(0, 64) : s) + (s.size() > 64 ? "..." : "");
}

// [\w+=,.@-] of the model's name patterns (\w is ASCII here: letters, digits, underscore).
bool name_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '+' || c == '=' || c == ',' ||
         c == '.' || c == '@' || c == '-';
}

bool all_name_chars(std::string_view s) { return std::all_of(s.begin(), s.end(), name_char); }

// Decodes one code point of well-formed UTF-8 at s[i] (callers check valid_utf8 first).
char32_t next_code_point(std::string_view s, size_t& i) {
  auto b = static_cast<unsigned char>(s[i]);
  int n = b < 0x80 ? 0 : b < 0xE0 ? 1 : b < 0xF0 ? 2 : 3;
  char32_t cp = n == 0 ? b : n == 1 ? (b & 0x1F) : n == 2 ? (b & 0x0F) : (b & 0x07);
  for (int k = 1; k <= n; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
  i += n + 1;
  return cp;
}

// [\p{L}\p{Z}\p{N}_.:/=+\-@] (model "TagKey"/"TagValue"). ASCII and Latin-1 exactly; above
// U+00FF every code point counts except the general punctuation block's non-space marks and
// the private-use and non-character ranges — a deliberate approximation of the Unicode
// categories that accepts every letter and digit of every script.
bool tag_char(char32_t c) {
  if (c < 0x80) {
    return std::isalnum(static_cast<int>(c)) || c == ' ' || c == '_' || c == '.' || c == ':' || c == '/' ||
           c == '=' || c == '+' || c == '-' || c == '@';
  }
  if (c < 0xA0) return false;  // C1 controls
  if (c <= 0xFF) {
    switch (c) {
      case 0xA0: case 0xAA: case 0xB2: case 0xB3: case 0xB5: case 0xB9: case 0xBA:
      case 0xBC: case 0xBD: case 0xBE: return true;
      case 0xD7: case 0xF7: return false;
      default: return c >= 0xC0;
    }
  }
  if (c >= 0x2000 && c <= 0x206F) return c <= 0x200A || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F;
  if (c >= 0xE000 && c <= 0xF8FF) return false;
  if (c >= 0xFFF0 && c <= 0xFFFF) return false;
  return c < 0xF0000;
}

result<void> tag_text(std::string_view s, const char* what, size_t min_len, size_t max_len) {
  if (!valid_utf8(s)) return invalid(std::string("The tag ") + what + " is not valid UTF-8.");
  auto n = utf8_length(s);
  if (n < min_len || n > max_len)
    return invalid(std::string("The tag ") + what + " '" + shown(s) + "' must have length between " +
                   std::to_string(min_len) + " and " + std::to_string(max_len) + ".");
  for (size_t i = 0; i < s.size();)
    if (!tag_char(next_code_point(s, i)))
      return invalid(std::string("The tag ") + what + " '" + shown(s) +
                     "' may contain only letters, numbers, spaces and _.:/=+-@.");
  return {};
}

// Reads digits (and an optional fraction when `fraction`) at s[i]; false when there are none.
bool read_number(std::string_view s, size_t& i, double& out, bool fraction) {
  size_t start = i;
  while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
  if (i == start || i - start > 9) return false;
  out = std::stod(std::string(s.substr(start, i - start)));
  if (fraction && i < s.size() && s[i] == '.') {
    size_t f = ++i;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
    if (i == f || i - f > 9) return false;
    out += std::stod("0." + std::string(s.substr(f, i - f)));
  }
  return true;
}

// Seconds of "P[nD][T[nH][nM][n[.n]S]]"; years, months and weeks have no fixed length here.
std::optional<double> iso_seconds(std::string_view s) {
  if (s.size() < 3 || s.size() > 100 || s[0] != 'P') return std::nullopt;
  size_t i = 1;
  double total = 0;
  bool any = false, in_time = false;
  int last_rank = 0;  // D < H < M < S: each designator once, in this order (ISO 8601 4.4.3.2)
  while (i < s.size()) {
    if (s[i] == 'T') {
      if (in_time) return std::nullopt;
      in_time = true;
      ++i;
      continue;
    }
    double v = 0;
    if (!read_number(s, i, v, in_time) || i >= s.size()) return std::nullopt;
    char unit = s[i++];
    if (!in_time && unit == 'D') total += v * 86400;
    else if (in_time && unit == 'H') total += v * 3600;
    else if (in_time && unit == 'M') total += v * 60;
    else if (in_time && unit == 'S') total += v;
    else return std::nullopt;
    int rank = unit == 'D' ? 1 : unit == 'H' ? 2 : unit == 'M' ? 3 : 4;
    if (rank <= last_rank) return std::nullopt;
    last_rank = rank;
    any = true;
  }
  if (!any || s.back() == 'T') return std::nullopt;
  return total;
}

bool policy_path_ok(std::string_view p) {
  if (p.empty() || p.size() > 512 || p.front() != '/' || p.back() != '/') return false;
  if (p.size() == 1) return true;
  // "/seg/seg/": segments of [A-Za-z0-9.,+@=_-], none empty.
  size_t start = 1;
  while (start < p.size()) {
    auto end = p.find('/', start);
    auto seg = p.substr(start, end - start);
    if (seg.empty() || !all_name_chars(seg)) return false;
    start = end + 1;
  }
  return true;
}

}  // namespace

std::string new_instance_id(random_source& rnd) { return "ssoins-" + rnd.hex(8); }

bool is_instance_id(std::string_view s) {
  if (s.size() != 23 || !s.starts_with("ssoins-")) return false;
  return std::all_of(s.begin() + 7, s.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); });
}

std::string instance_arn(std::string_view instance_id) {
  return "arn:aws:sso:::instance/" + std::string(instance_id);
}

std::string new_permission_set_id(random_source& rnd) { return "ps-" + rnd.hex(8); }

std::string permission_set_arn(std::string_view instance_id, std::string_view ps_id) {
  return "arn:aws:sso:::permissionSet/" + std::string(instance_id) + "/" + std::string(ps_id);
}

result<void> check_permission_set_name(std::string_view name) {
  if (name.empty() || name.size() > 32)
    return invalid("The permission set name '" + shown(name) + "' must have length between 1 and 32.");
  if (!all_name_chars(name))
    return invalid("The permission set name '" + shown(name) +
                   "' may contain only alphanumeric characters and +=,.@-_ (pattern [\\w+=,.@-]+).");
  return {};
}

result<void> check_permission_set_description(std::string_view d) {
  if (!valid_utf8(d)) return invalid("The description is not valid UTF-8.");
  auto n = utf8_length(d);
  if (n < 1 || n > 700) return invalid("The description must have length between 1 and 700.");
  for (size_t i = 0; i < d.size();) {
    char32_t c = next_code_point(d, i);
    bool ok = c == 0x09 || c == 0x0A || c == 0x0D || (c >= 0x20 && c <= 0x7E) || (c >= 0xA1 && c <= 0xFF);
    if (!ok) return invalid("The description contains a character outside the allowed set (Latin-1 printable).");
  }
  return {};
}

result<std::chrono::seconds> session_seconds(std::string_view iso) {
  auto secs = iso_seconds(iso);
  if (!secs) return invalid("The session duration '" + shown(iso) + "' is not an ISO-8601 duration such as PT1H, PT90M or PT1H30M.");
  if (*secs < 3600 || *secs > 12 * 3600)
    return invalid("The session duration '" + shown(iso) + "' must be between 1 hour (PT1H) and 12 hours (PT12H).");
  return std::chrono::seconds(static_cast<int64_t>(*secs));
}

result<void> check_relay_state(std::string_view url) {
  if (url.empty() || url.size() > 240) return invalid("The relay state must have length between 1 and 240.");
  if (!url.starts_with("https://") && !url.starts_with("http://"))
    return invalid("The relay state '" + shown(url) + "' must be an http or https URL.");
  static constexpr std::string_view extra = "&$@#\\/%?=~-_'\"|!:,.;*+[] (){}";
  for (char c : url)
    if (!std::isalnum(static_cast<unsigned char>(c)) && extra.find(c) == std::string_view::npos)
      return invalid("The relay state '" + shown(url) + "' contains a character that is not allowed.");
  return {};
}

result<void> check_managed_policy_arn(std::string_view arn) {
  auto bad = [&] {
    return invalid("The managed policy ARN '" + shown(arn) +
                   "' is not an AWS managed policy ARN (arn:aws:iam::aws:policy/[path/]Name).");
  };
  if (arn.size() < 20 || arn.size() > 2048) return bad();
  // arn:aws(-[a-z]{1,5}){0,3}:iam::aws:policy((/seg)*)/Name
  if (!arn.starts_with("arn:aws")) return bad();
  auto colon = arn.find(':', 4);
  auto partition = arn.substr(4, colon - 4);
  if (colon == std::string_view::npos || partition.size() > 21) return bad();
  for (char c : partition)
    if (!(c == '-' || (c >= 'a' && c <= 'z'))) return bad();
  auto rest = arn.substr(colon);
  if (!rest.starts_with(":iam::aws:policy/")) return bad();
  auto path = rest.substr(16);  // "/seg/.../Name"
  auto last = path.rfind('/');
  auto name = path.substr(last + 1);
  if (name.empty() || !all_name_chars(name)) return bad();
  if (!policy_path_ok(path.substr(0, last + 1))) return bad();
  return {};
}

result<void> check_customer_managed_ref(const customer_managed_ref& ref) {
  if (ref.name.empty() || ref.name.size() > 128 || !all_name_chars(ref.name))
    return invalid("The customer managed policy name '" + shown(ref.name) +
                   "' must be 1-128 characters of [\\w+=,.@-].");
  if (!policy_path_ok(ref.path))
    return invalid("The customer managed policy path '" + shown(ref.path) +
                   "' must begin and end with / and contain segments of [\\w+=,.@-] (at most 512 characters).");
  return {};
}

result<void> check_boundary(const permissions_boundary& b) {
  if (b.managed_policy_arn.has_value() == b.customer_managed.has_value())
    return invalid("The permissions boundary must name exactly one of ManagedPolicyArn or CustomerManagedPolicyReference.");
  if (b.managed_policy_arn) return check_managed_policy_arn(*b.managed_policy_arn);
  return check_customer_managed_ref(*b.customer_managed);
}

result<void> check_inline_policy_text(std::string_view doc, size_t max_bytes) {
  if (doc.empty()) return invalid("The inline policy must not be empty.");
  if (doc.size() > max_bytes)
    return invalid("The inline policy is " + std::to_string(doc.size()) + " bytes; the limit is " +
                   std::to_string(max_bytes) + " bytes.");
  if (!valid_utf8(doc)) return invalid("The inline policy is not valid UTF-8.");
  for (size_t i = 0; i < doc.size();) {
    char32_t c = next_code_point(doc, i);
    if (!(c == 0x09 || c == 0x0A || c == 0x0D || (c >= 0x20 && c <= 0xFF)))
      return invalid("The inline policy contains a character outside U+0009, U+000A, U+000D and U+0020-U+00FF.");
  }
  return {};
}

result<void> check_tag_key(std::string_view key) {
  if (auto r = tag_text(key, "key", 1, 128); !r) return r;
  // Reserved for AWS (guide "Tagging"): compared case-insensitively, as IAM does.
  if (key.size() >= 4 && iequals_ascii(key.substr(0, 4), "aws:"))
    return invalid("The tag key '" + shown(key) + "' uses the reserved prefix 'aws:'.");
  return {};
}

result<void> check_tag(const resource_tag& t) {
  if (auto r = check_tag_key(t.key); !r) return r;
  return tag_text(t.value, "value", 0, 256);
}

result<std::vector<resource_tag>> merge_tags(std::vector<resource_tag> current, const std::vector<resource_tag>& add,
                                             size_t max_tags) {
  for (const auto& t : add) {
    if (auto r = check_tag(t); !r) return std::unexpected(r.error());
    auto it = std::find_if(current.begin(), current.end(), [&](const resource_tag& c) { return c.key == t.key; });
    if (it != current.end()) it->value = t.value;
    else current.push_back(t);
  }
  if (current.size() > max_tags)
    return fail(errc::quota_exceeded, "A resource can have at most " + std::to_string(max_tags) + " tags; this change would leave " +
                   std::to_string(current.size()) + ".");
  return current;
}

std::vector<resource_tag> remove_tags(std::vector<resource_tag> current, const std::vector<std::string>& keys) {
  std::erase_if(current, [&](const resource_tag& t) { return std::find(keys.begin(), keys.end(), t.key) != keys.end(); });
  return current;
}

}  // namespace atrium::domain
