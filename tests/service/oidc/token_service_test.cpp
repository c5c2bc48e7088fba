// Tokens of command-line access: refresh rotation and reuse detection (the whole family revoked),
// and every way a token ends at once: Logout, signing out of the portal, the user disabled or
// deleted, the session's end. Logout leaves the client registration usable.
#include "service/oidc/token_service.hpp"

#include "oidc_fixture.hpp"

namespace atrium::service::oidc::testing {

namespace {

class token_service_test : public oidc_fixture {};

TEST_F(token_service_test, a_refresh_token_rotates_and_the_spent_one_is_refused) {
  auto t = login(sign_in());
  auto next = refresh(last_client_, t.refresh_token);
  ASSERT_TRUE(next) << next.error().description;
  EXPECT_NE(next->access_token, t.access_token);
  EXPECT_NE(next->refresh_token, t.refresh_token);
  EXPECT_TRUE(valid(next->access_token));
  auto again = refresh(last_client_, next->refresh_token);
  ASSERT_TRUE(again);
}

TEST_F(token_service_test, reusing_a_spent_refresh_token_revokes_the_whole_family) {
  auto t = login(sign_in());
  auto next = refresh(last_client_, t.refresh_token);
  ASSERT_TRUE(next);
  // Someone replays the first refresh token: both the thief's and the owner's tokens end.
  auto replay = refresh(last_client_, t.refresh_token);
  ASSERT_FALSE(replay);
  EXPECT_EQ(replay.error().code, oauth_errc::invalid_grant);
  EXPECT_FALSE(valid(t.access_token));
  EXPECT_FALSE(valid(next->access_token));
  auto owner = refresh(last_client_, next->refresh_token);
  ASSERT_FALSE(owner);
  EXPECT_EQ(owner.error().code, oauth_errc::invalid_grant);
}

TEST_F(token_service_test, another_client_cannot_use_the_refresh_token) {
  auto t = login(sign_in());
  auto mine = last_client_;
  auto other = register_cli(true);
  auto r = refresh(other, t.refresh_token);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, oauth_errc::invalid_grant);
  EXPECT_TRUE(refresh(mine, t.refresh_token));
}

TEST_F(token_service_test, refresh_keeps_the_session_end) {
  auto session = sign_in();
  auto t = login(session);
  clk_.advance(7h + 50min);
  auto next = refresh(last_client_, t.refresh_token);
  ASSERT_TRUE(next);
  EXPECT_EQ(next->expires_in, 600);
  clk_.advance(10min);
  EXPECT_FALSE(valid(next->access_token));
  auto late = refresh(last_client_, next->refresh_token);
  ASSERT_FALSE(late);
  EXPECT_EQ(late.error().code, oauth_errc::invalid_grant);
}

TEST_F(token_service_test, logout_ends_every_token_of_the_session_but_not_the_client) {
  auto session = sign_in();
  auto t = login(session);
  auto client = last_client_;
  auto d2 = start(client);  // a second CLI window of the same sign-in
  ASSERT_TRUE(devices_->decide(ctx("ApproveDeviceAuthorization"), approver_of(session), d2.user_code, true));
  auto t2 = poll(client, d2);
  ASSERT_TRUE(t2);
  auto who = tokens_->authenticate(t.access_token);
  ASSERT_TRUE(who);
  ASSERT_TRUE(tokens_->logout(ctx("Logout"), *who));
  EXPECT_FALSE(valid(t.access_token));
  EXPECT_FALSE(valid(t2->access_token));
  EXPECT_FALSE(refresh(client, t.refresh_token));
  // The portal session went too.
  auto s = sessions_->validate(session.token);
  ASSERT_TRUE(s);
  EXPECT_FALSE(*s);
  // The CLI keeps its registration across logins and after logout.
  EXPECT_TRUE(devices_->start(ctx("StartDeviceAuthorization"), client.client_id, client.client_secret, start_url));
  EXPECT_EQ(audit_count("Logout"), 1);
}

TEST_F(token_service_test, a_disabled_user_has_no_valid_token_and_cannot_refresh) {
  auto t = login(sign_in());
  set_active("u-alice", false);
  EXPECT_FALSE(valid(t.access_token));
  auto r = refresh(last_client_, t.refresh_token);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, oauth_errc::invalid_grant);
  set_active("u-alice", true);
  EXPECT_TRUE(valid(t.access_token));  // nothing was deleted: enabling restores the session
}

TEST_F(token_service_test, a_deleted_user_takes_their_tokens_along) {
  auto t = login(sign_in());
  ASSERT_TRUE(db_->write([&](store::transaction& tx) -> result<void> {
    auto gone = tx.users().remove("u-alice");
    if (!gone) return std::unexpected(gone.error());
    return {};
  }));
  EXPECT_FALSE(valid(t.access_token));
}

TEST_F(token_service_test, tokens_of_one_user_name_that_user) {
  auto ta = login(sign_in("u-alice"));
  auto tb = login(sign_in("u-bob"), true, "bob");
  auto a = tokens_->authenticate(ta.access_token);
  auto b = tokens_->authenticate(tb.access_token);
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->user.id, "u-alice");
  EXPECT_EQ(b->user.id, "u-bob");
}

TEST_F(token_service_test, malformed_unknown_and_wrong_kind_tokens_are_refused) {
  auto t = login(sign_in());
  EXPECT_FALSE(valid(""));
  EXPECT_FALSE(valid("atat_"));
  EXPECT_FALSE(valid("atat_" + std::string(43, 'A')));
  EXPECT_FALSE(valid(t.refresh_token));  // a refresh token is not a bearer token
  EXPECT_TRUE(valid(" " + t.access_token + " "));
}

TEST_F(token_service_test, unsupported_grant_types_and_bad_clients_are_refused) {
  auto c = register_cli(true);
  token_request r;
  r.grant_type = "password";
  r.client_id = c.client_id;
  r.client_secret = c.client_secret;
  auto a = tokens_->create(ctx("CreateToken"), r);
  ASSERT_FALSE(a);
  EXPECT_EQ(a.error().code, oauth_errc::unsupported_grant_type);
  r.grant_type = "refresh_token";
  r.refresh_token = "atrt_" + std::string(43, 'x');
  r.client_secret = "nope";
  auto b = tokens_->create(ctx("CreateToken"), r);
  ASSERT_FALSE(b);
  EXPECT_EQ(b.error().code, oauth_errc::invalid_client);
  r.client_secret = c.client_secret;
  r.grant_type = "authorization_code";  // not registered by a device-flow client
  auto d = tokens_->create(ctx("CreateToken"), r);
  ASSERT_FALSE(d);
  EXPECT_EQ(d.error().code, oauth_errc::unauthorized_client);
  r.grant_type = "refresh_token";
  r.scopes = {"sso:account:access", "openid"};
  auto e = tokens_->create(ctx("CreateToken"), r);
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().code, oauth_errc::invalid_scope);
}

TEST_F(token_service_test, purge_removes_what_expired) {
  auto session = sign_in();
  auto t = login(session);
  clk_.advance(24h * 91);
  tokens_->purge_expired();
  ASSERT_TRUE(db_->write([](store::transaction&) -> result<void> { return {}; }));  // the detached write is done
  ASSERT_TRUE(db_->read([&](store::transaction& tx) -> result<void> {
    auto c = tx.oidc().get_client(last_client_.client_id);
    EXPECT_TRUE(c && !*c);
    auto tok = tx.oidc().get_token(secret_id(t.access_token));
    EXPECT_TRUE(tok && !*tok);
    return {};
  }));
}

}  // namespace

}  // namespace atrium::service::oidc::testing
