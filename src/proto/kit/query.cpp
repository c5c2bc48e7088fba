#include "proto/kit/query.hpp"

#include <algorithm>

#include "base/strings.hpp"

namespace atrium::proto {

std::optional<query_params> parse_query(const request& req, std::size_t max_bytes, std::size_t max_params) {
  query_params out;
  auto q = std::string_view(req.target);
  auto at = q.find('?');
  if (at == std::string_view::npos) return out;
  q.remove_prefix(at + 1);
  if (q.size() > max_bytes) return std::nullopt;
  for (auto part : split(q, '&')) {
    if (part.empty()) continue;
    if (out.size() == max_params) return std::nullopt;
    auto eq = part.find('=');
    auto name = url_decode(part.substr(0, eq));
    auto value = url_decode(eq == std::string_view::npos ? std::string_view{} : part.substr(eq + 1));
    if (!name || !value) return std::nullopt;
    out.emplace_back(std::move(*name), std::move(*value));
  }
  return out;
}

const std::string* query_value(const query_params& q, std::string_view name) {
  for (const auto& [k, v] : q)
    if (k == name) return &v;
  return nullptr;
}

bool query_repeats(const query_params& q, std::string_view name) {
  return std::count_if(q.begin(), q.end(), [&](const auto& p) { return p.first == name; }) > 1;
}

result<std::map<std::string, std::string>> form_fields(std::string_view body) {
  std::map<std::string, std::string> out;
  for (auto part : split(body, '&')) {
    if (part.empty()) continue;
    auto eq = part.find('=');
    auto key = url_decode(part.substr(0, eq));
    auto value = url_decode(eq == std::string_view::npos ? std::string_view{} : part.substr(eq + 1));
    if (!key || !value) return invalid("The form is not URL-encoded.");
    if (!out.emplace(std::move(*key), std::move(*value)).second) return invalid("A form field is given twice.");
  }
  return out;
}

}  // namespace atrium::proto
