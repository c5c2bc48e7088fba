// libFuzzer target: untrusted SCIM filters (RFC 7644 §3.4.2.2) and PATCH paths (§3.5.2), parsed
// and, when they parse, evaluated against a fixed user. Must never crash, hang, throw or recurse
// without bound; errors are values.
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string_view>

#include "proto/scim/filter.hpp"

using namespace atrium::proto::scim;

namespace {

const nlohmann::json& fixed_user() {
  static const nlohmann::json user = nlohmann::json::parse(R"({
    "userName": "bjensen", "name": {"familyName": "Jensen", "givenName": "Barbara"},
    "active": true, "emails": [{"value": "b@example.com", "type": "work", "primary": true}, "plain"],
    "meta": {"lastModified": "2011-05-13T04:42:34Z"}, "n": 5,
    "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"manager": {"value": "m-1"}}})");
  return user;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto exact = [](std::string_view name) { return name.size() % 2 == 0; };
  // Default limits, then limits wide enough that the depth limit, not the length, has to stop it.
  for (const filter_limits& lim : {filter_limits{}, filter_limits{.max_length = size, .max_depth = 32}}) {
    if (auto f = parse_filter(text, lim); f && *f) {
      (void)matches(**f, fixed_user(), exact);
      (void)matches(**f, fixed_user()["emails"][0], {});
    } else if (!f) {
      (void)nlohmann::json(f.error().detail).dump();  // throws (a crash here) unless valid UTF-8
    }
    if (auto p = parse_patch_path(text, lim); p && p->value_filter)
      (void)matches(*p->value_filter, fixed_user()["emails"][0], exact);
    else if (!p)
      (void)nlohmann::json(p.error().detail).dump();
  }
  return 0;
}
