#pragma once
// A stored document decoded once per text (issue 15 item 9: the application of a SAML launch
// was decoded from its JSON on every launch, ~2% of the launch's CPU). The key is the whole
// stored text, so a changed document (any node's update) is a new key and is decoded afresh:
// nothing here can be stale, and nothing is state that other nodes would need to share — it
// is a memo of a pure function. Bounded by the texts' total size; when full it starts over.
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "base/result.hpp"

namespace atrium::store {

template <class T>
class decoded_memo {
 public:
  explicit decoded_memo(std::size_t max_text_bytes) : max_bytes_(max_text_bytes) {}

  // decode(text) -> result<T>; a failed decode is not kept (the error is returned every time).
  template <class Decode>
  result<T> get(std::string_view text, Decode&& decode) {
    std::shared_ptr<const T> known;
    {
      std::lock_guard lock(mu_);
      if (auto it = by_text_.find(text); it != by_text_.end()) known = it->second;
    }
    if (known) return *known;  // the copy is made outside the lock
    result<T> fresh = decode(text);
    if (!fresh || text.size() > max_bytes_) return fresh;
    auto kept = std::make_shared<const T>(*fresh);
    std::lock_guard lock(mu_);
    if (bytes_ + text.size() > max_bytes_) {
      by_text_.clear();
      bytes_ = 0;
    }
    if (by_text_.try_emplace(std::string(text), std::move(kept)).second) bytes_ += text.size();
    return fresh;
  }

 private:
  struct text_hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
  };
  std::mutex mu_;
  std::unordered_map<std::string, std::shared_ptr<const T>, text_hash, std::equal_to<>> by_text_;
  std::size_t bytes_ = 0;
  const std::size_t max_bytes_;
};

}  // namespace atrium::store
