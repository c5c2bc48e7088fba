#include "cloud/sts_saml_client.hpp"

namespace atrium::cloud {

namespace {

client_config sts_config(const sts_saml_config& c) {
  client_config cc;
  cc.endpoint_url = c.endpoint;
  cc.region = c.region;
  cc.service = "sts";
  cc.retry = c.retry;
  cc.transport = c.transport;
  cc.sign = false;
  return cc;
}

}  // namespace

sts_saml_client::sts_saml_client(sts_saml_config config, std::shared_ptr<http_transport> transport,
                                 std::shared_ptr<const clock> clk, std::function<void(std::chrono::milliseconds)> sleep)
    : client_(sts_config(config), credentials{}, std::move(transport), std::move(clk), std::move(sleep)) {}

result<service::aws_role_credentials> sts_saml_client::assume_role_with_saml(const std::string& role_arn,
                                                                            const std::string& principal_arn,
                                                                            const std::string& saml_response,
                                                                            std::chrono::seconds duration) {
  // STS limits (API reference): DurationSeconds 900-43200, SAMLAssertion 4-100000 characters.
  if (duration < std::chrono::seconds(900) || duration > std::chrono::seconds(43200))
    return fail(errc::validation, "DurationSeconds must be between 900 and 43200");
  if (saml_response.size() < 4 || saml_response.size() > 100'000)
    return fail(errc::validation, "the SAML response must be 4-100000 characters of base64 for STS");
  auto doc = client_.call_query("AssumeRoleWithSAML", "2011-06-15",
                                {{"RoleArn", role_arn},
                                 {"PrincipalArn", principal_arn},
                                 {"SAMLAssertion", saml_response},
                                 {"DurationSeconds", std::to_string(duration.count())}});
  if (!doc) {
    auto e = doc.error();
    e.message = "STS AssumeRoleWithSAML for " + role_arn + ": " + e.message;
    return std::unexpected(std::move(e));
  }
  const xml_node* c = doc->find("AssumeRoleWithSAMLResult/Credentials");
  if (!c) return fail(errc::internal, "STS AssumeRoleWithSAML answer has no Credentials");
  service::aws_role_credentials out{c->text_at("AccessKeyId"), c->text_at("SecretAccessKey"),
                                    c->text_at("SessionToken"), {}};
  auto expiration = parse_aws_time(c->text_at("Expiration"));
  if (out.access_key_id.empty() || out.secret_access_key.empty() || out.session_token.empty() || !expiration)
    return fail(errc::internal, "STS AssumeRoleWithSAML answered incomplete credentials");
  out.expiration = *expiration;
  return out;
}

}  // namespace atrium::cloud
