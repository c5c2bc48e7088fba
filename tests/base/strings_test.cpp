#include "base/strings.hpp"

#include <gtest/gtest.h>

namespace atrium {

TEST(strings, base64_round_trip_and_rfc4648_vectors) {
  // RFC 4648 §10 test vectors.
  EXPECT_EQ(base64_encode(""), "");
  EXPECT_EQ(base64_encode("f"), "Zg==");
  EXPECT_EQ(base64_encode("fo"), "Zm8=");
  EXPECT_EQ(base64_encode("foo"), "Zm9v");
  EXPECT_EQ(base64_encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(base64_decode("Zm9vYmE=").value(), "fooba");
  EXPECT_FALSE(base64_decode("Zm9v!").has_value());
  EXPECT_FALSE(base64_decode("Zm9").has_value()) << "standard form needs padding";
  std::string bin("\x00\xff\xfe\x10", 4);
  EXPECT_EQ(base64url_decode(base64url_encode(bin)).value(), bin);
  EXPECT_EQ(base64url_encode("\xfb\xff"), "-_8");
}

TEST(strings, utf8_validation) {
  EXPECT_TRUE(valid_utf8("plain"));
  EXPECT_TRUE(valid_utf8("Zoë 日本 🎉"));
  EXPECT_FALSE(valid_utf8("\xc0\xaf")) << "overlong";
  EXPECT_FALSE(valid_utf8("\xed\xa0\x80")) << "surrogate";
  EXPECT_FALSE(valid_utf8("\xf4\x90\x80\x80")) << "above U+10FFFF";
  EXPECT_FALSE(valid_utf8("abc\xe2\x82")) << "truncated";
  EXPECT_EQ(utf8_length("Zoë"), 3u);
}

TEST(strings, control_characters) {
  EXPECT_FALSE(has_control_chars("a b"));
  EXPECT_TRUE(has_control_chars("a\tb"));
  EXPECT_FALSE(has_control_chars("a\tb", "\t"));
  EXPECT_TRUE(has_control_chars(std::string("a\0b", 3)));
  EXPECT_TRUE(has_control_chars("a\xc2\x85" "b")) << "C1 control NEL";
}

TEST(strings, case_folding_is_ascii_only) {
  EXPECT_EQ(to_lower_ascii("ÀBC"), "Àbc");
  EXPECT_TRUE(iequals_ascii("Alice", "aLICE"));
  EXPECT_FALSE(iequals_ascii("Alice", "Alic"));
}

TEST(strings, split_and_trim) {
  auto parts = split("a,,b", ',');
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_EQ(parts[1], "");
  EXPECT_EQ(trim("  x \t"), "x");
}

}  // namespace atrium

namespace atrium {

TEST(json_nesting, counts_brackets_outside_strings) {
  EXPECT_EQ(json_nesting_depth(""), 0u);
  EXPECT_EQ(json_nesting_depth(R"({"a":[1,{"b":2}]})"), 3u);
  EXPECT_EQ(json_nesting_depth(R"({"a":"[[[[{{{{"})"), 1u) << "brackets in strings do not count";
  EXPECT_EQ(json_nesting_depth(R"({"a":"\"[[["})"), 1u) << "escaped quotes do not end the string";
  EXPECT_EQ(json_nesting_depth(std::string(500000, '[')), 500000u);
  EXPECT_EQ(json_nesting_depth("]]]]{"), 1u) << "stray closers do not go below zero";
}

}  // namespace atrium
