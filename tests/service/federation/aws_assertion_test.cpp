// The values of the Response Atrium sends to AWS (IAM User Guide, "Configure SAML assertions for
// the authentication response"): every attribute, the times, the NameID, the session name.
#include "service/federation/aws_assertion.hpp"

#include <gtest/gtest.h>

// Its own namespace: the unity build puts this file beside others of atrium::service.
namespace atrium::service::aws_assertion_tests {
namespace {

using namespace std::chrono_literals;

aws_assertion_values sample() {
  aws_assertion_values v;
  v.issuer = "https://atrium.test:8443/saml/assertion/ssoins-0123456789abcdef";
  v.signin_url = "https://signin.aws.amazon.com/saml";
  v.user_id = "0123456789-0198a0b1-c2d3-7e4f-8a9b-000000000001";
  v.user_name = "alice@example.com";
  v.role_arn = "arn:aws:iam::111122223333:role/atrium/AtriumSSO_Dev_0123456789abcdef";
  v.provider_arn = "arn:aws:iam::111122223333:saml-provider/AWSSSO_fedcba9876543210_DO_NOT_DELETE";
  v.session_duration = 4h;
  v.principal_tags = {{"CostCenter", "4711"}, {"Department", "R&D <lab>"}};
  v.now = sys_time(std::chrono::sys_days(std::chrono::year(2026) / 11 / 25)) + 10h;
  return v;
}

const xml::saml_attribute* find(const xml::response_values& r, std::string_view name) {
  for (const auto& a : r.attributes)
    if (a.name == name) return &a;
  return nullptr;
}

TEST(aws_assertion, carries_what_aws_reads) {
  seeded_random rnd(1);
  auto v = sample();
  auto r = aws_response_values(v, rnd);
  EXPECT_EQ(r.issuer, v.issuer);
  EXPECT_EQ(r.destination, "https://signin.aws.amazon.com/saml");
  EXPECT_EQ(r.recipient, "https://signin.aws.amazon.com/saml") << "Recipient = the sign-in URL (SAML:aud)";
  EXPECT_EQ(r.audience, "urn:amazon:webservices");
  EXPECT_FALSE(r.in_response_to) << "IdP-initiated";
  EXPECT_EQ(r.name_id, v.user_id) << "a persistent NameID is the stable user id";
  EXPECT_EQ(r.name_id_format, "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent");
  EXPECT_EQ(r.issue_instant, v.now);
  EXPECT_EQ(r.not_on_or_after, v.now + 5min);
  EXPECT_LT(r.not_before, v.now);
  EXPECT_EQ(r.session_not_on_or_after, v.now + 4h);
  EXPECT_FALSE(r.session_index.empty());

  const auto* role = find(r, "https://aws.amazon.com/SAML/Attributes/Role");
  ASSERT_NE(role, nullptr);
  EXPECT_EQ(role->values, std::vector<std::string>{v.role_arn + "," + v.provider_arn});
  EXPECT_EQ(role->name_format, "urn:oasis:names:tc:SAML:2.0:attrname-format:uri");
  const auto* session = find(r, "https://aws.amazon.com/SAML/Attributes/RoleSessionName");
  ASSERT_NE(session, nullptr);
  EXPECT_EQ(session->values, std::vector<std::string>{"alice@example.com"});
  const auto* duration = find(r, "https://aws.amazon.com/SAML/Attributes/SessionDuration");
  ASSERT_NE(duration, nullptr);
  EXPECT_EQ(duration->values, std::vector<std::string>{"14400"});
  const auto* cost = find(r, "https://aws.amazon.com/SAML/Attributes/PrincipalTag:CostCenter");
  ASSERT_NE(cost, nullptr);
  EXPECT_EQ(cost->values, std::vector<std::string>{"4711"});
  const auto* dept = find(r, "https://aws.amazon.com/SAML/Attributes/PrincipalTag:Department");
  ASSERT_NE(dept, nullptr);
  EXPECT_EQ(dept->values, std::vector<std::string>{"R&D <lab>"});
  EXPECT_EQ(r.attributes.size(), 5u) << "nothing else";
}

TEST(aws_assertion, another_partitions_audience_and_no_tags) {
  seeded_random rnd(1);
  auto v = sample();
  v.audience = "urn:amazon:webservices:cn-north-1";
  v.signin_url = "https://signin.amazonaws.cn/saml";
  v.principal_tags.clear();
  auto r = aws_response_values(v, rnd);
  EXPECT_EQ(r.audience, "urn:amazon:webservices:cn-north-1");
  EXPECT_EQ(r.recipient, "https://signin.amazonaws.cn/saml");
  EXPECT_EQ(r.attributes.size(), 3u);
  for (const auto& a : r.attributes) EXPECT_EQ(a.name.find("PrincipalTag"), std::string::npos);
}

TEST(aws_assertion, session_names_are_what_sts_accepts) {
  EXPECT_EQ(aws_role_session_name("alice@example.com"), "alice@example.com");
  EXPECT_EQ(aws_role_session_name("a.b+c=d,e_f-g"), "a.b+c=d,e_f-g");
  EXPECT_EQ(aws_role_session_name("Bob Smith"), "Bob_Smith");
  EXPECT_EQ(aws_role_session_name("j\xc3\xbcrgen"), "j_rgen") << "one '_' per UTF-8 character";
  EXPECT_EQ(aws_role_session_name("x"), "x_") << "at least two characters";
  EXPECT_EQ(aws_role_session_name(std::string(100, 'n')), std::string(64, 'n'));
  EXPECT_EQ(aws_role_session_name(""), "__");
}

}  // namespace
}  // namespace atrium::service::aws_assertion_tests
