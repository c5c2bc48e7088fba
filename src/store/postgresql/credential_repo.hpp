#pragma once
#include "store/credential_repository.hpp"
#include "store/postgresql/connection.hpp"

namespace atrium::store::postgresql {

class credential_repo final : public credential_repository {
 public:
  explicit credential_repo(connection& c) : c_(c) {}
  result<std::optional<password_record>> get_password(const std::string& user_id) override;
  result<int64_t> count_passwords() override;
  result<void> put_password(const password_record& r) override;
  result<void> insert_token(const one_time_token& t) override;
  result<std::optional<one_time_token>> find_token(std::string_view secret_hash) override;
  result<std::optional<one_time_token>> latest_token(const std::string& user_id, token_kind k) override;
  result<bool> mark_used(const std::string& token_id, sys_time at) override;
  result<void> count_attempt(const std::string& token_id) override;
  result<int64_t> remove_tokens(const std::string& user_id, token_kind k) override;
  result<int64_t> remove_expired(sys_time before) override;
  result<void> remove_all_for(const std::string& user_id) override;

 private:
  connection& c_;
};

}  // namespace atrium::store::postgresql
