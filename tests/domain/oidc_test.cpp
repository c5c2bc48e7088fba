// The rules of command-line access: user codes (RFC 8628 §6.1), loopback redirect URIs
// (RFC 8252 §7.3, §8.3), PKCE shapes (RFC 7636 §4.1-4.2) and scopes.
#include "domain/oidc.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <map>

namespace atrium::domain::oidc {

namespace {

TEST(user_code, has_at_least_34_bits_of_entropy_from_consonants_only) {
  EXPECT_GE(user_code_length * std::log2(double(user_code_alphabet.size())), 34.0);
  for (char c : user_code_alphabet) EXPECT_EQ(std::string_view("AEIOUY01").find(c), std::string_view::npos) << c;
}

TEST(user_code, is_read_case_insensitively_without_dashes_or_spaces) {
  EXPECT_EQ(normalize_user_code("BCDF-GHJK"), "BCDFGHJK");
  EXPECT_EQ(normalize_user_code("bcdf ghjk"), "BCDFGHJK");
  EXPECT_EQ(normalize_user_code("bcdfghjk"), "BCDFGHJK");
  EXPECT_FALSE(normalize_user_code("BCDF-GHJ"));     // too short
  EXPECT_FALSE(normalize_user_code("BCDF-GHJKL"));   // too long
  EXPECT_FALSE(normalize_user_code("BCDA-GHJK"));    // a vowel
  EXPECT_FALSE(normalize_user_code("BCD1-GHJK"));    // a digit
  EXPECT_FALSE(normalize_user_code(std::string(100, 'B')));
  EXPECT_EQ(format_user_code("BCDFGHJK"), "BCDF-GHJK");
}

TEST(user_code, letters_from_random_bytes_are_uniform) {
  // Bytes 240-255 are skipped, so each letter comes from exactly 12 byte values.
  std::map<char, int> count;
  for (int b = 0; b < 256; b += 8) {
    std::string bytes;
    for (int k = 0; k < 8; ++k) bytes.push_back(static_cast<char>(b + k));
    if (auto code = user_code_from(bytes))
      for (char c : *code) ++count[c];
  }
  for (const auto& [c, n] : count) EXPECT_LE(n, 12) << c;
  EXPECT_FALSE(user_code_from(std::string(16, '\xff')));  // nothing usable: the caller draws again
  EXPECT_EQ(user_code_from(std::string(8, '\0')), "BBBBBBBB");
}

TEST(loopback, accepts_the_ip_literals_with_any_port_when_registered_without_one) {
  auto a = parse_loopback("http://127.0.0.1/oauth/callback");
  ASSERT_TRUE(a);
  EXPECT_FALSE(a->port);
  EXPECT_EQ(a->path_and_query, "/oauth/callback");
  auto b = parse_loopback("http://[::1]:8080/cb?x=1");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->port, 8080u);
  EXPECT_TRUE(redirect_matches("http://127.0.0.1/oauth/callback", "http://127.0.0.1:53682/oauth/callback"));
  EXPECT_TRUE(redirect_matches("http://127.0.0.1:53682/cb", "http://127.0.0.1:53682/cb"));
  EXPECT_FALSE(redirect_matches("http://127.0.0.1:53682/cb", "http://127.0.0.1:53683/cb"));
  EXPECT_FALSE(redirect_matches("http://127.0.0.1/cb", "http://127.0.0.1:1/other"));
  EXPECT_FALSE(redirect_matches("http://127.0.0.1/cb", "http://[::1]:1/cb"));
}

TEST(loopback, refuses_everything_else) {
  for (const char* uri : {"https://127.0.0.1/cb", "http://localhost/cb", "http://127.0.0.2/cb", "http://example.com/cb",
                          "http://127.0.0.1.evil.example/cb", "http://user@127.0.0.1/cb", "http://127.0.0.1/cb#f",
                          "http://127.0.0.1:99999/cb", "http://127.0.0.1:/cb", "http://127.0.0.1:80a/cb",
                          "http://[::1]x/cb", "http://127.0.0.1/c b", "javascript:alert(1)", ""})
    EXPECT_FALSE(parse_loopback(uri)) << uri;
}

TEST(pkce, verifier_and_challenge_shapes) {
  EXPECT_TRUE(valid_code_verifier(std::string(43, 'a')));
  EXPECT_TRUE(valid_code_verifier(std::string(128, '~')));
  EXPECT_FALSE(valid_code_verifier(std::string(42, 'a')));
  EXPECT_FALSE(valid_code_verifier(std::string(129, 'a')));
  EXPECT_FALSE(valid_code_verifier(std::string(43, '+')));
  EXPECT_TRUE(valid_s256_challenge("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"));
  EXPECT_FALSE(valid_s256_challenge("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM="));
  EXPECT_FALSE(valid_s256_challenge("short"));
}

TEST(scopes, only_account_access_is_known) {
  EXPECT_TRUE(known_scope("sso:account:access"));
  EXPECT_FALSE(known_scope("openid"));
  EXPECT_TRUE(scopes_within({}, {}));
  EXPECT_TRUE(scopes_within({"sso:account:access"}, {"sso:account:access"}));
  EXPECT_FALSE(scopes_within({"sso:account:access"}, {}));
}

}  // namespace

}  // namespace atrium::domain::oidc
