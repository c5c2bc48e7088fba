#pragma once
// Time-based one-time passwords (RFC 6238) over liboath, for authenticator apps (issue 5
// item 3). Time always comes from the caller (the injected clock), never from the system.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/clock.hpp"
#include "base/random.hpp"
#include "base/result.hpp"

namespace atrium::crypto::totp {

enum class hash { sha1, sha256, sha512 };  // RFC 6238 §1.2: HMAC-SHA-1 by default

struct params {
  unsigned digits = 6;       // the guide: six-digit codes
  unsigned step_seconds = 30;  // RFC 6238 §5.2 X = 30 s
  hash h = hash::sha1;
};

inline constexpr std::size_t secret_bytes = 20;  // RFC 4226 §4 R6: 160 bits, HMAC-SHA-1's size

// The step counter T = floor(unix seconds / step) (RFC 6238 §4.2, T0 = 0).
int64_t step_of(sys_time now, const params& p = {});
// The code of step T (leading zeros kept).
std::string code_at_step(std::string_view key, int64_t step, const params& p = {});
std::string code_at(std::string_view key, sys_time now, const params& p = {});

// Looks for `code` in steps T-window ... T+window (RFC 6238 §5.2: one step each way covers
// the clock drift and the time a person takes to type). Every candidate is computed and
// compared in constant time; returns the matching step, so that the caller can refuse a step
// it has already accepted (RFC 6238 §5.2: "the verifier MUST NOT accept the second attempt of
// the OTP after the successful validation has been issued for the first OTP").
std::optional<int64_t> match(std::string_view key, std::string_view code, sys_time now, int window = 1,
                             const params& p = {});

// A fresh secret (secret_bytes random bytes) and its RFC 4648 base32 text (no padding: 20
// bytes are exactly 32 characters), as authenticator apps take it.
std::string new_secret(random_source& rnd);
std::string base32(std::string_view raw);
result<std::string> from_base32(std::string_view text);

// otpauth://totp/<issuer>:<account>?secret=...&issuer=...&algorithm=SHA1&digits=6&period=30
// (the Key Uri Format of Google Authenticator, which every tested app reads).
std::string otpauth_uri(std::string_view issuer, std::string_view account, std::string_view secret_base32);

}  // namespace atrium::crypto::totp
