#include "crypto/cbor.hpp"

#include <vector>

namespace atrium::crypto::cbor {

namespace {

// Reads one head (RFC 8949 §3): major type, and the argument (a length, a count or a value).
struct head {
  int major = 0;
  uint64_t arg = 0;
  std::size_t size = 0;  // bytes of the head itself
};

result<head> read_head(std::string_view d, std::size_t at) {
  if (at >= d.size()) return fail(errc::validation, "CBOR data ends early.");
  auto b = static_cast<unsigned char>(d[at]);
  head h{b >> 5, 0, 1};
  unsigned info = b & 0x1f;
  if (info < 24) {
    h.arg = info;
    return h;
  }
  if (info > 27) return fail(errc::validation, "CBOR indefinite lengths and reserved values are not accepted.");
  std::size_t n = std::size_t{1} << (info - 24);
  if (d.size() - at - 1 < n) return fail(errc::validation, "CBOR data ends early.");
  for (std::size_t k = 0; k < n; ++k) h.arg = (h.arg << 8) | static_cast<unsigned char>(d[at + 1 + k]);
  h.size = 1 + n;
  return h;
}

}  // namespace

result<std::size_t> item_length(std::string_view d, const limits& l) {
  // An explicit stack of "items still to read" per open array/map: no recursion here.
  std::vector<uint64_t> pending{1};
  std::size_t at = 0, items = 0;
  while (!pending.empty()) {
    if (pending.back() == 0) {
      pending.pop_back();
      continue;
    }
    --pending.back();
    if (++items > l.max_items) return fail(errc::validation, "CBOR data has too many items.");
    auto h = read_head(d, at);
    if (!h) return std::unexpected(h.error());
    at += h->size;
    switch (h->major) {
      case 0: case 1: case 7:  // integers, simple values and floats: the head is all
        break;
      case 2: case 3:  // byte and text strings
        if (h->arg > d.size() - at) return fail(errc::validation, "CBOR data ends early.");
        at += static_cast<std::size_t>(h->arg);
        break;
      case 4: case 5: {  // arrays, maps (two items per entry)
        if (pending.size() > l.max_depth) return fail(errc::validation, "CBOR data is nested too deeply.");
        if (h->arg > l.max_items) return fail(errc::validation, "CBOR data has too many items.");
        pending.push_back(h->major == 4 ? h->arg : h->arg * 2);
        break;
      }
      case 6:  // a tag applies to the next item
        if (pending.size() > l.max_depth) return fail(errc::validation, "CBOR data is nested too deeply.");
        pending.push_back(1);
        break;
    }
  }
  return at;
}

item& item::operator=(item&& o) noexcept {
  if (this != &o) {
    if (i_) cbor_decref(&i_);
    i_ = o.i_;
    o.i_ = nullptr;
  }
  return *this;
}

item::~item() {
  if (i_) cbor_decref(&i_);
}

result<item> decode(std::string_view data, std::size_t* used, const limits& l) {
  auto len = item_length(data, l);
  if (!len) return std::unexpected(len.error());
  cbor_load_result res{};
  item out(cbor_load(reinterpret_cast<cbor_data>(data.data()), *len, &res));
  if (!out.get() || res.error.code != CBOR_ERR_NONE) return fail(errc::validation, "CBOR data is malformed.");
  if (used) *used = res.read;
  return out;
}

cbor_item_t* map_get(cbor_item_t* map, std::string_view key) {
  if (!map || !cbor_isa_map(map)) return nullptr;
  auto* pairs = cbor_map_handle(map);
  for (std::size_t k = 0; k < cbor_map_size(map); ++k) {
    auto t = text(pairs[k].key);
    if (t && *t == key) return pairs[k].value;
  }
  return nullptr;
}

cbor_item_t* map_get(cbor_item_t* map, int64_t key) {
  if (!map || !cbor_isa_map(map)) return nullptr;
  auto* pairs = cbor_map_handle(map);
  for (std::size_t k = 0; k < cbor_map_size(map); ++k) {
    auto v = integer(pairs[k].key);
    if (v && *v == key) return pairs[k].value;
  }
  return nullptr;
}

std::optional<std::string> bytes(cbor_item_t* i) {
  if (!i || !cbor_isa_bytestring(i) || !cbor_bytestring_is_definite(i)) return std::nullopt;
  return std::string(reinterpret_cast<const char*>(cbor_bytestring_handle(i)), cbor_bytestring_length(i));
}

std::optional<std::string> text(cbor_item_t* i) {
  if (!i || !cbor_isa_string(i) || !cbor_string_is_definite(i)) return std::nullopt;
  return std::string(reinterpret_cast<const char*>(cbor_string_handle(i)), cbor_string_length(i));
}

std::optional<int64_t> integer(cbor_item_t* i) {
  if (!i) return std::nullopt;
  if (cbor_isa_uint(i)) {
    uint64_t v = cbor_get_int(i);
    if (v > static_cast<uint64_t>(INT64_MAX)) return std::nullopt;
    return static_cast<int64_t>(v);
  }
  if (cbor_isa_negint(i)) {
    uint64_t v = cbor_get_int(i);  // the value is -1 - v
    if (v > static_cast<uint64_t>(INT64_MAX)) return std::nullopt;
    return -1 - static_cast<int64_t>(v);
  }
  return std::nullopt;
}

}  // namespace atrium::crypto::cbor
