#pragma once
// Account assignments, asynchronous request status records and provisioned (account, permission set) state (issue 4 items 4-5).
// The interface is reached through transaction::assignments(); store/sqlite implements it in
// assignment_repo.cpp.
#include <optional>
#include <string>
#include <vector>

#include "base/result.hpp"

namespace atrium::store {

class assignment_repository {
 public:
  virtual ~assignment_repository() = default;
};

}  // namespace atrium::store
