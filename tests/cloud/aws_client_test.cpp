// aws_client against a scripted transport: encoding, signing (verified with the server-side
// SigV4 verifier), the peer's error shapes, retries and backoff.
#include "cloud/aws_client.hpp"

#include <gtest/gtest.h>

#include "fake_transport.hpp"
#include "crypto/sigv4.hpp"

namespace atrium::cloud {
namespace {

using testing::fake_transport;
using testing::header_of;
using testing::xml_reply;

const sys_time t0 = sys_time(std::chrono::milliseconds(1'795'000'000'000));

struct CloudAwsClientFixture : ::testing::Test {
  std::shared_ptr<fake_transport> transport = std::make_shared<fake_transport>();
  std::vector<std::chrono::milliseconds> sleeps;
  aws_client make(std::string service, credentials creds = {"AKIDEXAMPLE", "secret", "", std::nullopt},
                  std::string url = "http://127.0.0.1:5000") {
    client_config cfg;
    cfg.endpoint_url = url;
    cfg.service = service;
    return aws_client(cfg, creds, transport, std::make_shared<manual_clock>(t0),
                      [this](std::chrono::milliseconds d) { sleeps.push_back(d); });
  }
};

TEST(CloudAwsClient, FormEncodesRfc3986) {
  EXPECT_EQ(form_encode("CreateRole", "2010-05-08", {{"RoleName", "a b"}, {"Doc", "{\"x\":\"/~*+\"}"}}),
            "Action=CreateRole&Version=2010-05-08&RoleName=a%20b&Doc=%7B%22x%22%3A%22%2F~%2A%2B%22%7D");
}

TEST(CloudAwsClient, ParsesEndpoints) {
  auto a = parse_endpoint("https://iam.amazonaws.com");
  ASSERT_TRUE(a);
  EXPECT_TRUE(a->tls);
  EXPECT_EQ(a->port, "443");
  EXPECT_EQ(a->host_header(), "iam.amazonaws.com");
  auto b = parse_endpoint("http://127.0.0.1:5000/");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->host_header(), "127.0.0.1:5000");
  auto c = parse_endpoint("http://[::1]:8080/x");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->host, "::1");
  EXPECT_EQ(c->path, "/x");
  EXPECT_EQ(c->host_header(), "[::1]:8080");
  for (const char* bad : {"ftp://x", "http://", "http://u:p@host", "http://h:12a", "iam.amazonaws.com"})
    EXPECT_FALSE(parse_endpoint(bad)) << bad;
}

TEST_F(CloudAwsClientFixture, SignsQueryCallsVerifiablyWithSessionToken) {
  transport->handler = [](const http_request&) -> result<http_reply> {
    return xml_reply(200, "<ListRolesResponse><ListRolesResult><Roles/></ListRolesResult></ListRolesResponse>");
  };
  auto c = make("iam", {"ASIATEMP", "tempsecret", "TOKEN/+=", std::nullopt});
  auto r = c.call_query("ListRoles", "2010-05-08", {{"PathPrefix", "/aws-reserved/"}});
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->name, "ListRolesResponse");
  ASSERT_EQ(transport->seen.size(), 1u);
  const auto& req = transport->seen[0];
  EXPECT_EQ(req.body, "Action=ListRoles&Version=2010-05-08&PathPrefix=%2Faws-reserved%2F");
  EXPECT_EQ(header_of(req, "Host"), "127.0.0.1:5000");
  EXPECT_EQ(header_of(req, "X-Amz-Security-Token"), "TOKEN/+=");
  crypto::sigv4_request sreq{req.method, req.target, {}, req.body};
  for (const auto& [n, v] : req.headers) sreq.headers.push_back({n, v});
  auto parsed = crypto::sigv4_parse(sreq, t0);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->access_key_id, "ASIATEMP");
  EXPECT_EQ(parsed->service, "iam");
  EXPECT_EQ(parsed->region, "us-east-1");
  EXPECT_NE(std::find(parsed->signed_headers.begin(), parsed->signed_headers.end(), "x-amz-security-token"),
            parsed->signed_headers.end());
  EXPECT_TRUE(crypto::sigv4_verify(sreq, *parsed, "tempsecret"));
  EXPECT_FALSE(crypto::sigv4_verify(sreq, *parsed, "other"));
}

TEST_F(CloudAwsClientFixture, QueryErrorsCarryThePeerCodeAndMessage) {
  transport->handler = [](const http_request&) -> result<http_reply> {
    return xml_reply(404, R"(<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error>
      <Type>Sender</Type><Code>NoSuchEntity</Code><Message>The role with name X cannot be found.</Message>
      </Error><RequestId>1</RequestId></ErrorResponse>)");
  };
  auto c = make("iam");
  auto r = c.call_query("GetRole", "2010-05-08", {{"RoleName", "X"}});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, errc::not_found);
  EXPECT_EQ(peer_code(r.error()), "NoSuchEntity");
  EXPECT_EQ(r.error().message, "NoSuchEntity: The role with name X cannot be found.");
  EXPECT_EQ(transport->seen.size(), 1u);  // a 4xx that is not throttling is not retried
  EXPECT_EQ(peer_code(error{errc::not_found, "x: y", {}, {}}), "");
}

TEST_F(CloudAwsClientFixture, RetriesThrottlingAnd5xxWithBoundedBackoff) {
  int calls = 0;
  transport->handler = [&](const http_request&) -> result<http_reply> {
    ++calls;
    if (calls == 1) return xml_reply(503, "<html>busy</html>");
    if (calls == 2)
      return xml_reply(400, "<ErrorResponse><Error><Code>Throttling</Code><Message>Rate exceeded</Message></Error></ErrorResponse>");
    if (calls == 3) return fail(errc::internal, "cannot connect");
    return xml_reply(200, "<OkResponse/>");
  };
  auto c = make("sts");
  auto r = c.call_query("GetCallerIdentity", "2011-06-15");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(calls, 4);
  ASSERT_EQ(sleeps.size(), 3u);
  for (std::size_t i = 0; i < sleeps.size(); ++i) EXPECT_LE(sleeps[i].count(), 100 << (i + 1));
  // Each attempt is signed afresh (the date header is recomputed, not appended twice).
  for (const auto& req : transport->seen) {
    int auths = 0;
    for (const auto& [n, v] : req.headers) auths += n == "Authorization";
    EXPECT_EQ(auths, 1);
  }
}

TEST_F(CloudAwsClientFixture, GivesUpAfterMaxAttemptsWithTheLastError) {
  transport->handler = [](const http_request&) -> result<http_reply> {
    return xml_reply(400, "<ErrorResponse><Error><Code>Throttling</Code><Message>Rate exceeded</Message></Error></ErrorResponse>");
  };
  auto c = make("iam");
  auto r = c.call_query("ListRoles", "2010-05-08");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, errc::throttled);
  EXPECT_EQ(r.error().message, "Throttling: Rate exceeded");
  EXPECT_EQ(transport->seen.size(), 4u);

  transport->seen.clear();
  transport->handler = [](const http_request&) -> result<http_reply> { return fail(errc::internal, "connection refused"); };
  auto t = c.call_query("ListRoles", "2010-05-08");
  ASSERT_FALSE(t);
  EXPECT_EQ(t.error().message, "connection refused");
  EXPECT_EQ(transport->seen.size(), 4u);
}

TEST_F(CloudAwsClientFixture, JsonCallsSendTheTargetAndMapErrors) {
  transport->handler = [](const http_request& req) -> result<http_reply> {
    if (req.body.find("bad") != std::string::npos)
      return http_reply{400, {{"Content-Type", "application/x-amz-json-1.1"}},
                        R"({"__type":"com.amazonaws.organizations#AccessDeniedException","Message":"no"})"};
    return http_reply{200, {{"Content-Type", "application/x-amz-json-1.1"}}, R"({"Accounts":[{"Id":"111122223333"}]})"};
  };
  auto c = make("organizations");
  auto ok = c.call_json("AWSOrganizationsV20161128.ListAccounts", {{"MaxResults", 20}});
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_EQ((*ok)["Accounts"][0]["Id"], "111122223333");
  EXPECT_EQ(header_of(transport->seen[0], "X-Amz-Target"), "AWSOrganizationsV20161128.ListAccounts");
  EXPECT_EQ(header_of(transport->seen[0], "Content-Type"), "application/x-amz-json-1.1");
  auto bad = c.call_json("AWSOrganizationsV20161128.ListAccounts", {{"NextToken", "bad"}});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, errc::access_denied);
  EXPECT_EQ(peer_code(bad.error()), "AccessDeniedException");
  EXPECT_EQ(bad.error().message, "AccessDeniedException: no");
}

TEST(CloudAwsClient, ParsesJsonErrorShapes) {
  EXPECT_EQ(parse_json_error("{}", "ThrottlingException:http://internal.amazon.com/").first, "ThrottlingException");
  EXPECT_EQ(parse_json_error(R"({"__type":"X","message":"m"})", "").second, "m");
  EXPECT_EQ(parse_json_error("not json", "").first, "");
  EXPECT_EQ(parse_json_error(std::string(1000, '['), "").first, "");
  EXPECT_EQ(parse_query_error("<Response><Errors><Error><Code>C</Code><Message>M</Message></Error></Errors></Response>"),
            (std::pair<std::string, std::string>{"C", "M"}));
  EXPECT_EQ(parse_query_error("<broken").first, "");
}

TEST_F(CloudAwsClientFixture, RefusesToCallWithoutCredentialsOrWithABadUrl) {
  transport->handler = [](const http_request&) -> result<http_reply> { return xml_reply(200, "<x/>"); };
  EXPECT_EQ(make("iam", {}).call_query("ListRoles", "2010-05-08").error().code, errc::unauthenticated);
  EXPECT_EQ(make("iam", {"a", "b", "", std::nullopt}, "gopher://x").call_query("ListRoles", "2010-05-08").error().code,
            errc::validation);
  EXPECT_TRUE(transport->seen.empty());
}

}  // namespace
}  // namespace atrium::cloud
