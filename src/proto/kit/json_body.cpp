#include "proto/kit/json_body.hpp"

#include "base/strings.hpp"

namespace atrium::proto {

bool media_type_is(const std::string* content_type, const std::vector<std::string_view>& types) {
  if (!content_type) return false;
  auto media = trim(std::string_view(*content_type).substr(0, content_type->find(';')));
  for (auto t : types)
    if (iequals_ascii(media, t)) return true;
  return false;
}

std::expected<nlohmann::json, body_problem> read_json_body(const request& req, const body_rules& rules) {
  if (rules.max_bytes != 0 && req.body.size() > rules.max_bytes) return std::unexpected(body_problem::too_large);
  if (rules.empty_is_object && req.body.empty()) return nlohmann::json::object();
  if (!rules.media_types.empty() && !media_type_is(req.header("Content-Type"), rules.media_types))
    return std::unexpected(body_problem::wrong_media_type);
  if (json_nesting_depth(req.body) > max_json_nesting) return std::unexpected(body_problem::too_deep);
  auto body = nlohmann::json::parse(req.body, nullptr, false);
  if (body.is_discarded() || !body.is_object()) return std::unexpected(body_problem::not_a_json_object);
  return body;
}

}  // namespace atrium::proto
