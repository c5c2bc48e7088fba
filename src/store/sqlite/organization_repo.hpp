#pragma once
#include "store/organization_repository.hpp"
#include "store/sqlite/connection.hpp"

namespace atrium::store::sqlite {

class organization_repo final : public organization_repository {
 public:
  explicit organization_repo(connection& c) : c_(c) {}

 private:
  [[maybe_unused]] connection& c_;
};

}  // namespace atrium::store::sqlite
