#pragma once
// A small, bounded view over libcbor for WebAuthn's CBOR (attestation objects, COSE keys).
// Input is untrusted: before libcbor sees it, a structural pass refuses indefinite lengths
// (CTAP2's canonical encoding has none, WebAuthn L2 §6.5), nesting deeper than `max_depth`
// (libcbor frees nested items recursively) and more than `max_items` items.
#include <cbor.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.hpp"

namespace atrium::crypto::cbor {

struct limits {
  std::size_t max_depth = 8;
  std::size_t max_items = 512;
};

// The byte length of the first complete data item of `data`, or an error when it is not one
// well-formed, bounded, definite-length item.
result<std::size_t> item_length(std::string_view data, const limits& l = {});

// Owns one decoded item.
class item {
 public:
  item() = default;
  explicit item(cbor_item_t* i) : i_(i) {}
  item(item&& o) noexcept : i_(o.i_) { o.i_ = nullptr; }
  item& operator=(item&& o) noexcept;
  item(const item&) = delete;
  item& operator=(const item&) = delete;
  ~item();
  cbor_item_t* get() const { return i_; }

 private:
  cbor_item_t* i_ = nullptr;
};

// Decodes exactly the first item of `data` (checked by item_length first); `used` gets its size.
result<item> decode(std::string_view data, std::size_t* used = nullptr, const limits& l = {});

// Lookups on a borrowed item; nullptr/nullopt when absent or of another type.
cbor_item_t* map_get(cbor_item_t* map, std::string_view text_key);
cbor_item_t* map_get(cbor_item_t* map, int64_t int_key);
std::optional<std::string> bytes(cbor_item_t* i);
std::optional<std::string> text(cbor_item_t* i);
std::optional<int64_t> integer(cbor_item_t* i);  // unsigned or negative, within int64

}  // namespace atrium::crypto::cbor
