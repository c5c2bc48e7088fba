#pragma once
// Small string helpers shared by every layer. Nothing here allocates per character on hot
// paths beyond the output string.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace atrium {

// ASCII character classes (locale-independent, unlike <cctype>).
constexpr bool is_ascii_digit(char c) { return c >= '0' && c <= '9'; }
constexpr bool is_ascii_alnum(char c) { return is_ascii_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
constexpr bool is_hex_lower(char c) { return is_ascii_digit(c) || (c >= 'a' && c <= 'f'); }
constexpr bool is_hex_any(char c) { return is_hex_lower(c) || (c >= 'A' && c <= 'F'); }

std::string to_lower_ascii(std::string_view s);
bool iequals_ascii(std::string_view a, std::string_view b);
bool starts_with(std::string_view s, std::string_view prefix);

// RFC 4648 §4 (standard) and §5 (URL-safe, no padding).
std::string base64_encode(std::string_view bytes);
std::optional<std::string> base64_decode(std::string_view text);
std::string base64url_encode(std::string_view bytes);
std::optional<std::string> base64url_decode(std::string_view text);

std::string hex_encode(std::string_view bytes);

// RFC 3986 percent-encoding of everything but unreserved characters, and its inverse (which
// also reads '+' as a space, as form encoding does); nullopt for a broken escape.
std::string url_encode(std::string_view s);
std::optional<std::string> url_decode(std::string_view s);

// Well-formed UTF-8 (RFC 3629: no overlongs, no surrogates, <= U+10FFFF).
bool valid_utf8(std::string_view s);
// Number of code points in well-formed UTF-8.
std::size_t utf8_length(std::string_view s);
// True when s contains a C0/C1 control character other than the ones in `allowed`.
bool has_control_chars(std::string_view s, std::string_view allowed = {});

std::vector<std::string_view> split(std::string_view s, char sep);

// The deepest nesting of [ and { in JSON text (outside strings), without parsing it. Doors
// check it before parsing: nlohmann::json copies, compares and dumps recursively, so a body of
// half a million '[' would overflow the stack later on.
std::size_t json_nesting_depth(std::string_view text);
inline constexpr std::size_t max_json_nesting = 64;
std::string_view trim(std::string_view s);

}  // namespace atrium
