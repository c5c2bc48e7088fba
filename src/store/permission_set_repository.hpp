#pragma once
// Permission sets with their policies, boundary and tags, and the instance (issue 4 item 3).
// The interface is reached through transaction::permission_sets(); store/sqlite implements it in
// permission_set_repo.cpp.
#include <optional>
#include <string>
#include <vector>

#include "base/result.hpp"

namespace atrium::store {

class permission_set_repository {
 public:
  virtual ~permission_set_repository() = default;
};

}  // namespace atrium::store
