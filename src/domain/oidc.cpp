#include "domain/oidc.hpp"

#include <algorithm>

#include "base/strings.hpp"

namespace atrium::domain::oidc {

namespace {

char upper_ascii(char c) { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c; }

bool all_digits(std::string_view s) { return !s.empty() && std::all_of(s.begin(), s.end(), is_ascii_digit); }

bool base64url_char(char c) { return is_ascii_alnum(c) || c == '-' || c == '_'; }

}  // namespace

std::optional<std::string> normalize_user_code(std::string_view typed) {
  if (typed.size() > 32) return std::nullopt;
  std::string out;
  for (char c : typed) {
    if (c == '-' || c == ' ') continue;  // RFC 8628 §6.1: punctuation the user may type or not
    char u = upper_ascii(c);
    if (user_code_alphabet.find(u) == std::string_view::npos) return std::nullopt;
    out.push_back(u);
  }
  if (out.size() != user_code_length) return std::nullopt;
  return out;
}

std::string format_user_code(std::string_view letters) {
  return std::string(letters.substr(0, 4)) + "-" + std::string(letters.substr(4));
}

std::optional<std::string> user_code_from(std::string_view bytes) {
  constexpr unsigned n = static_cast<unsigned>(user_code_alphabet.size());
  constexpr unsigned limit = 256 / n * n;  // 240: the largest multiple of 20 a byte can take
  std::string out;
  for (unsigned char b : bytes) {
    if (b >= limit) continue;
    out.push_back(user_code_alphabet[b % n]);
    if (out.size() == user_code_length) return out;
  }
  return std::nullopt;
}

std::optional<loopback_uri> parse_loopback(std::string_view uri) {
  constexpr std::string_view scheme = "http://";
  if (uri.size() > max_uri_length || !uri.starts_with(scheme)) return std::nullopt;
  if (uri.find('#') != std::string_view::npos || has_control_chars(uri) || uri.find(' ') != std::string_view::npos)
    return std::nullopt;
  auto rest = uri.substr(scheme.size());
  auto slash = rest.find('/');
  auto authority = rest.substr(0, slash);
  loopback_uri out;
  out.path_and_query = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
  if (authority.find('@') != std::string_view::npos) return std::nullopt;
  std::string_view host = authority, port;
  if (authority.starts_with("[::1]")) {
    host = authority.substr(0, 5);
    port = authority.substr(5);
  } else if (auto colon = authority.find(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon);
  }
  // RFC 8252 §8.3: the loopback IP literals; "localhost" may resolve elsewhere.
  if (host != "127.0.0.1" && host != "[::1]") return std::nullopt;
  out.host = std::string(host);
  if (!port.empty()) {
    if (port.front() != ':') return std::nullopt;
    port.remove_prefix(1);
    if (!all_digits(port) || port.size() > 5) return std::nullopt;
    unsigned p = static_cast<unsigned>(std::stoul(std::string(port)));
    if (p == 0 || p > 65535) return std::nullopt;
    out.port = p;
  }
  return out;
}

bool redirect_matches(std::string_view registered, std::string_view presented) {
  auto r = parse_loopback(registered);
  auto p = parse_loopback(presented);
  if (!r || !p) return false;
  if (r->host != p->host || r->path_and_query != p->path_and_query) return false;
  return !r->port || r->port == p->port;
}

bool valid_code_verifier(std::string_view v) {
  if (v.size() < 43 || v.size() > 128) return false;
  return std::all_of(v.begin(), v.end(),
                     [](char c) { return is_ascii_alnum(c) || c == '-' || c == '.' || c == '_' || c == '~'; });
}

bool valid_s256_challenge(std::string_view c) {
  return c.size() == 43 && std::all_of(c.begin(), c.end(), base64url_char);
}

bool known_scope(std::string_view scope) { return scope == account_access_scope; }

bool scopes_within(const std::vector<std::string>& asked, const std::vector<std::string>& allowed) {
  return std::all_of(asked.begin(), asked.end(), [&](const std::string& s) {
    return std::find(allowed.begin(), allowed.end(), s) != allowed.end();
  });
}

}  // namespace atrium::domain::oidc
