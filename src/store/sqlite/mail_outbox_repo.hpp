#pragma once
#include "store/mail_outbox_repository.hpp"
#include "store/sqlite/connection.hpp"

namespace atrium::store::sqlite {

class mail_outbox_repo final : public mail_outbox_repository {
 public:
  explicit mail_outbox_repo(connection& c) : c_(c) {}
  result<void> enqueue(const outbox_message& m) override;
  result<std::vector<outbox_message>> take(const std::string& owner, sys_time now, sys_time lease_until,
                                           int64_t limit) override;
  result<bool> remove(const std::string& id, const std::string& owner) override;
  result<bool> retry_later(const std::string& id, const std::string& owner, sys_time next_attempt_at) override;
  result<int64_t> count() override;

 private:
  connection& c_;
};

}  // namespace atrium::store::sqlite
