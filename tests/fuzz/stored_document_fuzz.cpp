// libFuzzer target: the stored user and group documents (issue 18 item 1). The fast decoders
// (store/codec_reader.hpp) must give what the DOM decoder gives, value or error, for every text,
// and the plain reader under them (store/plain_json.hpp) must either leave a text to nlohmann or
// make exactly nlohmann's SAX callbacks; a difference aborts.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "store/codec.hpp"
#include "store/codec_reader.hpp"
#include "store/plain_json.hpp"

using namespace atrium;

namespace {

template <class T, class Encode>
void same(const result<T>& a, const result<T>& b, Encode encode) {
  if (a.has_value() != b.has_value()) std::abort();
  if (a && encode(*a) != encode(*b)) std::abort();
  if (!a && (a.error().code != b.error().code || a.error().message != b.error().message)) std::abort();
}

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

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  same(store::decode_user(in), store::detail::decode_user_dom(in), store::encode_user);
  same(store::decode_group(in), store::detail::decode_group_dom(in), store::encode_group);
  recorder plain, reference;
  if (store::plain_json_reader<recorder>(in, plain).run() == store::plain_parse::ok &&
      (!nlohmann::json::sax_parse(in, &reference) || plain.log != reference.log))
    std::abort();
  return 0;
}
