#include "base/json_text.hpp"

namespace atrium {

std::string to_json_text(const nlohmann::json& v) {
  return v.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string ordered_to_json_text(const nlohmann::ordered_json& v) {
  return v.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

nlohmann::json from_json_text(std::string_view text) {
  if (text.empty()) return nullptr;
  auto v = nlohmann::json::parse(text, nullptr, false);
  return v.is_discarded() ? nlohmann::json(nullptr) : v;
}

nlohmann::ordered_json ordered_from_json_text(std::string_view text) {
  if (text.empty()) return nullptr;
  auto v = nlohmann::ordered_json::parse(text, nullptr, false);
  return v.is_discarded() ? nlohmann::ordered_json(nullptr) : v;
}

}  // namespace atrium
