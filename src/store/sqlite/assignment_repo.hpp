#pragma once
#include "store/assignment_repository.hpp"
#include "store/sqlite/connection.hpp"

namespace atrium::store::sqlite {

class assignment_repo final : public assignment_repository {
 public:
  explicit assignment_repo(connection& c) : c_(c) {}

 private:
  [[maybe_unused]] connection& c_;
};

}  // namespace atrium::store::sqlite
