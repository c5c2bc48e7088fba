#pragma once
#include "store/admin_policy_repository.hpp"
#include "store/postgresql/connection.hpp"

namespace atrium::store::postgresql {

class admin_policy_repo final : public admin_policy_repository {
 public:
  explicit admin_policy_repo(connection& c) : c_(c) {}
  result<std::vector<key_policy_record>> list_for_key(const std::string& access_key_id) override;
  result<void> attach(const key_policy_record& r) override;
  result<bool> detach(const std::string& access_key_id, const std::string& name) override;

 private:
  connection& c_;
};

}  // namespace atrium::store::postgresql
