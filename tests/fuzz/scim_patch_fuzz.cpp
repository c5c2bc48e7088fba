// libFuzzer target: untrusted SCIM PATCH bodies (RFC 7644 §3.5.2) read and applied to a fixed
// user and a fixed group. A bare JSON array is also tried as the "Operations" of a PatchOp so
// that the fuzzer reaches apply_patch quickly. Must never crash, hang or throw.
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>

#include "proto/scim/patch.hpp"

using namespace atrium::proto::scim;
using nlohmann::json;

namespace {

const json& fixed_user() {
  static const json user = json::parse(R"({
    "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User",
                "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
    "id": "u-1", "userName": "bjensen", "name": {"givenName": "Barbara", "familyName": "Jensen"},
    "active": true, "emails": [{"value": "b@example.com", "type": "work", "primary": true}],
    "addresses": [{"type": "work", "locality": "Kent"}],
    "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"department": "Tour",
      "manager": {"value": "m-1", "displayName": "Boss"}},
    "meta": {"resourceType": "User", "version": "W/\"1\""}})");
  return user;
}

const json& fixed_group() {
  static const json group = json::parse(R"({
    "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "id": "g-1",
    "displayName": "Engineering", "meta": {"resourceType": "Group"}})");
  return group;
}

// The door writes details and documents into JSON responses: they must serialize (dump throws,
// and so crashes the fuzzer, on invalid UTF-8).
template <class T>
void check(const scim_result<T>& r) {
  if (!r) (void)json(r.error().detail).dump();
}

void run(const json& body) {
  auto ops = parse_patch_request(body, {.max_operations = 1000, .filter = {}});
  check(ops);
  if (!ops) return;
  json user = fixed_user();
  auto u = apply_patch(user, resource_kind::user, *ops);
  check(u);
  if (u) (void)user.dump();
  json group = fixed_group();
  auto g = apply_patch(group, resource_kind::group, *ops);
  check(g);
  if (g) (void)group.dump();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto j = json::parse(data, data + size, nullptr, false);
  if (j.is_discarded()) return 0;
  run(j);
  if (j.is_array())
    run(json{{"schemas", json::array({"urn:ietf:params:scim:api:messages:2.0:PatchOp"})}, {"Operations", j}});
  return 0;
}
