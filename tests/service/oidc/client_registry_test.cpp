// RegisterClient: what a public client may register, the secret shown once and stored as a hash,
// the 90-day registration, and client authentication.
#include "service/oidc/client_registry.hpp"

#include "oidc_fixture.hpp"

namespace atrium::service::oidc::testing {

namespace {

class client_registry_test : public oidc_fixture {
 protected:
  oauth_result<registered_client> reg(client_registration r) { return clients_->register_client(ctx("RegisterClient"), r); }
  oauth_result<store::oidc_client_record> auth(const std::string& id, const std::string& secret) {
    std::optional<oauth_result<store::oidc_client_record>> out;
    EXPECT_TRUE(db_->read([&](store::transaction& tx) -> result<void> {
      out = clients_->authenticate(tx, id, secret);
      return {};
    }));
    return *out;
  }
};

TEST_F(client_registry_test, the_secret_is_shown_once_and_stored_as_its_hash) {
  auto c = register_cli(true);
  EXPECT_TRUE(parse_secret(c.client_secret, secret_kind::client_secret));
  EXPECT_EQ(c.expires_at - c.issued_at, std::chrono::hours(24 * 90));
  ASSERT_TRUE(db_->read([&](store::transaction& tx) -> result<void> {
    auto rec = tx.oidc().get_client(c.client_id);
    EXPECT_TRUE(rec && *rec);
    EXPECT_EQ((*rec)->secret_hash, crypto::sha256_hex(c.client_secret));
    EXPECT_EQ((*rec)->scopes, std::vector<std::string>{"sso:account:access"});
    return {};
  }));
  EXPECT_EQ(audit_count("RegisterClient"), 1);
  for (const auto& r : last_records_) EXPECT_EQ(r.json.find(c.client_secret), std::string::npos) << r.json;
}

TEST_F(client_registry_test, authentication_needs_the_right_secret_and_a_live_registration) {
  auto c = register_cli(false);
  EXPECT_TRUE(auth(c.client_id, c.client_secret));
  EXPECT_EQ(auth(c.client_id, c.client_secret + "x").error().code, oauth_errc::invalid_client);
  EXPECT_EQ(auth("nobody", c.client_secret).error().code, oauth_errc::invalid_client);
  clk_.advance(std::chrono::hours(24 * 90));
  EXPECT_EQ(auth(c.client_id, c.client_secret).error().code, oauth_errc::invalid_client);
}

TEST_F(client_registry_test, refuses_what_a_public_cli_client_does_not_register) {
  client_registration ok{"cli", "public", {}, {}, {}, ""};
  auto r = ok;
  r.type = "confidential";
  EXPECT_EQ(reg(r).error().code, oauth_errc::invalid_client_metadata);
  r = ok;
  r.name = "";
  EXPECT_EQ(reg(r).error().code, oauth_errc::invalid_client_metadata);
  r = ok;
  r.name = std::string(129, 'n');
  EXPECT_EQ(reg(r).error().code, oauth_errc::invalid_client_metadata);
  r = ok;
  r.scopes = {"sso:account:access", "codewhisperer:everything"};
  EXPECT_EQ(reg(r).error().code, oauth_errc::invalid_scope);
  r = ok;
  r.grant_types = {"client_credentials"};
  EXPECT_EQ(reg(r).error().code, oauth_errc::unsupported_grant_type);
  r = ok;
  r.grant_types = {"authorization_code"};
  EXPECT_EQ(reg(r).error().code, oauth_errc::invalid_redirect_uri);
  for (const char* uri : {"https://127.0.0.1/cb", "http://localhost/cb", "http://evil.example/cb",
                          "http://127.0.0.1@evil.example/cb", "http://127.0.0.1/cb#frag", "http://127.0.0.1:0/cb"}) {
    r = ok;
    r.grant_types = {"authorization_code"};
    r.redirect_uris = {uri};
    EXPECT_EQ(reg(r).error().code, oauth_errc::invalid_redirect_uri) << uri;
  }
  EXPECT_TRUE(reg(ok));
}

TEST_F(client_registry_test, legacy_clients_use_the_device_code_and_refresh_grants) {
  store::oidc_client_record legacy;
  EXPECT_TRUE(client_registry::allows_grant(legacy, domain::oidc::device_code_grant));
  EXPECT_TRUE(client_registry::allows_grant(legacy, "refresh_token"));
  EXPECT_FALSE(client_registry::allows_grant(legacy, "authorization_code"));
  store::oidc_client_record code;
  code.grant_types = {"authorization_code", "refresh_token"};
  EXPECT_FALSE(client_registry::allows_grant(code, domain::oidc::device_code_grant));
  EXPECT_TRUE(client_registry::allows_grant(code, "authorization_code"));
}

}  // namespace

}  // namespace atrium::service::oidc::testing
