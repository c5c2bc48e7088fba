#pragma once
// Request bodies as JSON objects, read the same way by every door: a size limit, the media
// type, a nesting-depth check before the parser runs (nlohmann's parser recurses; a body of
// 100,000 '[' would exhaust the stack), and "an object, nothing else". Each door words the
// problem in its own error shape.
#include <cstddef>
#include <expected>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <string_view>
#include <vector>

#include "proto/kit/exchange.hpp"

namespace atrium::proto {

enum class body_problem {
  too_large,          // over body_rules::max_bytes
  wrong_media_type,   // Content-Type is not one of body_rules::media_types
  too_deep,           // nests deeper than max_json_nesting (base/strings.hpp)
  not_a_json_object,  // not JSON, or JSON but not an object
};

struct body_rules {
  std::size_t max_bytes = 0;             // 0: the HTTP layer's limit is the only one
  std::vector<std::string_view> media_types;  // empty: any Content-Type (or none)
  bool empty_is_object = false;          // an empty body reads as {} (AWS JSON, the portal)
};

// Checks in this order: size, empty body (when empty_is_object), media type, depth, parse.
std::expected<nlohmann::json, body_problem> read_json_body(const request& req, const body_rules& rules);

// The media type of a Content-Type value (before ';', trimmed) is one of `types`,
// case-insensitively.
bool media_type_is(const std::string* content_type, const std::vector<std::string_view>& types);

}  // namespace atrium::proto
