#pragma once
#include "store/permission_set_repository.hpp"
#include "store/postgresql/connection.hpp"

namespace atrium::store::postgresql {

class permission_set_repo final : public permission_set_repository {
 public:
  explicit permission_set_repo(connection& c) : c_(c) {}

  result<std::optional<instance_record>> instance(const std::string& id) override;
  result<void> put_instance(const instance_record& r) override;
  result<std::optional<domain::permission_set>> get(const std::string& arn) override;
  result<void> insert(const domain::permission_set& ps) override;
  result<bool> update(const domain::permission_set& ps) override;
  result<bool> remove(const std::string& arn) override;
  result<page<domain::permission_set>> list(const page_request& p) override;
  result<int64_t> count() override;

 private:
  connection& c_;
};

}  // namespace atrium::store::postgresql
