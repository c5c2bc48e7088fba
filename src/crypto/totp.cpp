#include "crypto/totp.hpp"

#include <liboath/oath.h>

#include <cctype>
#include <cstdlib>
#include <mutex>

#include "crypto/primitives.hpp"

namespace atrium::crypto::totp {

namespace {

void ensure_init() {
  static std::once_flag once;
  std::call_once(once, [] { oath_init(); });
}

int flags_of(hash h) {
  switch (h) {
    case hash::sha1: return 0;
    case hash::sha256: return OATH_TOTP_HMAC_SHA256;
    case hash::sha512: return OATH_TOTP_HMAC_SHA512;
  }
  return 0;
}

// RFC 3986 unreserved characters pass; everything else is %XX.
std::string percent_encode(std::string_view s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

}  // namespace

int64_t step_of(sys_time now, const params& p) {
  auto secs = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  if (secs < 0) return 0;
  return secs / static_cast<int64_t>(p.step_seconds);
}

std::string code_at_step(std::string_view key, int64_t step, const params& p) {
  ensure_init();
  // liboath takes a time, not a counter: the start of the step is that step's time.
  time_t at = static_cast<time_t>(step * static_cast<int64_t>(p.step_seconds));
  char out[16] = {};
  if (p.digits < 6 || p.digits > 8) return {};
  int rc = oath_totp_generate2(key.data(), key.size(), at, p.step_seconds, 0, p.digits, flags_of(p.h), out);
  if (rc != OATH_OK) return {};
  return std::string(out, p.digits);
}

std::string code_at(std::string_view key, sys_time now, const params& p) {
  return code_at_step(key, step_of(now, p), p);
}

std::optional<int64_t> match(std::string_view key, std::string_view code, sys_time now, int window,
                             const params& p) {
  if (code.size() != p.digits) return std::nullopt;
  for (char c : code)
    if (c < '0' || c > '9') return std::nullopt;
  int64_t t = step_of(now, p);
  std::optional<int64_t> found;
  // No early exit: the time taken does not tell which step matched.
  for (int64_t s = t - window; s <= t + window; ++s) {
    if (s < 0) continue;
    std::string candidate = code_at_step(key, s, p);
    bool same = !candidate.empty() && constant_time_equal(candidate, code);
    if (same && !found) found = s;
  }
  return found;
}

std::string new_secret(random_source& rnd) {
  std::string raw(secret_bytes, '\0');
  rnd.fill(raw.data(), raw.size());
  return raw;
}

std::string base32(std::string_view raw) {
  ensure_init();
  char* out = nullptr;
  size_t len = 0;
  if (oath_base32_encode(raw.data(), raw.size(), &out, &len) != OATH_OK || !out) return {};
  std::string s(out, len);
  std::free(out);
  while (!s.empty() && s.back() == '=') s.pop_back();
  return s;
}

result<std::string> from_base32(std::string_view text) {
  ensure_init();
  // Apps and people write secrets in groups and lower case; liboath accepts both, spaces too.
  char* out = nullptr;
  size_t len = 0;
  if (text.size() > 256 || oath_base32_decode(text.data(), text.size(), &out, &len) != OATH_OK || !out)
    return fail(errc::validation, "The secret is not base32 text.");
  std::string s(out, len);
  std::free(out);
  return s;
}

std::string otpauth_uri(std::string_view issuer, std::string_view account, std::string_view secret_base32) {
  std::string label = percent_encode(issuer) + ":" + percent_encode(account);
  return "otpauth://totp/" + label + "?secret=" + std::string(secret_base32) + "&issuer=" + percent_encode(issuer) +
         "&algorithm=SHA1&digits=6&period=30";
}

}  // namespace atrium::crypto::totp
