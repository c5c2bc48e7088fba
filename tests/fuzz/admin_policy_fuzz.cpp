// libFuzzer target: delegated-administration policy documents (untrusted: attached by admins
// from files and, later, through APIs). Parses the input as a policy and, when it parses,
// evaluates it against a fixed set of requests with and without tags; the evaluator must
// neither crash nor take super-linear time on wildcard-heavy patterns.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "domain/admin_policy.hpp"

using namespace atrium;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  auto p = domain::parse_admin_policy(in);
  if (!p) return 0;
  std::vector<domain::admin_policy> ps{*p};
  const domain::policy_resource ps_arn{"arn:aws:sso:::permissionSet/ssoins-1111111111111111/ps-2222222222222222",
                                       {{"Environment", "Development"}, {"OU", "Test"}}};
  const domain::policy_resource account{"arn:aws:sso:::account/111111111111", {}};
  (void)domain::evaluate(ps, {"sso:CreateAccountAssignment", {ps_arn, account}, {{"Owner", "team-a"}}});
  (void)domain::evaluate(ps, {"identitystore:ListUsers", {}, {}});
  (void)domain::evaluate(ps, {"sso:ListInstances", {}, {}});
  return 0;
}
