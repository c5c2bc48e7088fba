#pragma once
// Where delegated administration reads the Organizations ARNs of the roots, OUs and accounts a
// call names (the service authorization reference, "Resource types defined by AWS
// Organizations": root/o-…/r-…, ou/o-…/ou-…, account/o-…/<id>), so that a policy can allow the
// organizations reads on one OU and its accounts (the user guide's OU-based delegation).
// Implemented over the organization store (organization_resources); unit tests use a fake.
#include <optional>
#include <string>

#include "base/result.hpp"

namespace atrium::service {

class org_resource_source {
 public:
  virtual ~org_resource_source() = default;
  // The ARN of a root (r-…), an OU (ou-…) or an account (12 digits); nullopt before the
  // organization exists or for any other id (the operation itself refuses those).
  virtual result<std::optional<std::string>> arn_of(const std::string& id) = 0;
};

}  // namespace atrium::service
