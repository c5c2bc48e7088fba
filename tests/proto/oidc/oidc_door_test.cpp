// The sso-oidc door over the real services and store: the device flow and the code flow as a
// client sends them, the error shapes botocore reads (x-amzn-ErrorType + the OAuth body), and
// CloudTrail parameters without secrets.
#include "proto/oidc/oidc_door.hpp"

#include <nlohmann/json.hpp>

#include "../../service/oidc/oidc_fixture.hpp"
#include "base/strings.hpp"
#include "proto/oidc/oidc_wire.hpp"
#include "service/admin/throttle.hpp"

namespace atrium::proto::oidc {

namespace {

using nlohmann::json;
using service::oidc::testing::oidc_fixture;

std::string header(const response& r, std::string_view name) {
  for (const auto& [k, v] : r.headers)
    if (iequals_ascii(k, name)) return v;
  return "";
}

class oidc_door_test : public oidc_fixture {
 protected:
  void SetUp() override {
    oidc_fixture::SetUp();
    throttle_ = std::make_unique<service::throttler>(clk_, service::throttle_settings{});
    door_ = std::make_unique<oidc_door>(oidc_services{*clients_, *devices_, *requests_, *tokens_, *throttle_, *audited_},
                                        oidc_settings{"us-east-1", "123456789012", "https://atrium.test:8443/portal"});
  }
  response post(const std::string& path, const json& body) {
    request r;
    r.method = "POST";
    r.target = path;
    r.headers = {{"Content-Type", "application/json"}, {"User-Agent", "aws-cli/2.9.19"}};
    r.body = body.dump();
    r.remote_ip = "203.0.113.9";
    r.request_id = "req-" + std::to_string(++n_);
    return door_->handle(r);
  }
  response get(const std::string& target) {
    request r;
    r.method = "GET";
    r.target = target;
    r.remote_ip = "203.0.113.9";
    return door_->handle(r);
  }
  std::unique_ptr<service::throttler> throttle_;
  std::unique_ptr<oidc_door> door_;
  int n_ = 0;
};

TEST_F(oidc_door_test, the_device_flow_on_the_wire) {
  auto reg = post("/client/register", {{"clientName", "botocore-client-x"}, {"clientType", "public"},
                                       {"scopes", {"sso:account:access"}}});
  ASSERT_EQ(reg.status, 200) << reg.body;
  auto c = json::parse(reg.body);
  EXPECT_EQ(c["clientSecretExpiresAt"].get<int64_t>() - c["clientIdIssuedAt"].get<int64_t>(), 90 * 86400);
  auto start = post("/device_authorization", {{"clientId", c["clientId"]}, {"clientSecret", c["clientSecret"]},
                                              {"startUrl", "https://atrium.test:8443/portal"}});
  ASSERT_EQ(start.status, 200) << start.body;
  auto d = json::parse(start.body);
  for (const char* m : {"deviceCode", "userCode", "verificationUri", "verificationUriComplete", "expiresIn", "interval"})
    EXPECT_TRUE(d.contains(m)) << m;
  EXPECT_EQ(d["verificationUri"], "https://atrium.test:8443/portal/device");
  EXPECT_EQ(d["verificationUriComplete"], "https://atrium.test:8443/portal/device?user_code=" + d["userCode"].get<std::string>());
  json poll = {{"grantType", "urn:ietf:params:oauth:grant-type:device_code"}, {"clientId", c["clientId"]},
               {"clientSecret", c["clientSecret"]}, {"deviceCode", d["deviceCode"]}};
  auto pending = post("/token", poll);
  EXPECT_EQ(pending.status, 400);
  EXPECT_EQ(header(pending, "x-amzn-ErrorType"), "AuthorizationPendingException");
  EXPECT_EQ(json::parse(pending.body)["error"], "authorization_pending");
  auto slow = post("/token", poll);
  EXPECT_EQ(header(slow, "x-amzn-ErrorType"), "SlowDownException");
  EXPECT_EQ(json::parse(slow.body)["error"], "slow_down");
  auto session = sign_in();
  ASSERT_TRUE(devices_->decide(ctx("ApproveDeviceAuthorization"), approver_of(session), d["userCode"].get<std::string>(), true));
  auto tok = post("/token", poll);
  ASSERT_EQ(tok.status, 200) << tok.body;
  EXPECT_EQ(header(tok, "Cache-Control"), "no-store");
  auto t = json::parse(tok.body);
  EXPECT_EQ(t["tokenType"], "Bearer");
  EXPECT_EQ(t["expiresIn"], 8 * 3600);
  EXPECT_TRUE(valid(t["accessToken"].get<std::string>()));
  EXPECT_TRUE(t.contains("refreshToken"));
  auto refreshed = post("/token", {{"grantType", "refresh_token"}, {"clientId", c["clientId"]},
                                   {"clientSecret", c["clientSecret"]}, {"refreshToken", t["refreshToken"]}});
  ASSERT_EQ(refreshed.status, 200) << refreshed.body;
  // No secret reaches the audit: every record, failed polls included, hides them.
  audit_count("");
  ASSERT_FALSE(last_records_.empty());
  for (const auto& r : last_records_) {
    for (const auto& secret : {c["clientSecret"], d["deviceCode"], t["accessToken"], t["refreshToken"]})
      EXPECT_EQ(r.json.find(secret.get<std::string>()), std::string::npos) << r.json;
  }
}

TEST_F(oidc_door_test, errors_carry_the_exception_name_and_the_oauth_body) {
  auto bad = post("/client/register", {{"clientName", "x"}, {"clientType", "confidential"}});
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(header(bad, "x-amzn-ErrorType"), "InvalidClientMetadataException");
  EXPECT_EQ(json::parse(bad.body)["error"], "invalid_client_metadata");
  auto unknown = post("/device_authorization", {{"clientId", "nobody"}, {"clientSecret", "x"}, {"startUrl", "https://atrium.test:8443/portal"}});
  EXPECT_EQ(unknown.status, 401);
  EXPECT_EQ(header(unknown, "x-amzn-ErrorType"), "InvalidClientException");
  request big;
  big.method = "POST";
  big.target = "/token";
  big.body = std::string(20000, ' ');
  auto large = door_->handle(big);
  EXPECT_EQ(large.status, 400);
  EXPECT_EQ(header(large, "x-amzn-ErrorType"), "InvalidRequestException");
}

TEST_F(oidc_door_test, the_code_flow_on_the_wire) {
  auto reg = post("/client/register", {{"clientName", "botocore-client-auth"}, {"clientType", "public"},
                                       {"grantTypes", {"authorization_code", "refresh_token"}},
                                       {"redirectUris", {"http://127.0.0.1/oauth/callback"}},
                                       {"scopes", {"sso:account:access"}}});
  ASSERT_EQ(reg.status, 200) << reg.body;
  auto c = json::parse(reg.body);
  std::string verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
  auto redirect = get("/authorize?response_type=code&client_id=" + c["clientId"].get<std::string>() +
                      "&redirect_uri=http%3A%2F%2F127.0.0.1%3A53682%2Foauth%2Fcallback&state=xyz"
                      "&code_challenge_method=S256&scopes=sso%3Aaccount%3Aaccess"
                      "&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
  ASSERT_EQ(redirect.status, 302) << redirect.body;
  auto location = header(redirect, "Location");
  ASSERT_TRUE(location.starts_with("https://atrium.test:8443/portal/authorize?request=")) << location;
  auto id = location.substr(location.find('=') + 1);
  auto url = requests_->decide(ctx("ApproveAuthorizationRequest"), approver_of(sign_in()), id, true);
  ASSERT_TRUE(url);
  auto code = url->substr(url->find("code=") + 5, url->find('&') - url->find("code=") - 5);
  json exchange = {{"grantType", "authorization_code"}, {"clientId", c["clientId"]}, {"clientSecret", c["clientSecret"]},
                   {"code", code}, {"redirectUri", "http://127.0.0.1:53682/oauth/callback"},
                   {"codeVerifier", "wrong-verifier-wrong-verifier-wrong-verifier-00"}};
  auto mismatch = post("/token", exchange);
  EXPECT_EQ(header(mismatch, "x-amzn-ErrorType"), "InvalidGrantException");
  exchange["codeVerifier"] = verifier;
  auto ok = post("/token", exchange);
  ASSERT_EQ(ok.status, 200) << ok.body;
  // A missing challenge goes back to the loopback URI with the state.
  auto no_pkce = get("/authorize?response_type=code&client_id=" + c["clientId"].get<std::string>() +
                     "&redirect_uri=http%3A%2F%2F127.0.0.1%3A53682%2Foauth%2Fcallback&state=abc");
  EXPECT_EQ(no_pkce.status, 302);
  EXPECT_TRUE(header(no_pkce, "Location").starts_with("http://127.0.0.1:53682/oauth/callback?error=invalid_request"))
      << header(no_pkce, "Location");
  EXPECT_TRUE(header(no_pkce, "Location").ends_with("&state=abc"));
  // A URI the client did not register is not redirected to.
  auto evil = get("/authorize?response_type=code&client_id=" + c["clientId"].get<std::string>() +
                  "&redirect_uri=https%3A%2F%2Fevil.example%2F&state=abc");
  EXPECT_EQ(evil.status, 400);
  EXPECT_EQ(header(evil, "Location"), "");
}

TEST(oidc_wire, parsers_check_types_and_required_members) {
  EXPECT_FALSE(registration_of(json::object()));
  EXPECT_FALSE(registration_of({{"clientName", "x"}, {"clientType", "public"}, {"scopes", "sso:account:access"}}));
  EXPECT_FALSE(registration_of({{"clientName", "x"}, {"clientType", "public"}, {"redirectUris", {"http://127.0.0.1/a b"}}}));
  EXPECT_TRUE(registration_of({{"clientName", "x"}, {"clientType", "public"}, {"scopes", {"sso:account:access"}}}));
  EXPECT_FALSE(token_request_of({{"clientId", "a"}, {"clientSecret", "b"}, {"grantType", "refresh_token"}}));
  EXPECT_FALSE(token_request_of({{"clientId", "a"}, {"clientSecret", "b"}, {"grantType", "authorization_code"}, {"code", "c"}}));
  EXPECT_TRUE(token_request_of({{"clientId", "a"}, {"clientSecret", "b"}, {"grantType", "refresh_token"}, {"refreshToken", "r"}}));
  EXPECT_FALSE(authorize_request_of("/authorize?client_id=a&client_id=b"));
  auto a = authorize_request_of("/authorize?scope=sso%3Aaccount%3Aaccess+x&client_id=a");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->scopes, (std::vector<std::string>{"sso:account:access", "x"}));
  auto params = json::parse(audited_parameters({{"clientId", "a"}, {"clientSecret", "s"}, {"deviceCode", "d"}, {"other", 1}}));
  EXPECT_EQ(params, json({{"clientId", "a"}, {"clientSecret", "HIDDEN_DUE_TO_SECURITY_REASONS"},
                          {"deviceCode", "HIDDEN_DUE_TO_SECURITY_REASONS"}}));
}

}  // namespace

}  // namespace atrium::proto::oidc
