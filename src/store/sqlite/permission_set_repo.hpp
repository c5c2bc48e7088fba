#pragma once
#include "store/permission_set_repository.hpp"
#include "store/sqlite/connection.hpp"

namespace atrium::store::sqlite {

class permission_set_repo final : public permission_set_repository {
 public:
  explicit permission_set_repo(connection& c) : c_(c) {}

 private:
  [[maybe_unused]] connection& c_;
};

}  // namespace atrium::store::sqlite
