// STS AssumeRoleWithSAML against a scripted transport: the unsigned Query request, the
// credentials read from the answer, STS's error shape, and the limits checked before sending.
#include "cloud/sts_saml_client.hpp"

#include <gtest/gtest.h>

#include "fake_transport.hpp"

namespace atrium::cloud {
namespace {

using testing::fake_transport;
using testing::header_of;
using testing::xml_reply;

constexpr const char* sts_saml_answer = R"(<AssumeRoleWithSAMLResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleWithSAMLResult>
    <Credentials>
      <AccessKeyId>ASIAEXAMPLE</AccessKeyId>
      <SecretAccessKey>wJalrXUtnFEMI/K7MDENG</SecretAccessKey>
      <SessionToken>FwoGZXIvYXdzEXAMPLE</SessionToken>
      <Expiration>2026-11-25T14:00:00Z</Expiration>
    </Credentials>
    <AssumedRoleUser><Arn>arn:aws:sts::111122223333:assumed-role/AtriumSSO_Dev_0/alice</Arn></AssumedRoleUser>
  </AssumeRoleWithSAMLResult>
</AssumeRoleWithSAMLResponse>)";

struct CloudStsSaml : ::testing::Test {
  std::shared_ptr<fake_transport> transport = std::make_shared<fake_transport>();
  sts_saml_client client{{"http://127.0.0.1:5000", "us-east-1", {1}, {}}, transport,
                         std::make_shared<manual_clock>(sys_time(std::chrono::milliseconds(1'795'000'000'000))),
                         [](std::chrono::milliseconds) {}};
};

TEST_F(CloudStsSaml, SendsAnUnsignedQueryCallAndReadsTheCredentials) {
  transport->handler = [](const http_request&) -> result<http_reply> { return xml_reply(200, sts_saml_answer); };
  auto c = client.assume_role_with_saml("arn:aws:iam::111122223333:role/atrium/AtriumSSO_Dev_0",
                                        "arn:aws:iam::111122223333:saml-provider/AWSSSO_0_DO_NOT_DELETE", "PHNhbWw+",
                                        std::chrono::hours(4));
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->access_key_id, "ASIAEXAMPLE");
  EXPECT_EQ(c->secret_access_key, "wJalrXUtnFEMI/K7MDENG");
  EXPECT_EQ(c->session_token, "FwoGZXIvYXdzEXAMPLE");
  EXPECT_EQ(c->expiration, sys_time(std::chrono::sys_days(std::chrono::year(2026) / 11 / 25)) + std::chrono::hours(14));
  ASSERT_EQ(transport->seen.size(), 1u);
  const auto& req = transport->seen[0];
  EXPECT_EQ(req.body,
            "Action=AssumeRoleWithSAML&Version=2011-06-15"
            "&RoleArn=arn%3Aaws%3Aiam%3A%3A111122223333%3Arole%2Fatrium%2FAtriumSSO_Dev_0"
            "&PrincipalArn=arn%3Aaws%3Aiam%3A%3A111122223333%3Asaml-provider%2FAWSSSO_0_DO_NOT_DELETE"
            "&SAMLAssertion=PHNhbWw%2B&DurationSeconds=14400");
  EXPECT_EQ(header_of(req, "Authorization"), "") << "AssumeRoleWithSAML needs no AWS credentials";
  EXPECT_EQ(header_of(req, "X-Amz-Security-Token"), "");
  EXPECT_EQ(header_of(req, "Host"), "127.0.0.1:5000");
}

TEST_F(CloudStsSaml, StsRefusalsCarryThePeersWords) {
  transport->handler = [](const http_request&) -> result<http_reply> {
    return xml_reply(403, "<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>Not authorized "
                          "to perform sts:AssumeRoleWithSAML</Message></Error></ErrorResponse>");
  };
  auto c = client.assume_role_with_saml("arn:aws:iam::1:role/R", "arn:aws:iam::1:saml-provider/P", "PHNhbWw+",
                                        std::chrono::hours(1));
  ASSERT_FALSE(c);
  EXPECT_EQ(peer_code(c.error()), "AccessDenied");
  EXPECT_NE(c.error().message.find("Not authorized to perform sts:AssumeRoleWithSAML"), std::string::npos);
  EXPECT_NE(c.error().message.find("arn:aws:iam::1:role/R"), std::string::npos) << c.error().message;
}

TEST_F(CloudStsSaml, IncompleteAnswersAndOutOfRangeValuesAreRefused) {
  transport->handler = [](const http_request&) -> result<http_reply> {
    return xml_reply(200, "<AssumeRoleWithSAMLResponse><AssumeRoleWithSAMLResult><Credentials><AccessKeyId>A"
                          "</AccessKeyId></Credentials></AssumeRoleWithSAMLResult></AssumeRoleWithSAMLResponse>");
  };
  auto c = client.assume_role_with_saml("r", "p", "PHNhbWw+", std::chrono::hours(1));
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().code, errc::internal);
  EXPECT_FALSE(client.assume_role_with_saml("r", "p", "PHNhbWw+", std::chrono::seconds(899)));
  EXPECT_FALSE(client.assume_role_with_saml("r", "p", "PHNhbWw+", std::chrono::seconds(43201)));
  EXPECT_FALSE(client.assume_role_with_saml("r", "p", std::string(100'001, 'A'), std::chrono::hours(1)));
  EXPECT_EQ(transport->seen.size(), 1u) << "the limits are checked before anything is sent";
}

}  // namespace
}  // namespace atrium::cloud
