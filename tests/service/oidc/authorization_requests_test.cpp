// The authorization code grant with PKCE (RFC 6749 §4.1, RFC 7636, RFC 8252) as newer AWS CLIs
// use it: loopback redirect URIs, the S256 challenge, single-use codes, the consent decision.
#include "service/oidc/authorization_requests.hpp"

#include "base/strings.hpp"
#include "oidc_fixture.hpp"

namespace atrium::service::oidc::testing {

namespace {

// RFC 7636 Appendix B's example pair.
constexpr const char* verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
constexpr const char* challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
constexpr const char* redirect = "http://127.0.0.1:53682/oauth/callback";

class code_flow_test : public oidc_fixture {
 protected:
  authorize_request request_for(const registered_client& c) {
    return {"code", c.client_id, redirect, "state-1234", {"sso:account:access"}, challenge, "S256"};
  }
  // The code out of the redirect URL the portal sends the browser to.
  static std::string code_of(const std::string& url) {
    auto at = url.find("code=");
    return at == std::string::npos ? "" : url.substr(at + 5, url.find('&', at) - at - 5);
  }
  oauth_result<issued_tokens> exchange(const registered_client& c, const std::string& code,
                                       const std::string& v = verifier, const std::string& uri = redirect) {
    token_request r;
    r.grant_type = "authorization_code";
    r.client_id = c.client_id;
    r.client_secret = c.client_secret;
    r.code = code;
    r.code_verifier = v;
    r.redirect_uri = uri;
    return tokens_->create(ctx("CreateToken"), r);
  }
  std::string approved_code(const registered_client& c, const issued_session& s) {
    auto id = requests_->begin(ctx("Authorize"), request_for(c));
    EXPECT_TRUE(id) << (id ? "" : id.error().description);
    auto url = requests_->decide(ctx("ApproveAuthorizationRequest"), approver_of(s), id.value_or(""), true);
    EXPECT_TRUE(url);
    return code_of(url.value_or(""));
  }
};

TEST_F(code_flow_test, approval_redirects_to_the_loopback_uri_with_code_and_state) {
  auto c = register_code_client();
  auto s = sign_in();
  auto id = requests_->begin(ctx("Authorize"), request_for(c));
  ASSERT_TRUE(id) << id.error().description;
  auto p = requests_->lookup(*id);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->client_name, "botocore-client-auth");
  auto url = requests_->decide(ctx("ApproveAuthorizationRequest"), approver_of(s), *id, true);
  ASSERT_TRUE(url);
  EXPECT_TRUE(url->starts_with(std::string(redirect) + "?code=atac_")) << *url;
  EXPECT_TRUE(url->ends_with("&state=state-1234")) << *url;
  auto t = exchange(c, code_of(*url));
  ASSERT_TRUE(t) << t.error().description;
  EXPECT_TRUE(valid(t->access_token));
  EXPECT_FALSE(t->refresh_token.empty());
  // Decided once.
  EXPECT_FALSE(requests_->lookup(*id));
}

TEST_F(code_flow_test, a_wrong_verifier_or_redirect_uri_is_refused) {
  auto c = register_code_client();
  auto code = approved_code(c, sign_in());
  auto wrong = exchange(c, code, std::string(43, 'a'));
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().code, oauth_errc::invalid_grant);
  auto other_port = exchange(c, code, verifier, "http://127.0.0.1:9999/oauth/callback");
  ASSERT_FALSE(other_port);
  EXPECT_EQ(other_port.error().code, oauth_errc::invalid_grant);
  EXPECT_TRUE(exchange(c, code));
}

TEST_F(code_flow_test, a_code_used_twice_is_refused_and_revokes_what_the_first_use_got) {
  auto c = register_code_client();
  auto code = approved_code(c, sign_in());
  auto first = exchange(c, code);
  ASSERT_TRUE(first);
  auto second = exchange(c, code);
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().code, oauth_errc::invalid_grant);
  EXPECT_FALSE(valid(first->access_token));
}

TEST_F(code_flow_test, a_code_expires_after_five_minutes) {
  auto c = register_code_client();
  auto code = approved_code(c, sign_in());
  clk_.advance(5min);
  auto t = exchange(c, code);
  ASSERT_FALSE(t);
  EXPECT_EQ(t.error().code, oauth_errc::invalid_grant);
}

TEST_F(code_flow_test, a_denial_redirects_with_access_denied) {
  auto c = register_code_client();
  auto id = requests_->begin(ctx("Authorize"), request_for(c));
  ASSERT_TRUE(id);
  auto url = requests_->decide(ctx("DenyAuthorizationRequest"), approver_of(sign_in()), *id, false);
  ASSERT_TRUE(url);
  EXPECT_EQ(*url, std::string(redirect) + "?error=access_denied&state=state-1234");
}

TEST_F(code_flow_test, requests_the_client_did_not_register_are_refused) {
  auto c = register_code_client();
  auto r = request_for(c);
  r.redirect_uri = "https://evil.example/callback";
  auto a = requests_->begin(ctx("Authorize"), r);
  ASSERT_FALSE(a);
  EXPECT_EQ(a.error().code, oauth_errc::invalid_redirect_uri);
  r = request_for(c);
  r.redirect_uri = "http://127.0.0.1:53682/elsewhere";
  EXPECT_EQ(requests_->begin(ctx("Authorize"), r).error().code, oauth_errc::invalid_redirect_uri);
  r = request_for(c);
  r.code_challenge_method = "plain";
  EXPECT_EQ(requests_->begin(ctx("Authorize"), r).error().code, oauth_errc::invalid_request);
  r = request_for(c);
  r.code_challenge.clear();
  EXPECT_EQ(requests_->begin(ctx("Authorize"), r).error().code, oauth_errc::invalid_request);
  r = request_for(c);
  r.scopes = {"sso:account:access", "admin"};
  EXPECT_EQ(requests_->begin(ctx("Authorize"), r).error().code, oauth_errc::invalid_scope);
  r = request_for(c);
  r.client_id = "unknown";
  EXPECT_EQ(requests_->begin(ctx("Authorize"), r).error().code, oauth_errc::invalid_client);
  // A device-flow client did not register the code grant.
  auto legacy = register_cli(true);
  EXPECT_EQ(requests_->begin(ctx("Authorize"), request_for(legacy)).error().code, oauth_errc::invalid_redirect_uri);
}

TEST_F(code_flow_test, the_redirect_keeps_a_query_the_client_registered_and_encodes_the_state) {
  EXPECT_EQ(with_query("http://127.0.0.1/cb?x=1", {{"code", "c"}, {"state", "a b&c"}}),
            "http://127.0.0.1/cb?x=1&code=c&state=a%20b%26c");
}

}  // namespace

}  // namespace atrium::service::oidc::testing
