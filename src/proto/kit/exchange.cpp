#include "proto/kit/exchange.hpp"

#include "base/strings.hpp"

namespace atrium::proto {

const std::string* request::header(std::string_view name) const {
  for (const auto& [k, v] : headers)
    if (iequals_ascii(k, name)) return &v;
  return nullptr;
}

std::string_view request::path() const { return std::string_view(target).substr(0, target.find('?')); }

}  // namespace atrium::proto
