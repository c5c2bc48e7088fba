// The sign-in workflow against the real SQLite store, password and MFA services, a manual
// clock and a fake mailer: the MFA decision table, the guide's sign-in event sequences
// ("Understanding AWS SSO sign-in events") field by field, no enumeration, throttling.
#include "service/signin/sign_in_service.hpp"

#include <gtest/gtest.h>

#include <future>
#include <nlohmann/json.hpp>
#include <thread>

#include "crypto/password_hash.hpp"
#include "crypto/primitives.hpp"
#include "crypto/totp.hpp"
#include "sign_in_fixture.hpp"
#include "store/credential_repository.hpp"
#include "store/transient_state_repository.hpp"

namespace atrium::service {

namespace {

using nlohmann::json;
using namespace std::chrono_literals;
using sign_in_testing::locked_random;

// ---- decisions -------------------------------------------------------------------------------

struct decision_row {
  mfa_mode mode;
  no_device_policy without;
  bool totp, webauthn, trusted;
  sign_in_step next;
  std::vector<std::string> methods;
  bool blocked;
};

TEST(decide_mfa, table_of_settings_devices_and_context) {
  using enum mfa_mode;
  using enum no_device_policy;
  using enum sign_in_step;
  const std::vector<decision_row> rows = {
      // mode           without device        totp   webauthn trusted -> next      methods               blocked
      {disabled, require_registration, true, true, false, done, {}, false},
      {disabled, block, false, false, false, done, {}, false},
      {context_aware, require_registration, true, false, false, mfa, {"TOTP"}, false},
      {context_aware, require_registration, true, true, false, mfa, {"TOTP", "WEBAUTHN"}, false},
      {context_aware, require_registration, true, true, true, done, {}, false},
      {context_aware, block, false, false, true, done, {}, false},  // the guide's "Important" note
      {context_aware, require_registration, false, false, false, register_mfa, {"TOTP", "WEBAUTHN"}, false},
      {context_aware, email_code, false, false, false, mfa, {"EMAIL_OTP"}, false},
      {context_aware, block, false, false, false, done, {}, true},
      {context_aware, allow, false, false, false, done, {}, false},
      {always_on, require_registration, true, false, true, mfa, {"TOTP"}, false},
      {always_on, require_registration, false, true, true, mfa, {"WEBAUTHN"}, false},
      {always_on, allow, false, false, true, done, {}, false},
      {always_on, block, false, false, true, done, {}, true},
      {always_on, email_code, false, false, true, mfa, {"EMAIL_OTP"}, false},
  };
  for (const auto& r : rows) {
    mfa_settings s;
    s.mode = r.mode;
    s.without_device = r.without;
    auto d = decide_mfa(s, r.totp, r.webauthn, r.trusted);
    SCOPED_TRACE(std::string(to_string(r.mode)) + "/" + to_string(r.without) + " totp=" + std::to_string(r.totp) +
                 " webauthn=" + std::to_string(r.webauthn) + " trusted=" + std::to_string(r.trusted));
    EXPECT_EQ(d.next, r.next);
    EXPECT_EQ(d.methods, r.methods);
    EXPECT_EQ(d.blocked, r.blocked);
  }
}

TEST(decide_mfa, disallowed_types_are_neither_asked_nor_offered) {
  mfa_settings s;
  s.webauthn_allowed = false;
  auto d = decide_mfa(s, false, true, false);  // only a security key, which is no longer allowed
  EXPECT_EQ(d.next, sign_in_step::register_mfa);
  EXPECT_EQ(d.methods, std::vector<std::string>{"TOTP"});
}

// ---- the workflow ----------------------------------------------------------------------------

class sign_in_test : public sign_in_testing::sign_in_fixture {};

// The AuthWorkflowID of the events: the workflow id's part before its sealed state.
std::string auth_id(const sign_in_answer& a) { return std::string(sign_in_service::auth_workflow_id(a.workflow_id)); }

TEST_F(sign_in_test, password_only_sign_in_writes_the_guides_three_events) {
  set_mode(mfa_mode::disabled);
  auto s = svc_->start(client_, "USER1");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->next, sign_in_step::password);
  auto d = svc_->password(client_, s->workflow_id, "Correct-Horse-9");
  ASSERT_TRUE(d) << d.error().message;
  EXPECT_EQ(d->next, sign_in_step::done);
  EXPECT_EQ(d->session_token.size(), 43u);
  auto v = sessions_->validate(d->session_token);
  ASSERT_TRUE(v && *v);
  EXPECT_EQ((*v)->user.id, "u-1");
  auto ev = events();
  ASSERT_EQ(ev.size(), 3u);
  const char* names[] = {"CredentialChallenge", "CredentialVerification", "UserAuthentication"};
  for (int i = 0; i < 3; ++i) {
    expect_guide_shape(ev[i], names[i], "user1");
    EXPECT_EQ(ev[i]["serviceEventDetails"], json({{names[i], "Success"}}));
    EXPECT_EQ(ev[i]["additionalEventData"]["AuthWorkflowID"], auth_id(*s));
    EXPECT_EQ(ev[i]["additionalEventData"]["CredentialType"], "PASSWORD");
  }
  EXPECT_EQ(ev[2]["additionalEventData"]["LoginTo"], "https://portal.example.com/portal/");
  EXPECT_FALSE(ev[2]["additionalEventData"].contains("DeviceEnrollmentRequired"));
  EXPECT_EQ(ev[0]["additionalEventData"].size(), 2u);
}

// Issue 18 item 6: a password sign-in is one commit: start writes no state (its token carries
// the started sign-in) and batches its CredentialChallenge with the next commit; the session's
// commit carries CredentialVerification and UserAuthentication and takes the workflow's id.
TEST_F(sign_in_test, a_password_sign_in_is_one_commit_and_its_three_events) {
  set_mode(mfa_mode::disabled);
  // The first sign-in also sweeps expired rows and purges sessions (once a minute / ten minutes).
  auto first = svc_->start(client_, "user1");
  ASSERT_TRUE(first);
  ASSERT_TRUE(svc_->password(client_, first->workflow_id, "Correct-Horse-9"));
  int before = counted_->writes;
  auto s = svc_->start(client_, "user1");
  ASSERT_TRUE(s);
  EXPECT_EQ(counted_->writes - before, 0);
  auto d = svc_->password(client_, s->workflow_id, "Correct-Horse-9");
  ASSERT_TRUE(d) << d.error().message;
  EXPECT_EQ(d->next, sign_in_step::done);
  EXPECT_EQ(counted_->writes - before, 1);
  // The three events are in the store's audit table, not only in the export file.
  ASSERT_TRUE(db_->flush());
  int in_store = 0;
  ASSERT_TRUE(db_->read([&](store::transaction& tx) -> result<void> {
    auto rows = tx.audit().query({});
    if (!rows) return std::unexpected(rows.error());
    for (const auto& r : *rows)
      if (r.json.find(auth_id(*s)) != std::string::npos) ++in_store;
    return {};
  }));
  EXPECT_EQ(in_store, 3);
  // The finished sign-in's id stays taken until its token expires: the token is used once.
  auto again = svc_->password(client_, s->workflow_id, "Correct-Horse-9");
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, errc::not_found);
  EXPECT_EQ(svc_->workflows_pending().value_or(-1), 2);  // both sign-ins' ids
  // The used ids outlive their 10-minute tokens by 5 minutes (a node whose clock runs ahead
  // must not sweep a row whose token is still good on another node), then go.
  clk_.advance(11min);
  EXPECT_EQ(svc_->workflows_pending().value_or(-1), 2);
  EXPECT_EQ(svc_->password(client_, s->workflow_id, "Correct-Horse-9").error().code, errc::not_found);
  clk_.advance(5min);
  EXPECT_EQ(svc_->workflows_pending().value_or(-1), 0);
}

// The started sign-in the browser holds: sealed (no user name, id or anything the store knows
// in it, and the same length for a known and an unknown name of one length), bound to its
// AuthWorkflowID, valid for the workflow's 10 minutes, and nothing else passes for one.
TEST_F(sign_in_test, a_started_sign_in_token_tells_nothing_and_cannot_be_forged_or_outlive_its_ttl) {
  set_mode(mfa_mode::disabled);
  auto known = svc_->start(client_, "user1");
  auto unknown = svc_->start(client_, "userx");
  ASSERT_TRUE(known && unknown);
  EXPECT_EQ(known->workflow_id.size(), unknown->workflow_id.size());
  EXPECT_EQ(known->workflow_id.find("u-1"), std::string::npos);
  EXPECT_EQ(auth_id(*known).size(), 36u);
  // Another AuthWorkflowID in front of the sealed part, a sealed value of another kind, a
  // flipped character: each is no sign-in.
  auto sealed = known->workflow_id.substr(known->workflow_id.find('.'));
  std::vector<std::string> forged = {auth_id(*unknown) + sealed,
                                     auth_id(*known) + "." + box_->seal("sign-in/1\n" + auth_id(*known)),
                                     auth_id(*known) + "." + box_->seal("Correct-Horse-9"), "no-such-workflow",
                                     known->workflow_id};
  auto& flipped = forged.back()[known->workflow_id.size() - 20];
  flipped = flipped == 'A' ? 'B' : 'A';
  for (const auto& f : forged) {
    auto r = svc_->password(client_, f, "Correct-Horse-9");
    ASSERT_FALSE(r) << f;
    EXPECT_EQ(r.error().code, errc::not_found) << f;
  }
  clk_.advance(10min);
  auto late = svc_->password(client_, known->workflow_id, "Correct-Horse-9");
  ASSERT_FALSE(late);
  EXPECT_EQ(late.error().code, errc::not_found);
}

// Issue 18 item 6: the password step reads its workflow, the throttle's counters, the password
// row and the MFA settings and devices in one snapshot (it took five), and the start step reads
// the user once.
TEST_F(sign_in_test, each_step_of_a_password_sign_in_is_one_read_transaction) {
  for (auto mode : {mfa_mode::disabled, mfa_mode::context_aware, mfa_mode::always_on}) {
    set_mode(mode, no_device_policy::allow);
    auto warm = svc_->start(client_, "user1");  // the first start also counts workflows in progress
    ASSERT_TRUE(warm);
    ASSERT_TRUE(svc_->password(client_, warm->workflow_id, "Correct-Horse-9"));
    int reads = counted_->reads, writes = counted_->writes;
    auto s = svc_->start(client_, "user1");
    ASSERT_TRUE(s);
    EXPECT_EQ(counted_->reads - reads, 1);
    auto d = svc_->password(client_, s->workflow_id, "Correct-Horse-9");
    ASSERT_TRUE(d) << d.error().message;
    EXPECT_EQ(d->next, sign_in_step::done);
    EXPECT_EQ(counted_->reads - reads, 2) << static_cast<int>(mode);
    EXPECT_EQ(counted_->writes - writes, 1);
  }
}

// The merged read still checks the throttle before the hash: a locked account is refused with
// Retry-After and no CredentialVerification event, and a wrong step is refused before both.
TEST_F(sign_in_test, the_merged_read_refuses_a_locked_account_before_the_hash) {
  set_mode(mfa_mode::disabled);
  for (int i = 0; i < 5; ++i) {
    auto s = svc_->start(client_, "user1");
    ASSERT_TRUE(s);
    auto bad = svc_->password(client_, s->workflow_id, "wrong");
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().code, errc::unauthenticated);
  }
  auto s = svc_->start(client_, "user1");
  ASSERT_TRUE(s);
  auto locked = svc_->password(client_, s->workflow_id, "Correct-Horse-9");
  ASSERT_FALSE(locked);
  EXPECT_EQ(locked.error().code, errc::throttled);
  EXPECT_EQ(locked.error().resource_id, "1");
  ASSERT_TRUE(db_->flush());  // whatever the step queued is written (and exported) by now
  for (const auto& e : events()) {  // no verification was attempted in this workflow
    if (e["additionalEventData"]["AuthWorkflowID"] == auth_id(*s)) {
      EXPECT_EQ(e["eventName"], "CredentialChallenge");
    }
  }
  auto gone = svc_->password(client_, "no-such-workflow", "Correct-Horse-9");
  ASSERT_FALSE(gone);
  EXPECT_EQ(gone.error().code, errc::not_found);
}

TEST_F(sign_in_test, failed_password_has_no_user_authentication_and_the_same_error_as_an_unknown_user) {
  auto s = svc_->start(client_, "user1");
  auto bad = svc_->password(client_, s->workflow_id, "wrong");
  ASSERT_FALSE(bad);
  auto u = svc_->start(client_, "nobody");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->next, sign_in_step::password);
  auto unknown = svc_->password(client_, u->workflow_id, "Correct-Horse-9");
  ASSERT_FALSE(unknown);
  EXPECT_EQ(bad.error().code, errc::unauthenticated);
  EXPECT_EQ(unknown.error().code, errc::unauthenticated);
  EXPECT_EQ(bad.error().message, unknown.error().message);
  auto ev = events();
  ASSERT_EQ(ev.size(), 4u);
  expect_guide_shape(ev[1], "CredentialVerification", "user1");
  EXPECT_EQ(ev[1]["serviceEventDetails"], json({{"CredentialVerification", "Failure"}}));
  EXPECT_EQ(ev[3]["userIdentity"]["userName"], "HIDDEN_DUE_TO_SECURITY_REASONS");
  for (const auto& e : ev) EXPECT_NE(e["eventName"], "UserAuthentication");
}

TEST_F(sign_in_test, domain_and_upn_names_resolve_case_insensitively) {
  for (std::string typed : {"CORP\\User1", "user1@corp.example.com", " user1 "}) {
    auto r = svc_->resolve(typed == " user1 " ? std::string("user1") : typed);
    ASSERT_TRUE(r);
    ASSERT_TRUE(*r) << typed;
    EXPECT_EQ((*r)->id, "u-1");
  }
  EXPECT_FALSE(*svc_->resolve("CORP\\someone"));
}

TEST_F(sign_in_test, totp_sign_in_lists_both_factors) {
  set_mode(mfa_mode::context_aware);
  call_context ctx;
  auto e = mfa_->begin_totp("u-1", "user1");
  ASSERT_TRUE(e);
  auto key = crypto::totp::from_base32(e->secret_base32);
  ASSERT_TRUE(key);
  ASSERT_TRUE(mfa_->finish_totp(ctx, "u-1", e->enrollment_id, crypto::totp::code_at(*key, clk_.now()), "phone"));
  clk_.advance(60s);
  auto s = svc_->start(client_, "user1");
  auto m = svc_->password(client_, s->workflow_id, "Correct-Horse-9");
  ASSERT_TRUE(m) << m.error().message;
  ASSERT_EQ(m->next, sign_in_step::mfa);
  EXPECT_EQ(m->methods, std::vector<std::string>{"TOTP"});
  auto wrong = svc_->mfa(client_, s->workflow_id, {"TOTP", "000000", {}, false});
  if (crypto::totp::code_at(*key, clk_.now()) != "000000") {
    ASSERT_FALSE(wrong);
  }
  auto done = svc_->mfa(client_, s->workflow_id, {"TOTP", crypto::totp::code_at(*key, clk_.now()), {}, true});
  ASSERT_TRUE(done) << done.error().message;
  EXPECT_EQ(done->next, sign_in_step::done);
  EXPECT_FALSE(done->device_token.empty()) << "trusted under context-aware MFA";
  auto ev = events();
  std::vector<std::string> seq;
  for (const auto& x : ev) seq.push_back(x["eventName"].get<std::string>() + ":" +
                                         x["additionalEventData"]["CredentialType"].get<std::string>());
  EXPECT_EQ(seq, (std::vector<std::string>{"CredentialChallenge:PASSWORD", "CredentialVerification:PASSWORD",
                                           "CredentialChallenge:TOTP", "CredentialVerification:TOTP",
                                           "CredentialVerification:TOTP", "UserAuthentication:PASSWORD,TOTP"}));
  EXPECT_EQ(ev[3]["serviceEventDetails"]["CredentialVerification"], "Failure");
  // The trusted browser is not challenged again; another address is.
  client_.device_token = done->device_token;
  auto again = svc_->start(client_, "user1");
  auto a2 = svc_->password(client_, again->workflow_id, "Correct-Horse-9");
  ASSERT_TRUE(a2);
  EXPECT_EQ(a2->next, sign_in_step::done);
  client_.source_ip = "198.51.100.1";
  auto moved = svc_->start(client_, "user1");
  auto a3 = svc_->password(client_, moved->workflow_id, "Correct-Horse-9");
  ASSERT_TRUE(a3);
  EXPECT_EQ(a3->next, sign_in_step::mfa);
}

TEST_F(sign_in_test, block_without_device_is_refused_after_the_password) {
  set_mode(mfa_mode::always_on, no_device_policy::block);
  auto s = svc_->start(client_, "user1");
  auto r = svc_->password(client_, s->workflow_id, "Correct-Horse-9");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, errc::access_denied);
}

TEST_F(sign_in_test, repeated_failures_are_throttled_for_known_and_unknown_names_alike) {
  for (std::string name : {"user1", "ghost"}) {
    auto s = svc_->start(client_, name);
    for (int i = 0; i < 5; ++i) ASSERT_EQ(svc_->password(client_, s->workflow_id, "nope").error().code, errc::unauthenticated);
    auto r = svc_->password(client_, s->workflow_id, "Correct-Horse-9");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, errc::throttled) << name;
    EXPECT_EQ(r.error().resource_id, "1");
  }
  clk_.advance(2s);
  auto s = svc_->start(client_, "user1");
  EXPECT_TRUE(svc_->password(client_, s->workflow_id, "Correct-Horse-9"));
}

TEST_F(sign_in_test, workflows_expire_after_ten_minutes) {
  auto s = svc_->start(client_, "user1");
  clk_.advance(10min);
  auto r = svc_->password(client_, s->workflow_id, "Correct-Horse-9");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, errc::not_found);
}

TEST_F(sign_in_test, a_disabled_user_signs_in_like_an_unknown_one) {
  ASSERT_TRUE(db_->write([&](store::transaction& tx) -> result<void> {
    auto u = **tx.users().get("u-1");
    u.active = false;
    ++u.version;
    return tx.users().update(u, u.version - 1);
  }));
  auto s = svc_->start(client_, "user1");
  auto r = svc_->password(client_, s->workflow_id, "Correct-Horse-9");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, errc::unauthenticated);
}

// ---- several nodes (issue 13 item 2) --------------------------------------------------------

// A second node: its own services over the same store (and master key), as a second process
// on the same database would have.
struct other_node {
  other_node(audited_store& store, mailer& mail, const crypto::secret_box& box, const clock& clk, random_source& rnd,
             store::database& db)
      : passwords(store, mail, clk, rnd, [] {
          password_settings ps;
          ps.argon2_memory_kib = 8192;
          ps.argon2_iterations = 1;
          return ps;
        }()),
        mfa(store, box, clk, rnd, mfa_options{"portal.example.com", "Atrium", "https://portal.example.com"}),
        sessions(store, clk, rnd),
        throttle(clk, login_throttle_settings{}, &db),
        svc(store, passwords, mfa, sessions, throttle, clk, rnd,
            sign_in_settings{"111122223333", "us-east-1", "https://portal.example.com/portal/"}) {}
  password_service passwords;
  mfa_service mfa;
  session_service sessions;
  login_throttle throttle;
  sign_in_service svc;
};

TEST_F(sign_in_test, a_sign_in_begun_on_one_node_is_finished_on_another_and_only_once) {
  set_mode(mfa_mode::always_on);
  // The enrollment begins here and is confirmed on the other node.
  locked_random rnd2{77};
  other_node b(*audited_, mail_, *box_, clk_, rnd2, *db_);
  call_context ctx;
  auto e = mfa_->begin_totp("u-1", "user1");
  ASSERT_TRUE(e);
  auto key = crypto::totp::from_base32(e->secret_base32);
  ASSERT_TRUE(key);
  auto code = crypto::totp::code_at(*key, clk_.now());
  ASSERT_TRUE(b.mfa.finish_totp(ctx, "u-1", e->enrollment_id, code, "phone"));
  auto twice = mfa_->finish_totp(ctx, "u-1", e->enrollment_id, code, "phone");
  ASSERT_FALSE(twice) << "confirmed once, on any node";
  EXPECT_EQ(twice.error().code, errc::validation);

  clk_.advance(60s);
  auto s = svc_->start(client_, "user1");
  ASSERT_TRUE(s);
  auto m = b.svc.password(client_, s->workflow_id, "Correct-Horse-9");
  ASSERT_TRUE(m) << m.error().message;
  ASSERT_EQ(m->next, sign_in_step::mfa);
  auto done = svc_->mfa(client_, s->workflow_id, {"TOTP", crypto::totp::code_at(*key, clk_.now()), {}, false});
  ASSERT_TRUE(done) << done.error().message;
  EXPECT_EQ(done->next, sign_in_step::done);
  auto again = b.svc.mfa(client_, s->workflow_id, {"TOTP", crypto::totp::code_at(*key, clk_.now() + 30s), {}, false});
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, errc::not_found) << "the finished workflow is gone for every node";
  auto replayed = b.svc.password(client_, s->workflow_id, "Correct-Horse-9");
  ASSERT_FALSE(replayed);
  EXPECT_EQ(replayed.error().code, errc::not_found) << "its token starts no second sign-in on any node";
}

TEST_F(sign_in_test, a_step_taken_meanwhile_on_another_node_makes_a_stale_step_out_of_order) {
  set_mode(mfa_mode::disabled);
  locked_random rnd2{78};
  other_node b(*audited_, mail_, *box_, clk_, rnd2, *db_);
  // A one-time password: the password step moves the workflow to new-password (and holds the
  // password, sealed, in the stored row).
  ASSERT_TRUE(db_->write([&](store::transaction& tx) -> result<void> {
    auto p = **tx.credentials().get_password("u-1");
    p.must_change = true;
    return tx.credentials().put_password(p);
  }));
  auto s = svc_->start(client_, "user1");
  auto p = svc_->password(client_, s->workflow_id, "Correct-Horse-9");
  ASSERT_TRUE(p) << p.error().message;
  ASSERT_EQ(p->next, sign_in_step::new_password);
  auto stale = b.svc.password(client_, s->workflow_id, "Correct-Horse-9");
  ASSERT_FALSE(stale);
  EXPECT_EQ(stale.error().code, errc::validation) << "the workflow is past its password step";
  std::string stored;
  ASSERT_TRUE(db_->read([&](store::transaction& tx) -> result<void> {
    auto row = tx.transient_state().get("sign-in", auth_id(*s), clk_.now());
    if (!row) return std::unexpected(row.error());
    if (*row) stored = (*row)->value;
    return {};
  }));
  ASSERT_FALSE(stored.empty());
  EXPECT_EQ(stored.find("Correct-Horse-9"), std::string::npos) << "the held password is sealed";
  auto n = b.svc.new_password(client_, s->workflow_id, "Brand-New-Pass-77");
  ASSERT_TRUE(n) << n.error().message;
  EXPECT_EQ(n->next, sign_in_step::done);
}

// ---- security review of the sign-in change ----------------------------------------------------

// start is anonymous: a locked address is refused before a token is sealed, with the password
// step's answer for a locked address (throttled, Retry-After), and nothing is written, not even
// the CredentialChallenge. Another address still starts.
TEST_F(sign_in_test, a_locked_address_is_refused_at_start_and_nothing_is_written) {
  set_mode(mfa_mode::disabled);
  for (int i = 0; i < throttle_->settings().address_free_failures; ++i)
    throttle_->failure("someone-" + std::to_string(i), client_.source_ip);
  ASSERT_TRUE(db_->flush());
  auto before = events().size();
  int writes = counted_->writes;
  auto s = svc_->start(client_, "user1");
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, errc::throttled);
  EXPECT_EQ(s.error().resource_id, "1");
  EXPECT_EQ(counted_->writes, writes) << "a refused start writes nothing";
  ASSERT_TRUE(db_->flush());
  EXPECT_EQ(events().size(), before) << "and records no CredentialChallenge";
  // The password step refuses the same address the same way.
  auto other = client_;
  other.source_ip = "198.51.100.7";
  auto elsewhere = svc_->start(other, "user1");
  ASSERT_TRUE(elsewhere) << elsewhere.error().message;
  auto locked = svc_->password(client_, elsewhere->workflow_id, "Correct-Horse-9");
  ASSERT_FALSE(locked);
  EXPECT_EQ(locked.error().code, errc::throttled);
  EXPECT_EQ(locked.error().resource_id, s.error().resource_id);
  // Once the lock ran out the address starts again (start counted nothing meanwhile).
  clk_.advance(2s);
  EXPECT_TRUE(svc_->start(client_, "user1"));
}

// Sign-in tokens are sealed under a purpose key derived from the master key: a token sealed
// with the master key itself (as before the change) is refused; the same plaintext under the
// derived key opens, and a token another node sealed (same master key) opens here.
TEST_F(sign_in_test, sign_in_tokens_open_under_the_derived_key_only) {
  set_mode(mfa_mode::disabled);
  auto id = std::string("0f8fad5b-d9cb-469f-a165-70867728950e");
  auto expires = std::to_string(epoch_millis(clk_.now() + 5min));
  auto plain = "sign-in/1\n" + id + "\n" + expires + "\nuser1";
  auto under_master = svc_->password(client_, id + "." + box_->seal(plain), "Correct-Horse-9");
  ASSERT_FALSE(under_master);
  EXPECT_EQ(under_master.error().code, errc::not_found);
  auto derived = box_->derive(sign_in_service::token_key_context, sign_in_service::token_key_id);
  auto under_derived = svc_->password(client_, id + "." + derived.seal(plain), "Correct-Horse-9");
  ASSERT_TRUE(under_derived) << under_derived.error().message;
  EXPECT_EQ(under_derived->next, sign_in_step::done);

  locked_random rnd2{80};
  other_node b(*audited_, mail_, *box_, clk_, rnd2, *db_);
  auto s = b.svc.start(client_, "user1");
  ASSERT_TRUE(s);
  auto d = svc_->password(client_, s->workflow_id, "Correct-Horse-9");
  ASSERT_TRUE(d) << d.error().message;
  EXPECT_EQ(d->next, sign_in_step::done);
}

// Two password steps racing on one token (two threads, two nodes, the right password): exactly
// one makes a session; the other is refused. On both stores.
template <class Base>
class racing : public Base {
 protected:
  void race_on_one_token() {
    this->set_mode(mfa_mode::disabled);
    locked_random rnd2{81};
    other_node b(*this->audited_, this->mail_, *this->box_, this->clk_, rnd2, *this->db_);
    for (int round = 0; round < 5; ++round) {
      auto s = this->svc_->start(this->client_, "user1");
      ASSERT_TRUE(s);
      std::promise<void> go;
      std::shared_future<void> ready = go.get_future().share();
      result<sign_in_answer> first = fail(errc::internal, "not run");
      result<sign_in_answer> second = first;
      std::thread t1([&] {
        ready.wait();
        first = this->svc_->password(this->client_, s->workflow_id, "Correct-Horse-9");
      });
      std::thread t2([&] {
        ready.wait();
        second = b.svc.password(this->client_, s->workflow_id, "Correct-Horse-9");
      });
      go.set_value();
      t1.join();
      t2.join();
      ASSERT_NE(first.has_value(), second.has_value()) << "round " << round << ": exactly one of the two signs in";
      const auto& won = first ? first : second;
      const auto& lost = first ? second : first;
      EXPECT_EQ(won->next, sign_in_step::done);
      EXPECT_TRUE(lost.error().code == errc::not_found || lost.error().code == errc::validation)
          << lost.error().message;
      int64_t sessions = -1;
      ASSERT_TRUE(this->db_->read([&](store::transaction& tx) -> result<void> {
        auto n = tx.sessions().count_sessions_of("u-1");
        if (!n) return std::unexpected(n.error());
        sessions = *n;
        return {};
      }));
      EXPECT_EQ(sessions, round + 1) << "one session per token";
    }
  }
};

class sign_in_race_test : public racing<sign_in_testing::sign_in_fixture> {};
class sign_in_pg_race_test : public racing<sign_in_testing::sign_in_pg_fixture> {};

TEST_F(sign_in_race_test, two_password_steps_racing_on_one_token_make_one_session_on_sqlite) { race_on_one_token(); }
TEST_F(sign_in_pg_race_test, two_password_steps_racing_on_one_token_make_one_session_on_postgresql) {
  race_on_one_token();
}

}  // namespace

}  // namespace atrium::service
