// The SAX reader of stored users and groups (codec_reader.hpp) against the DOM decoder: the same
// value, or the same error, for every document; and the reader really reads the shapes the
// encoder writes (else the fast path would silently never run).
#include "store/codec_reader.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "store/codec.hpp"
#include "store/plain_json.hpp"

namespace atrium::store {

namespace {

domain::user every_field_user() {
  domain::user u;
  u.id = "u1";
  u.user_name = "Zoë \"q\" \\ \t/ é 😀";
  u.external_ids = {{"okta", "00u1"}, {"azure", "a-1"}, {"", ""}};
  u.user_name_parts = domain::name{"Dr Alice B Liddell", "Liddell", "Alice", "B", "Dr", "PhD"};
  u.display_name = "Alice\nL";
  u.nick_name = "al";
  u.profile_url = "https://example.com/al";
  u.user_type = "Employee";
  u.title = "Engineer";
  u.preferred_language = "en-GB";
  u.locale = "en_GB";
  u.timezone = "Europe/London";
  u.emails = {domain::email{"alice@example.com", "work", true}};
  u.addresses = {domain::address{"1 Main", "Town", "R", "123", "US", "1 Main, Town", "home", false}};
  u.phone_numbers = {domain::phone_number{"+1 555 0100", "mobile", std::nullopt}};
  u.enterprise_ext = domain::enterprise{"E1", "CC", "Org", "Div", "R&D", "u0"};
  u.active = false;
  u.version = 9;
  u.stamp = {from_epoch_millis(1700000000123), "arn:aws:iam::1:user/a", from_epoch_millis(1700000000456),
             "scim-token", domain::door::console, domain::door::scim};
  return u;
}

domain::user sparse_user() {
  domain::user u;
  u.id = "u2";
  u.user_name = "n";
  u.display_name = "";
  u.user_name_parts = domain::name{};
  u.emails = {domain::email{"e@x.io", std::nullopt, false}, domain::email{}};
  u.enterprise_ext = domain::enterprise{};
  return u;
}

// PostgreSQL's jsonb gives the text back reordered and spaced: the reader must not care.
std::string as_jsonb_would(const std::string& doc) {
  auto j = nlohmann::json::parse(doc);
  std::string out = "{";
  for (auto it = j.rbegin(); it != j.rend(); ++it)
    out += (out.size() > 1 ? ", " : "") + nlohmann::json(it.key()).dump() + ": " + it.value().dump(1);
  return out + "}";
}

template <class T, class Encode>
void expect_same(const result<T>& fast, const result<T>& dom, Encode encode, const std::string& doc) {
  ASSERT_EQ(fast.has_value(), dom.has_value()) << doc;
  if (fast) {
    EXPECT_EQ(encode(*fast), encode(*dom)) << doc;
  } else {
    EXPECT_EQ(fast.error().code, dom.error().code) << doc;
    EXPECT_EQ(fast.error().message, dom.error().message) << doc;
  }
}

void expect_same_user(const std::string& doc) {
  expect_same(decode_user(doc), detail::decode_user_dom(doc), encode_user, doc);
}
void expect_same_group(const std::string& doc) {
  expect_same(decode_group(doc), detail::decode_group_dom(doc), encode_group, doc);
}

}  // namespace

TEST(codec_reader, reads_what_the_encoder_writes_as_the_dom_decoder_does) {
  domain::group g;
  g.id = "g";
  g.display_name = "Ops \u00e9 \"x\"";
  g.description = "on call";
  g.external_ids = {{"azure", "x"}};
  g.version = 7;
  g.stamp.created_at = from_epoch_millis(42);
  g.stamp.updated_via = domain::door::cli;
  domain::group bare;
  bare.id = "b";
  bare.display_name = "B";
  domain::user plain;
  plain.id = "u3";
  plain.user_name = "m";
  for (const auto& u : {every_field_user(), sparse_user(), plain}) {
    for (const auto& doc : {encode_user(u), as_jsonb_would(encode_user(u))}) {
      EXPECT_TRUE(detail::read_user_fast(doc)) << "the fast path must read " << doc;
      expect_same_user(doc);
    }
  }
  for (const auto& gr : {g, bare})
    for (const auto& doc : {encode_group(gr), as_jsonb_would(encode_group(gr))}) {
      EXPECT_TRUE(detail::read_group_fast(doc)) << "the fast path must read " << doc;
      expect_same_group(doc);
    }
}

TEST(codec_reader, minimal_documents_escapes_and_unknown_members) {
  const std::string readable[] = {
      R"({"id":"u","user_name":"n"})",
      R"({"user_name":"\u00e9\ud83d\ude00\n\"\\\/\u0000x","id":"\u0075"})",
      R"({"id":"u","user_name":"n","future":{"a":[1,{"b":null}],"c":[[],{}]},"other":null,"f":1.5,"t":true})",
      R"({"id":"u","user_name":"n","emails":[{"value":"x","extra":[1,2],"primary":true}],"stamp":{"created_at":5,"zone":"x"}})",
      R"({"id":"u","user_name":"n","name":{"given_name":"A","nick":{}},"enterprise":{"manager":"m","x":[null]}})",
      R"({"id":"u","user_name":"n","external_ids":[{"issuer":"i"},{"id":"d","more":1},{}],"emails":[],"addresses":[{}]})",
      R"({"id":"u","user_name":"n","version":18446744073709551615,"stamp":{"updated_at":-1,"updated_via":"scim"}})",
      " \n{ \"id\" : \"u\" ,\t\"user_name\" : \"n\" } \n",
  };
  for (const auto& doc : readable) {
    EXPECT_TRUE(detail::read_user_fast(doc)) << doc;
    expect_same_user(doc);
  }
  EXPECT_TRUE(detail::read_group_fast(R"({"display_name":"G","id":"g","members":[1,2],"description":"\u00e9"})"));
  expect_same_group(R"({"display_name":"G","id":"g","members":[1,2],"description":"\u00e9"})");
}

// Shapes the encoder never writes go to the DOM decoder, whose lenient reading (or error) is the
// answer: the fast path declines them rather than guess.
TEST(codec_reader, other_shapes_and_errors_are_the_dom_decoders) {
  const std::string users[] = {
      R"({"id":"u","user_name":"n","display_name":null})",
      R"({"id":"u","user_name":"n","display_name":5,"title":"t"})",
      R"({"id":"u","user_name":"n","name":5})",
      R"({"id":"u","user_name":"n","name":null,"enterprise":[]})",
      R"({"id":"u","user_name":"n","emails":"abc"})",
      R"({"id":"u","user_name":"n","emails":{"k2":{"value":"b"},"k1":{"value":"a"}}})",
      R"({"id":"u","user_name":"n","emails":null})",
      R"({"id":"u","user_name":"n","emails":[{"primary":"yes"}]})",
      R"({"id":"u","user_name":"n","external_ids":{"a":1}})",
      R"({"id":"u","user_name":"n","version":2.7,"active":true})",
      R"({"id":"u","user_name":"n","version":true})",
      R"({"id":"u","user_name":"n","active":null})",
      R"({"id":"u","user_name":"n","id":"v"})",
      R"({"id":"u","user_name":"n","stamp":{"created_by":"a","created_by":"b"}})",
      R"({"id":"u","user_name":"n","stamp":{"created_at":1.9}})",
      R"({"id":"u","user_name":"n","stamp":{"created_via":"carrier-pigeon"}})",
      R"({"id":"u","user_name":"n","stamp":[]})",
      R"({"id":"u","user_name":"n","stamp":null})",
      R"({"id":"u","user_name":"n","external_ids":[5]})",
      R"({"id":"u","user_name":"n","active":"yes"})",
      R"({"id":5,"user_name":"n"})",
      R"({"id":"u"})",
      R"(["id","u"])",
      R"("u")",
      "{\"id\":\"u\",\"user_name\":\"\xff\"}",
      R"({"id":"u","user_name":"n"} x)",
      R"({"id":"u","user_name":"n")",
      "",
  };
  for (const auto& doc : users) {
    EXPECT_FALSE(detail::read_user_fast(doc)) << doc;
    expect_same_user(doc);
  }
  const std::string groups[] = {
      R"({"id":"g","display_name":"G","version":"2"})",
      R"({"id":"g","display_name":"G","description":null})",
      R"({"id":"g","display_name":"G","display_name":"H"})",
      R"({"id":"g","user_name":"G"})",
  };
  for (const auto& doc : groups) {
    EXPECT_FALSE(detail::read_group_fast(doc)) << doc;
    expect_same_group(doc);
  }
}

// The plain reader says what nlohmann's SAX parser says (the same callbacks, same values) for
// every text it reads, and leaves every other text to nlohmann.
namespace {

struct recorder {
  std::string log;
  bool null() { return log += "n;", true; }
  bool boolean(bool v) { return log += v ? "t;" : "f;", true; }
  bool number_integer(std::int64_t v) { return log += "i" + std::to_string(v) + ";", true; }
  bool number_unsigned(std::uint64_t v) { return log += "u" + std::to_string(v) + ";", true; }
  bool number_float(double, const std::string& s) { return log += "d" + s + ";", true; }
  bool string(std::string& v) { return log += "s" + std::to_string(v.size()) + ":" + v + ";", true; }
  bool binary(nlohmann::json::binary_t&) { return false; }
  bool start_object(std::size_t) { return log += "{", true; }
  bool key(std::string& k) { return log += "k" + std::to_string(k.size()) + ":" + k + ";", true; }
  bool end_object() { return log += "}", true; }
  bool start_array(std::size_t) { return log += "[", true; }
  bool end_array() { return log += "]", true; }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) { return false; }
};

}  // namespace

TEST(plain_json, reads_as_nlohmann_reads_or_leaves_the_text_to_it) {
  const std::string plain[] = {
      R"({"a":"b","c":[1,-2,0,-0,true,false,null,{}],"d":{"e":[]}})",
      " {\"x\" :\t\"\\\"\\/\\b\\f\\n\\r\\t\\\\\"\r\n} ",
      "\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\x7f\"",
      "999999999999999999",
      "-999999999999999999",
      "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]",
  };
  for (const auto& t : plain) {
    recorder a, b;
    ASSERT_EQ(plain_json_reader<recorder>(t, a).run(), plain_parse::ok) << t;
    ASSERT_TRUE(nlohmann::json::sax_parse(t, &b)) << t;
    EXPECT_EQ(a.log, b.log) << t;
  }
  const std::string other[] = {
      "", " ", "{", R"({"a":1,})", "[1,]", "01", "1.5", "1e3", "-", "--1", "1 2", "tru", "nul", "[]]",
      "1000000000000000000", R"("\u00e9")", R"("\x")", "\"a\x01\"", "\"\xc0\xaf\"", "\"\xed\xa0\x80\"",
      "\"\xf4\x90\x80\x80\"", "\"\xe2\x82\"", "\xef\xbb\xbf{}", R"({"a" 1})", R"({1:2})", "{}x",
      "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]",
  };
  for (const auto& t : other) {
    recorder a;
    EXPECT_EQ(plain_json_reader<recorder>(t, a).run(), plain_parse::not_plain) << t;
  }
}

}  // namespace atrium::store
