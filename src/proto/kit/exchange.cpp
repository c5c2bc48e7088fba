#include "proto/kit/exchange.hpp"

#include "base/strings.hpp"

namespace atrium::proto {

const std::string* request::header(std::string_view name) const {
  for (const auto& [k, v] : headers)
    if (iequals_ascii(k, name)) return &v;
  return nullptr;
}

std::string_view request::path() const { return std::string_view(target).substr(0, target.find('?')); }

std::string cookie_value(const request& req, std::string_view name) {
  for (const auto& [k, v] : req.headers) {
    if (!iequals_ascii(k, "cookie")) continue;
    for (auto part : split(v, ';')) {
      auto kv = trim(part);
      auto eq = kv.find('=');
      if (eq == std::string_view::npos) continue;
      if (trim(kv.substr(0, eq)) == name) return std::string(trim(kv.substr(eq + 1)));
    }
  }
  return {};
}

}  // namespace atrium::proto
