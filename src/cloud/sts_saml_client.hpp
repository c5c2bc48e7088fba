#pragma once
// service::saml_role_exchange over STS's Query API (2011-06-15): AssumeRoleWithSAML with
// RoleArn, PrincipalArn, SAMLAssertion and DurationSeconds, sent unsigned (the signed
// assertion is the credential; STS API reference "AssumeRoleWithSAML": "Calling
// AssumeRoleWithSAML does not require the use of AWS security credentials"). The answer is read
// with the bounded xml_reader. Endpoint: federation.sts_endpoint (https://sts.amazonaws.com;
// moto_server in tests). Thread-safe: each call makes its own exchange.
#include <chrono>
#include <memory>
#include <string>

#include "base/clock.hpp"
#include "cloud/aws_client.hpp"
#include "service/federation/saml_role_exchange.hpp"

namespace atrium::cloud {

struct sts_saml_config {
  std::string endpoint = "https://sts.amazonaws.com";
  std::string region = "us-east-1";
  retry_policy retry;
  transport_options transport;
};

class sts_saml_client final : public service::saml_role_exchange {
 public:
  explicit sts_saml_client(sts_saml_config config, std::shared_ptr<http_transport> transport = nullptr,
                           std::shared_ptr<const clock> clk = nullptr,
                           std::function<void(std::chrono::milliseconds)> sleep = nullptr);

  result<service::aws_role_credentials> assume_role_with_saml(const std::string& role_arn,
                                                             const std::string& principal_arn,
                                                             const std::string& saml_response,
                                                             std::chrono::seconds duration) override;

 private:
  aws_client client_;
};

}  // namespace atrium::cloud
