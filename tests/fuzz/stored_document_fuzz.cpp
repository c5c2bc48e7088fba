// libFuzzer target: the stored user and group documents (issue 18 item 1). The SAX reader
// (store/codec_reader.hpp) must give what the DOM decoder gives, value or error, for every text;
// a difference aborts. Stored texts are written by this binary, but a reader of untrusted bytes
// must still neither crash nor disagree.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "store/codec.hpp"
#include "store/codec_reader.hpp"

using namespace atrium;

namespace {

template <class T, class Encode>
void same(const result<T>& a, const result<T>& b, Encode encode) {
  if (a.has_value() != b.has_value()) std::abort();
  if (a && encode(*a) != encode(*b)) std::abort();
  if (!a && (a.error().code != b.error().code || a.error().message != b.error().message)) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  same(store::decode_user(in), store::detail::decode_user_dom(in), store::encode_user);
  same(store::decode_group(in), store::detail::decode_group_dom(in), store::encode_group);
  return 0;
}
