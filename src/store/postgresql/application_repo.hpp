#pragma once
#include "store/application_repository.hpp"
#include "store/postgresql/connection.hpp"

namespace atrium::store::postgresql {

class application_repo final : public application_repository {
 public:
  explicit application_repo(connection& c) : c_(c) {}

  result<void> insert(const domain::application& a) override;
  result<void> update(const domain::application& a, int64_t expected_version) override;
  result<std::optional<domain::application>> get(const std::string& id) override;
  result<bool> remove(const std::string& id) override;
  result<page<domain::application>> list(const std::optional<std::string>& provider_arn, const page_request& p) override;
  result<int64_t> count() override;

  result<void> insert_certificate(const application_certificate_record& c) override;
  result<std::vector<application_certificate_record>> certificates(const std::string& application_id) override;
  result<bool> remove_certificate(const std::string& application_id, const std::string& certificate_id) override;
  result<bool> activate_certificate(const std::string& application_id, const std::string& certificate_id) override;

  result<bool> insert_assignment(const application_assignment_record& a) override;
  result<bool> remove_assignment(const std::string& application_id, const std::string& principal_id) override;
  result<std::optional<application_assignment_record>> get_assignment(const std::string& application_id,
                                                                      const std::string& principal_id) override;
  result<page<application_assignment_record>> assignments_of(const std::string& application_id,
                                                             const page_request& p) override;
  result<page<application_assignment_record>> assignments_for(const std::vector<std::string>& principal_ids,
                                                               const std::optional<std::string>& application_id,
                                                               const page_request& p) override;

  result<void> insert_request(const saml_request_record& r) override;
  result<std::optional<saml_request_record>> get_request(const std::string& id) override;
  result<bool> answer_request(const std::string& id, sys_time now) override;
  result<int64_t> remove_expired_requests(sys_time now) override;

 private:
  connection& c_;
};

// The application as stored in applications.doc (exposed for the codec's test).
std::string encode_application(const domain::application& a);
result<domain::application> decode_application(std::string_view text);

}  // namespace atrium::store::postgresql
