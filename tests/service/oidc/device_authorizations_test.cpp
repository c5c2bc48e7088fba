// The device authorization grant (RFC 8628) from StartDeviceAuthorization through the portal's
// decision to CreateToken: user codes, the polling interval and slow_down, expiry, single use,
// denial, and the wrong-code throttle of the verification page.
#include "service/oidc/device_authorizations.hpp"

#include <regex>

#include "oidc_fixture.hpp"

namespace atrium::service::oidc::testing {

namespace {

class device_flow_test : public oidc_fixture {};

TEST_F(device_flow_test, start_hands_out_a_user_code_of_the_unambiguous_alphabet_for_ten_minutes) {
  auto c = register_cli(false);
  auto d = start(c);
  EXPECT_TRUE(std::regex_match(d.user_code, std::regex("^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$")))
      << d.user_code;
  EXPECT_EQ(d.expires_in, 600);
  EXPECT_EQ(d.interval, 1);
  EXPECT_TRUE(parse_secret(d.device_code, secret_kind::device_code));
  // Neither code is stored as such.
  ASSERT_TRUE(db_->read([&](store::transaction& tx) -> result<void> {
    auto a = tx.oidc().get_authorization(d.device_code);
    EXPECT_TRUE(a && !*a);
    auto b = tx.oidc().get_authorization(secret_id(d.device_code));
    EXPECT_TRUE(b && *b);
    EXPECT_EQ((*b)->user_code_hash.size(), 64u);
    return {};
  }));
}

TEST_F(device_flow_test, start_refuses_a_wrong_secret_and_another_start_url) {
  auto c = register_cli(false);
  auto bad = devices_->start(ctx("StartDeviceAuthorization"), c.client_id, "atcs_" + std::string(43, 'A'), start_url);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, oauth_errc::invalid_client);
  auto other = devices_->start(ctx("StartDeviceAuthorization"), c.client_id, c.client_secret, "https://evil.test/start");
  ASSERT_FALSE(other);
  EXPECT_EQ(other.error().code, oauth_errc::invalid_request);
  // The start URL as the CLI may write it, with a trailing slash or #.
  EXPECT_TRUE(devices_->start(ctx("StartDeviceAuthorization"), c.client_id, c.client_secret,
                              std::string(start_url) + "/#"));
}

TEST_F(device_flow_test, polling_before_the_decision_is_pending_and_faster_than_the_interval_slows_down) {
  auto c = register_cli(false);
  auto d = start(c);
  // The AWS CLI 2.9.19 polls twice back to back before it first waits: the first is pending,
  // the second slow_down (never a fatal error).
  auto first = poll(c, d);
  ASSERT_FALSE(first);
  EXPECT_EQ(first.error().code, oauth_errc::authorization_pending);
  auto second = poll(c, d);
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().code, oauth_errc::slow_down);
  // The interval is now 1 + 5 s: a poll 5 s later is still too early, and slows down again.
  clk_.advance(5s);
  auto early = poll(c, d);
  ASSERT_FALSE(early);
  EXPECT_EQ(early.error().code, oauth_errc::slow_down);
  // 11 s (1 + 5 + 5) after the last poll it is pending again.
  clk_.advance(11s);
  auto later = poll(c, d);
  ASSERT_FALSE(later);
  EXPECT_EQ(later.error().code, oauth_errc::authorization_pending);
}

TEST_F(device_flow_test, a_client_polling_exactly_at_the_interval_never_slows_down) {
  auto c = register_cli(false);
  auto d = start(c);
  for (int i = 0; i < 20; ++i) {
    auto r = poll(c, d);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, oauth_errc::authorization_pending) << "poll " << i;
    clk_.advance(std::chrono::seconds(d.interval));
  }
}

TEST_F(device_flow_test, an_approved_code_gives_tokens_once_for_what_is_left_of_the_session) {
  auto session = sign_in();
  clk_.advance(1h);  // the session started an hour ago: seven of its eight hours are left
  auto c = register_cli(true);
  auto d = start(c);
  ASSERT_TRUE(devices_->decide(ctx("ApproveDeviceAuthorization"), approver_of(session), d.user_code, true));
  auto t = poll(c, d);
  ASSERT_TRUE(t) << t.error().description;
  EXPECT_EQ(t->expires_in, 7 * 3600);
  EXPECT_TRUE(parse_secret(t->access_token, secret_kind::access_token));
  EXPECT_TRUE(parse_secret(t->refresh_token, secret_kind::refresh_token));
  EXPECT_TRUE(valid(t->access_token));
  // A device code is single use.
  auto again = poll(c, d);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, oauth_errc::invalid_grant);
  // CreateToken's record names the user and hides the tokens.
  EXPECT_EQ(audit_count("CreateToken"), 1);
  for (const auto& r : last_records_) {
    if (r.event_name != "CreateToken") continue;
    EXPECT_NE(r.json.find("\"userName\":\"alice\""), std::string::npos) << r.json;
    EXPECT_NE(r.json.find("HIDDEN_DUE_TO_SECURITY_REASONS"), std::string::npos);
    EXPECT_EQ(r.json.find(t->access_token), std::string::npos);
    EXPECT_EQ(r.json.find(t->refresh_token), std::string::npos);
  }
}

TEST_F(device_flow_test, a_legacy_registration_gets_no_refresh_token) {
  auto t = login(sign_in(), false);
  EXPECT_FALSE(t.access_token.empty());
  EXPECT_TRUE(t.refresh_token.empty());
}

TEST_F(device_flow_test, a_denied_code_answers_access_denied) {
  auto session = sign_in();
  auto c = register_cli(false);
  auto d = start(c);
  auto denied = devices_->decide(ctx("DenyDeviceAuthorization"), approver_of(session), d.user_code, false);
  ASSERT_TRUE(denied);
  auto t = poll(c, d);
  ASSERT_FALSE(t);
  EXPECT_EQ(t.error().code, oauth_errc::access_denied);
  // Decided once: the code cannot be approved after a denial.
  auto late = devices_->decide(ctx("ApproveDeviceAuthorization"), approver_of(session), d.user_code, true);
  ASSERT_FALSE(late);
  EXPECT_EQ(late.error().code, errc::not_found);
  EXPECT_EQ(audit_count("DenyDeviceAuthorization"), 1);
}

TEST_F(device_flow_test, an_expired_code_answers_expired_token_and_cannot_be_approved) {
  auto session = sign_in();
  auto c = register_cli(false);
  auto d = start(c);
  clk_.advance(600s);
  auto t = poll(c, d);
  ASSERT_FALSE(t);
  EXPECT_EQ(t.error().code, oauth_errc::expired_token);
  EXPECT_FALSE(devices_->decide(ctx("ApproveDeviceAuthorization"), approver_of(session), d.user_code, true));
}

TEST_F(device_flow_test, another_client_cannot_redeem_the_code) {
  auto session = sign_in();
  auto c = register_cli(false);
  auto other = register_cli(false);
  auto d = start(c);
  ASSERT_TRUE(devices_->decide(ctx("ApproveDeviceAuthorization"), approver_of(session), d.user_code, true));
  auto stolen = poll(other, d);
  ASSERT_FALSE(stolen);
  EXPECT_EQ(stolen.error().code, oauth_errc::invalid_grant);
  EXPECT_TRUE(poll(c, d));
}

TEST_F(device_flow_test, lookup_reads_the_code_however_it_is_typed_and_names_the_client) {
  auto session = sign_in();
  auto c = register_cli(false);
  auto d = start(c);
  std::string typed = d.user_code;
  for (auto& ch : typed) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  typed.erase(4, 1);
  auto p = devices_->lookup(approver_of(session), typed);
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_EQ(p->user_code, d.user_code);
  EXPECT_EQ(p->client_name, "botocore-client-test");
}

TEST_F(device_flow_test, wrong_codes_are_throttled_per_session_and_per_address) {
  auto session = sign_in();
  auto who = approver_of(session);
  for (int i = 0; i < 5; ++i) {
    auto r = devices_->lookup(who, "BCDF-GHJK");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, errc::not_found);
  }
  // The sixth try is refused before the code is looked at, even a right one.
  auto c = register_cli(false);
  auto d = start(c);
  auto r = devices_->lookup(who, d.user_code);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, errc::throttled);
  EXPECT_EQ(r.error().resource_type, "retry_after");
  // Another session from another address is not affected...
  auto other = sign_in("u-bob");
  auto fresh = approver_of(other, "bob");
  fresh.source_ip = "198.51.100.1";
  EXPECT_TRUE(devices_->lookup(fresh, d.user_code));
  // ...and the window ends (the code above has expired by then: a new one).
  clk_.advance(15min);
  EXPECT_TRUE(devices_->lookup(who, start(c).user_code));
}

TEST_F(device_flow_test, one_address_is_throttled_across_sessions) {
  for (int s = 0; s < 4; ++s) {
    auto session = sign_in();
    for (int i = 0; i < 5; ++i) (void)devices_->lookup(approver_of(session), "BCDF-GHJK");
  }
  auto r = devices_->lookup(approver_of(sign_in()), "BCDF-GHJK");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, errc::throttled);
}

TEST_F(device_flow_test, approval_binds_the_tokens_to_the_session_that_approved) {
  auto session = sign_in();
  auto t = login(session);
  ASSERT_TRUE(valid(t.access_token));
  // Signing out of the portal ends the session: the CLI's tokens end with it.
  ASSERT_TRUE(sessions_->end(ctx("Logout"), session.token));
  EXPECT_FALSE(valid(t.access_token));
  auto r = refresh(last_client_, t.refresh_token);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, oauth_errc::invalid_grant);
}

}  // namespace

}  // namespace atrium::service::oidc::testing
