#pragma once
#include "store/oidc_repository.hpp"
#include "store/postgresql/connection.hpp"

namespace atrium::store::postgresql {

class oidc_repo final : public oidc_repository {
 public:
  explicit oidc_repo(connection& c) : c_(c) {}
  result<void> insert_client(const oidc_client_record& c) override;
  result<std::optional<oidc_client_record>> get_client(const std::string& id) override;
  result<void> insert_authorization(const oidc_authorization_record& a) override;
  result<std::optional<oidc_authorization_record>> get_authorization(const std::string& id) override;
  result<std::optional<oidc_authorization_record>> find_by_user_code(const std::string& user_code_hash) override;
  result<std::optional<oidc_authorization_record>> find_by_code(const std::string& code_hash) override;
  result<void> update_authorization(const oidc_authorization_record& a) override;
  result<void> insert_grant(const oidc_grant_record& g) override;
  result<std::optional<oidc_grant_record>> get_grant(const std::string& id) override;
  result<bool> remove_grant(const std::string& id) override;
  result<int64_t> count_grants_of_session(const std::string& session_id) override;
  result<void> insert_token(const oidc_token_record& t) override;
  result<std::optional<oidc_token_record>> get_token(const std::string& id) override;
  result<bool> use_token(const std::string& id, sys_time when) override;
  result<std::optional<oidc_attempts_record>> get_attempts(const std::string& key) override;
  result<void> put_attempts(const oidc_attempts_record& a) override;
  result<int64_t> remove_expired(sys_time now, sys_time attempts_before) override;

 private:
  result<std::optional<oidc_authorization_record>> authorization_where(const char* sql, const std::string& value);
  result<int64_t> delete_before(const char* sql, sys_time t);
  connection& c_;
};

}  // namespace atrium::store::postgresql
