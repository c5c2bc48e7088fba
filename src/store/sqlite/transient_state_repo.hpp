#pragma once
#include "store/sqlite/connection.hpp"
#include "store/transient_state_repository.hpp"

namespace atrium::store::sqlite {

class transient_state_repo final : public transient_state_repository {
 public:
  explicit transient_state_repo(connection& c) : c_(c) {}
  result<std::optional<transient_record>> get(const std::string& kind, const std::string& key, sys_time now) override;
  result<int64_t> put(const transient_record& r, sys_time now) override;
  result<bool> update(const transient_record& r, int64_t expected_version, sys_time now) override;
  result<bool> remove(const std::string& kind, const std::string& key,
                      std::optional<int64_t> expected_version) override;
  result<int64_t> remove_expired(sys_time now, int64_t limit) override;
  result<int64_t> count(const std::string& kind, sys_time now) override;

 private:
  connection& c_;
};

}  // namespace atrium::store::sqlite
