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
  result<std::vector<console_policy_record>> list_console() override;
  result<std::vector<console_policy_record>> list_console_for(
      const std::vector<std::pair<std::string, std::string>>& principals) override;
  result<void> attach_console(const console_policy_record& r) override;
  result<bool> detach_console(const std::string& principal_type, const std::string& principal_id,
                              const std::string& name) override;

 private:
  connection& c_;
};

}  // namespace atrium::store::postgresql
