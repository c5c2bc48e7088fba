// The guide's "Password requirements": 8-64 characters and all four character classes.
#include "domain/password_policy.hpp"

#include <gtest/gtest.h>

namespace atrium::domain {

namespace {
std::string message_of(std::string_view p) {
  auto r = check_password(p);
  EXPECT_FALSE(r) << "accepted: " << p;
  return r ? std::string() : r.error().message;
}
}  // namespace

TEST(password_policy, accepts_a_password_with_every_class) {
  EXPECT_TRUE(check_password("Abcdef1!"));
  EXPECT_TRUE(check_password("correct Horse 9 battery!"));
}

TEST(password_policy, length_boundaries_are_7_8_64_65_characters) {
  std::string base = "Aa1!";
  EXPECT_NE(message_of(base + "xyz").find("at least 8"), std::string::npos);   // 7
  EXPECT_TRUE(check_password(base + "wxyz"));                                   // 8
  EXPECT_TRUE(check_password(base + std::string(60, 'x')));                     // 64
  EXPECT_NE(message_of(base + std::string(61, 'x')).find("at most 64"), std::string::npos);  // 65
}

TEST(password_policy, length_counts_characters_not_bytes) {
  // "é" is two bytes in UTF-8: 4 + 4 characters = 8 characters, 12 bytes.
  EXPECT_TRUE(check_password("Aa1!\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"));
  // 3 + 4 = 7 characters in 11 bytes: too short although > 8 bytes.
  EXPECT_NE(message_of("Aa1\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9").find("at least 8"), std::string::npos);
  // 64 emoji-bearing characters are fine (4 + 60 four-byte code points = 244 bytes).
  std::string emoji;
  for (int i = 0; i < 60; ++i) emoji += "\xf0\x9f\x94\x91";
  EXPECT_TRUE(check_password("Aa1!" + emoji));
  EXPECT_FALSE(check_password("Aa1!" + emoji + "\xf0\x9f\x94\x91"));
}

TEST(password_policy, each_missing_class_is_named) {
  EXPECT_NE(message_of("ABCDEFG1!").find("lower-case"), std::string::npos);
  EXPECT_NE(message_of("abcdefg1!").find("upper-case"), std::string::npos);
  EXPECT_NE(message_of("Abcdefgh!").find("number"), std::string::npos);
  EXPECT_NE(message_of("Abcdefgh1").find("non-alphanumeric"), std::string::npos);
}

TEST(password_policy, every_listed_symbol_counts_and_nothing_else_does) {
  for (char c : password_symbols) EXPECT_TRUE(check_password(std::string("Abcdefg1") + c)) << c;
  EXPECT_EQ(password_symbols.size(), 32u) << "the guide's list is ASCII's 32 punctuation characters";
  // A space or a non-ASCII letter/symbol is allowed but is not a non-alphanumeric character.
  EXPECT_NE(message_of("Abcdefg1 ").find("non-alphanumeric"), std::string::npos);
  EXPECT_NE(message_of("Abcdefg1\xc3\xa9").find("non-alphanumeric"), std::string::npos);
  EXPECT_NE(message_of("Abcdefg1\xe2\x82\xac").find("non-alphanumeric"), std::string::npos);  // the euro sign
  // Non-ASCII letters are not a-z / A-Z either.
  EXPECT_NE(message_of("\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9" "A1!!").find("lower-case"), std::string::npos);
}

TEST(password_policy, refuses_invalid_utf8_and_control_characters) {
  EXPECT_NE(message_of("Abcdefg1!\xff").find("UTF-8"), std::string::npos);
  EXPECT_NE(message_of(std::string("Abcdefg1!\0x", 11)).find("control"), std::string::npos);
  EXPECT_NE(message_of("Abcdefg1!\t").find("control"), std::string::npos);
}

TEST(password_policy, messages_start_with_the_requirements_sentence) {
  EXPECT_EQ(message_of("short").rfind("The password does not meet the password requirements: ", 0), 0u);
}

}  // namespace atrium::domain
