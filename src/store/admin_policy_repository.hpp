#pragma once
// IAM-style policies attached to admin access keys (delegated administration, issue 4 item 7).
// The interface is reached through transaction::admin_policies(); store/sqlite implements it in
// admin_policy_repo.cpp.
#include <optional>
#include <string>
#include <vector>

#include "base/result.hpp"

namespace atrium::store {

class admin_policy_repository {
 public:
  virtual ~admin_policy_repository() = default;
};

}  // namespace atrium::store
