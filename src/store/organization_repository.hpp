#pragma once
// Accounts, organizational units and the organization itself (issue 4 item 2).
// The interface is reached through transaction::organization(); store/sqlite implements it in
// organization_repo.cpp.
#include <optional>
#include <string>
#include <vector>

#include "base/result.hpp"

namespace atrium::store {

class organization_repository {
 public:
  virtual ~organization_repository() = default;
};

}  // namespace atrium::store
