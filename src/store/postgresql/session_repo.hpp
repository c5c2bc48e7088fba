#pragma once
#include "store/session_repository.hpp"
#include "store/postgresql/connection.hpp"

namespace atrium::store::postgresql {

class session_repo final : public session_repository {
 public:
  explicit session_repo(connection& c) : c_(c) {}
  result<void> insert_session(const session_record& s) override;
  result<std::optional<session_record>> get_session(const std::string& id) override;
  result<void> touch_session(const std::string& id, sys_time last_seen) override;
  result<bool> remove_session(const std::string& id) override;
  result<int64_t> remove_sessions_of(const std::string& user_id) override;
  result<int64_t> count_sessions_of(const std::string& user_id) override;
  result<void> insert_trusted_device(const trusted_device_record& d) override;
  result<std::optional<trusted_device_record>> get_trusted_device(const std::string& id) override;
  result<int64_t> remove_trusted_devices_of(const std::string& user_id) override;
  result<int64_t> count_trusted_devices_of(const std::string& user_id) override;
  result<int64_t> remove_expired(sys_time now) override;

 private:
  result<int64_t> changed(statement& s);
  result<int64_t> count(const char* sql, const std::string& user_id);
  connection& c_;
};

}  // namespace atrium::store::postgresql
