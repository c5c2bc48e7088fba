#pragma once
#include "store/external_idp_repository.hpp"
#include "store/postgresql/connection.hpp"

namespace atrium::store::postgresql {

class external_idp_repo final : public external_idp_repository {
 public:
  explicit external_idp_repo(connection& c) : c_(c) {}
  result<void> insert(const external_idp_record& r) override;
  result<bool> update(const external_idp_record& r) override;
  result<std::optional<external_idp_record>> get(const std::string& id) override;
  result<std::vector<external_idp_record>> list() override;
  result<std::optional<std::string>> idp_of_domain(const std::string& domain) override;
  result<bool> remove(const std::string& id) override;
  result<void> put_request(const sp_request_record& r) override;
  result<std::optional<sp_request_record>> take_request(const std::string& request_id, const std::string& browser_hash,
                                                        sys_time now) override;
  result<void> use_assertion(const std::string& issuer, const std::string& assertion_id, sys_time expires_at) override;
  result<void> put_session_attributes(const std::string& session_id, const std::string& idp_id,
                                      const std::string& attributes_json) override;
  result<std::optional<std::string>> session_attributes(const std::string& session_id) override;
  result<int64_t> remove_expired(sys_time now) override;
  result<void> remove_all() override;
  result<configuration_counts> remove_configuration() override;

 private:
  result<void> put_domains(const external_idp_record& r);
  result<void> load_domains(external_idp_record& r);
  connection& c_;
};

}  // namespace atrium::store::postgresql
