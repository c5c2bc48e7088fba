// libFuzzer target: untrusted JSON bodies through every identitystore request reader.
// Must never crash, hang or leak; errors are values.
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>

#include "proto/aws/identitystore_shapes.hpp"
#include "proto/kit/attribute_json.hpp"

using namespace atrium;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto j = nlohmann::json::parse(data, data + size, nullptr, false);
  if (j.is_discarded()) return 0;
  (void)proto::aws::user_from_request(j);
  (void)proto::aws::group_from_request(j);
  (void)proto::aws::attribute_operations(j);
  (void)proto::aws::alternate_identifier(j);
  (void)proto::aws::max_results(j);
  (void)proto::aws::member_user_id(j);
  static constexpr std::string_view kept[] = {"IdentityStoreId", "UserId"};
  (void)proto::aws::audit_parameters(j, kept);
  domain::user u;
  if (j.is_object())
    for (auto it = j.begin(); it != j.end(); ++it)
      (void)proto::apply_user_attribute(u, it.key(), &it.value());
  return 0;
}
