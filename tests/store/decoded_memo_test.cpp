#include "store/decoded_memo.hpp"

#include <gtest/gtest.h>

#include <string>

namespace atrium::store {

namespace {

// Counts the decodes it does; "bad" fails.
struct counting_decoder {
  int calls = 0;
  result<std::string> operator()(std::string_view text) {
    ++calls;
    if (text == "bad") return fail(errc::internal, "corrupt document");
    return "decoded:" + std::string(text);
  }
};

}  // namespace

TEST(decoded_memo, a_text_is_decoded_once_and_a_changed_text_again) {
  decoded_memo<std::string> memo(1024);
  counting_decoder d;
  auto decode = [&](std::string_view t) { return d(t); };
  EXPECT_EQ(*memo.get(R"({"id":"a","version":1})", decode), R"(decoded:{"id":"a","version":1})");
  EXPECT_EQ(*memo.get(R"({"id":"a","version":1})", decode), R"(decoded:{"id":"a","version":1})");
  EXPECT_EQ(d.calls, 1);
  // An update writes a new text: never the old value.
  EXPECT_EQ(*memo.get(R"({"id":"a","version":2})", decode), R"(decoded:{"id":"a","version":2})");
  EXPECT_EQ(d.calls, 2);
}

TEST(decoded_memo, a_failed_decode_is_not_kept) {
  decoded_memo<std::string> memo(1024);
  counting_decoder d;
  auto decode = [&](std::string_view t) { return d(t); };
  EXPECT_FALSE(memo.get("bad", decode));
  EXPECT_FALSE(memo.get("bad", decode));
  EXPECT_EQ(d.calls, 2);
}

TEST(decoded_memo, it_starts_over_when_its_texts_exceed_the_bound_and_keeps_no_text_larger_than_it) {
  decoded_memo<std::string> memo(10);
  counting_decoder d;
  auto decode = [&](std::string_view t) { return d(t); };
  EXPECT_TRUE(memo.get("aaaaaa", decode));  // 6 bytes kept
  EXPECT_TRUE(memo.get("bbbbbb", decode));  // 12 > 10: starts over, keeps this one
  EXPECT_TRUE(memo.get("bbbbbb", decode));
  EXPECT_EQ(d.calls, 2);
  EXPECT_TRUE(memo.get("aaaaaa", decode));  // was dropped
  EXPECT_EQ(d.calls, 3);
  EXPECT_TRUE(memo.get("ccccccccccccccc", decode));  // larger than the bound: decoded every time
  EXPECT_TRUE(memo.get("ccccccccccccccc", decode));
  EXPECT_EQ(d.calls, 5);
}

}  // namespace atrium::store
