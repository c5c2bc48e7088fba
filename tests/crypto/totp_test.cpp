// RFC 6238 TOTP over liboath: the Appendix B test vectors (8 digits, SHA-1/256/512), the
// 6-digit codes authenticator apps show, the ±1 step window and its edges, base32 and the
// otpauth:// URI.
#include "crypto/totp.hpp"

#include <gtest/gtest.h>

#include "crypto/primitives.hpp"

namespace atrium::crypto::totp {
namespace {

sys_time at(int64_t unix_seconds) { return from_epoch_millis(unix_seconds * 1000); }

// RFC 6238 Appendix B: the seeds are the ASCII digits repeated to the hash's length.
const std::string seed20 = "12345678901234567890";
const std::string seed32 = "12345678901234567890123456789012";
const std::string seed64 = "1234567890123456789012345678901234567890123456789012345678901234";

struct vector {
  int64_t time;
  const char* sha1;
  const char* sha256;
  const char* sha512;
};

const vector appendix_b[] = {
    {59, "94287082", "46119246", "90693936"},
    {1111111109, "07081804", "68084774", "25091201"},
    {1111111111, "14050471", "67062674", "99943326"},
    {1234567890, "89005924", "91819424", "93441116"},
    {2000000000, "69279037", "90698825", "38618901"},
    {20000000000, "65353130", "77737706", "47863826"},
};

TEST(totp, rfc6238_appendix_b_eight_digits) {
  for (const auto& v : appendix_b) {
    EXPECT_EQ(code_at(seed20, at(v.time), {8, 30, hash::sha1}), v.sha1) << v.time;
    EXPECT_EQ(code_at(seed32, at(v.time), {8, 30, hash::sha256}), v.sha256) << v.time;
    EXPECT_EQ(code_at(seed64, at(v.time), {8, 30, hash::sha512}), v.sha512) << v.time;
  }
}

TEST(totp, six_digits_are_the_last_six_of_the_eight) {
  // Dynamic truncation (RFC 4226 §5.3) takes the value modulo 10^digits.
  for (const auto& v : appendix_b) EXPECT_EQ(code_at(seed20, at(v.time)), std::string(v.sha1).substr(2)) << v.time;
}

TEST(totp, steps_are_thirty_seconds) {
  EXPECT_EQ(step_of(at(59)), 1);
  EXPECT_EQ(step_of(at(60)), 2);
  EXPECT_EQ(step_of(at(1111111109)), 37037036);
  EXPECT_EQ(code_at(seed20, at(30)), code_at(seed20, at(59)));
  EXPECT_NE(code_at(seed20, at(59)), code_at(seed20, at(60)));
}

TEST(totp, match_returns_the_step_within_one_step_each_way) {
  const auto now = at(1111111111);  // step 37037037
  const int64_t t = step_of(now);
  for (int64_t d : {-1, 0, 1}) {
    auto m = match(seed20, code_at_step(seed20, t + d), now);
    ASSERT_TRUE(m) << d;
    EXPECT_EQ(*m, t + d);
  }
  EXPECT_FALSE(match(seed20, code_at_step(seed20, t - 2), now));
  EXPECT_FALSE(match(seed20, code_at_step(seed20, t + 2), now));
}

TEST(totp, window_edges_follow_the_clock) {
  // A code of step s is good from the start of step s-1 to the end of step s+1: 90 seconds.
  const int64_t s = 50'000'000;
  const std::string code = code_at_step(seed20, s);
  EXPECT_FALSE(match(seed20, code, at((s - 1) * 30 - 1)));
  EXPECT_TRUE(match(seed20, code, at((s - 1) * 30)));
  EXPECT_TRUE(match(seed20, code, at((s + 2) * 30 - 1)));
  EXPECT_FALSE(match(seed20, code, at((s + 2) * 30)));
}

TEST(totp, malformed_codes_never_match) {
  const auto now = at(1234567890);
  std::string good = code_at(seed20, now);
  EXPECT_TRUE(match(seed20, good, now));
  EXPECT_FALSE(match(seed20, good.substr(1), now));
  EXPECT_FALSE(match(seed20, good + "0", now));
  EXPECT_FALSE(match(seed20, "", now));
  EXPECT_FALSE(match(seed20, "12a456", now));
  EXPECT_FALSE(match(seed20, " " + good.substr(1), now));
  EXPECT_FALSE(match("another secret of 20", good, now));
}

TEST(totp, secrets_are_twenty_random_bytes_in_base32) {
  crypto::init();
  sodium_random rnd;
  auto a = new_secret(rnd), b = new_secret(rnd);
  EXPECT_EQ(a.size(), 20u);
  EXPECT_NE(a, b);
  auto text = base32(a);
  EXPECT_EQ(text.size(), 32u);
  EXPECT_EQ(text.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"), std::string::npos);
  auto back = from_base32(text);
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, a);
  // RFC 4648 §10 test vector.
  EXPECT_EQ(base32("foobar"), "MZXW6YTBOI");
  EXPECT_FALSE(from_base32("not base32!"));
}

TEST(totp, otpauth_uri_escapes_the_label) {
  EXPECT_EQ(otpauth_uri("Atrium", "jane@example.com", "JBSWY3DPEHPK3PXP"),
            "otpauth://totp/Atrium:jane%40example.com?secret=JBSWY3DPEHPK3PXP&issuer=Atrium&algorithm=SHA1&digits=6&period=30");
  EXPECT_EQ(otpauth_uri("My Co", "a b", "X"),
            "otpauth://totp/My%20Co:a%20b?secret=X&issuer=My%20Co&algorithm=SHA1&digits=6&period=30");
}

}  // namespace
}  // namespace atrium::crypto::totp
