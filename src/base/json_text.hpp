#pragma once
// JSON that crosses a layer as text. The service layer's interfaces carry no JSON library
// type: a door serialises what CloudTrail's requestParameters should hold before the call, a use
// case serialises its responseElements in its .cpp, and the auditor parses both once to write
// the record. Invalid UTF-8 becomes U+FFFD (as the record's own dump does), never an exception.
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>

namespace atrium {

// The compact text of `v` ("null" for null).
std::string to_json_text(const nlohmann::json& v);
std::string ordered_to_json_text(const nlohmann::ordered_json& v);  // members in their order
// The value of `text`; null when it is empty or not JSON.
nlohmann::json from_json_text(std::string_view text);
nlohmann::ordered_json ordered_from_json_text(std::string_view text);

// Wraps a function that renders a value as JSON (or nullptr) into one that renders it as text:
// the responseElements argument of service::audited_store::write.
template <class F>
auto json_text_of(F f) {
  return [f = std::move(f)](const auto& v) { return to_json_text(nlohmann::json(f(v))); };
}

}  // namespace atrium
