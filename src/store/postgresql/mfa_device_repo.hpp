#pragma once
#include "store/mfa_device_repository.hpp"
#include "store/postgresql/connection.hpp"

namespace atrium::store::postgresql {

class mfa_device_repo final : public mfa_device_repository {
 public:
  explicit mfa_device_repo(connection& c) : c_(c) {}
  result<std::vector<mfa_device_record>> list_for_user(const std::string& user_id) override;
  result<std::optional<mfa_device_record>> get(const std::string& id) override;
  result<std::optional<mfa_device_record>> find_by_credential(const std::string& credential_id) override;
  result<void> insert(const mfa_device_record& r) override;
  result<bool> rename(const std::string& id, const std::string& name) override;
  result<bool> remove(const std::string& id) override;
  result<bool> accept_totp_step(const std::string& id, int64_t step, sys_time when) override;
  result<bool> record_assertion(const std::string& id, int64_t sign_count, sys_time when) override;
  result<bool> flag(const std::string& id, sys_time when) override;

 private:
  result<std::vector<mfa_device_record>> select(const char* where, const std::string& value);
  result<bool> change(const char* sql, const std::string& id, int64_t a, int64_t b);
  connection& c_;
};

}  // namespace atrium::store::postgresql
