#pragma once
// What role_credentials (federation/aws_federation.hpp) needs from STS: AssumeRoleWithSAML.
// cloud::sts_saml_client implements it over the Query API; tests point it at moto_server. Its
// own header so that cloud/ implements it without seeing xml/.
#include <chrono>
#include <string>

#include "base/clock.hpp"
#include "base/result.hpp"

namespace atrium::service {

// Temporary credentials of the role (AssumeRoleWithSAML's Credentials). Secrets: never logged
// or audited.
struct aws_role_credentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;
  sys_time expiration{};
};

class saml_role_exchange {
 public:
  virtual ~saml_role_exchange() = default;
  // `saml_response` is the base64 Response as the browser would post it. Errors carry the
  // peer's words ("AccessDenied: Not authorized to perform sts:AssumeRoleWithSAML").
  virtual result<aws_role_credentials> assume_role_with_saml(const std::string& role_arn,
                                                            const std::string& principal_arn,
                                                            const std::string& saml_response,
                                                            std::chrono::seconds duration) = 0;
};

}  // namespace atrium::service
