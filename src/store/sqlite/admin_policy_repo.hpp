#pragma once
#include "store/admin_policy_repository.hpp"
#include "store/sqlite/connection.hpp"

namespace atrium::store::sqlite {

class admin_policy_repo final : public admin_policy_repository {
 public:
  explicit admin_policy_repo(connection& c) : c_(c) {}

 private:
  [[maybe_unused]] connection& c_;
};

}  // namespace atrium::store::sqlite
