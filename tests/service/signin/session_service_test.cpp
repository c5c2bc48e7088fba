// Sessions and trusted devices against the real SQLite store with an injected clock: expiry,
// disabled and deleted users, CSRF tokens, and the context-aware trusted-device rules.
#include "service/signin/session_service.hpp"

#include "service/signin/portal_session_settings.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "crypto/primitives.hpp"
#include "store/sqlite/sqlite_database.hpp"

namespace atrium::service {

namespace {

using namespace std::chrono_literals;

class session_service_test : public ::testing::Test {
 protected:
  void SetUp() override {
    crypto::init();
    dir_ = std::filesystem::temp_directory_path() /
           ("atrium-sess-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    auto db = store::sqlite::sqlite_database::open({dir_ / "t.db", false});
    ASSERT_TRUE(db) << db.error().message;
    db_ = std::move(*db);
    audit_ = std::make_unique<auditor>(clk_, rnd_, std::nullopt);
    audited_ = std::make_unique<audited_store>(*db_, *audit_);
    svc_ = std::make_unique<session_service>(*audited_, clk_, rnd_);
    add_user("u-1", "alice");
  }
  void TearDown() override {
    svc_.reset();
    db_.reset();
    std::filesystem::remove_all(dir_);
  }

  void add_user(const std::string& id, const std::string& name) {
    domain::user u;
    u.id = id;
    u.user_name = name;
    ASSERT_TRUE(db_->write([&](store::transaction& tx) { return tx.users().insert(u); }));
  }
  void set_active(const std::string& id, bool active) {
    ASSERT_TRUE(db_->write([&](store::transaction& tx) -> result<void> {
      auto u = tx.users().get(id);
      if (!u || !*u) return fail(errc::not_found, "no user");
      auto v = **u;
      v.active = active;
      ++v.version;
      return tx.users().update(v, (*u)->version);
    }));
  }
  issued_session sign_in(const std::string& user = "u-1") {
    std::optional<issued_session> out;
    auto r = db_->write([&](store::transaction& tx) -> result<void> {
      auto s = svc_->create(tx, user, "203.0.113.7", "Mozilla/5.0 Test");
      if (!s) return std::unexpected(s.error());
      out = std::move(*s);
      return {};
    });
    EXPECT_TRUE(r) << (r ? "" : r.error().message);
    return out.value_or(issued_session{});
  }
  std::string trust(const std::string& ip = "203.0.113.7", const std::string& ua = "Mozilla/5.0 Test") {
    std::string token;
    EXPECT_TRUE(db_->write([&](store::transaction& tx) -> result<void> {
      auto t = svc_->trust(tx, "u-1", ip, ua);
      if (!t) return std::unexpected(t.error());
      token = *t;
      return {};
    }));
    return token;
  }
  bool trusted(const std::string& token, const std::string& ip, const std::string& ua, const std::string& user = "u-1") {
    bool out = false;
    (void)db_->read([&](store::transaction& tx) -> result<void> {
      out = svc_->is_trusted(tx, token, user, ip, ua);
      return {};
    });
    return out;
  }
  int64_t rows_of(const std::string& user) {
    int64_t n = -1;
    (void)db_->read([&](store::transaction& tx) -> result<void> {
      n = *tx.sessions().count_sessions_of(user) + *tx.sessions().count_trusted_devices_of(user);
      return {};
    });
    return n;
  }

  seeded_random rnd_{11};
  manual_clock clk_{from_epoch_millis(1'763'900'000'000)};
  std::filesystem::path dir_;
  std::unique_ptr<store::sqlite::sqlite_database> db_;
  std::unique_ptr<auditor> audit_;
  std::unique_ptr<audited_store> audited_;
  std::unique_ptr<session_service> svc_;
};

TEST_F(session_service_test, a_session_is_valid_for_eight_hours_and_not_a_millisecond_more) {
  auto s = sign_in();
  ASSERT_EQ(s.token.size(), 43u);
  EXPECT_NE(s.record.id, s.token) << "only the hash is stored";
  EXPECT_EQ(s.record.id, crypto::sha256_hex(s.token));
  clk_.advance(8h - 1ms);
  auto v = svc_->validate(s.token);
  ASSERT_TRUE(v);
  ASSERT_TRUE(*v);
  EXPECT_EQ((*v)->user.user_name, "alice");
  EXPECT_EQ((*v)->csrf_token, s.csrf_token);
  clk_.advance(1ms);
  v = svc_->validate(s.token);
  ASSERT_TRUE(v);
  EXPECT_FALSE(*v);
}

TEST_F(session_service_test, the_lifetime_is_configurable) {
  session_service shorter(*audited_, clk_, rnd_, {1h});
  std::optional<issued_session> s;
  ASSERT_TRUE(db_->write([&](store::transaction& tx) -> result<void> {
    auto made = shorter.create(tx, "u-1", "1.2.3.4", "ua");
    if (!made) return std::unexpected(made.error());
    s = *made;
    return {};
  }));
  clk_.advance(1h);
  EXPECT_FALSE(*shorter.validate(s->token));
}

// The administrator's session duration (AtriumAdmin.UpdatePortalSessionSettings) replaces the
// configured lifetime from the next sign-in on; a session made before keeps its expiry.
TEST_F(session_service_test, the_stored_session_duration_applies_to_new_sessions) {
  auto before = sign_in();
  portal_session_settings settings(*audited_, 8h);
  call_context ctx;
  ctx.event_name = "UpdatePortalSessionSettings";
  EXPECT_FALSE(settings.set(ctx, 14min)) << "below 15 minutes";
  EXPECT_FALSE(settings.set(ctx, std::chrono::minutes(90 * 24 * 60 + 1))) << "above 90 days";
  auto d = settings.get(ctx);
  ASSERT_TRUE(d);
  EXPECT_TRUE(d->is_default);
  EXPECT_EQ(d->duration, 8h);
  ASSERT_TRUE(settings.set(ctx, 15min));
  auto after = sign_in();
  EXPECT_EQ(after.record.expires_at - after.record.created_at, 15min);
  clk_.advance(15min);
  EXPECT_FALSE(*svc_->validate(after.token));
  EXPECT_TRUE(*svc_->validate(before.token)) << "made with 8 hours";
  ASSERT_TRUE(settings.set(ctx, std::chrono::minutes(90 * 24 * 60)));
  EXPECT_EQ(sign_in().record.expires_at - clk_.now(), std::chrono::minutes(90 * 24 * 60));
  d = settings.get(ctx);
  ASSERT_TRUE(d);
  EXPECT_FALSE(d->is_default);
}

TEST_F(session_service_test, disabling_the_user_ends_the_session_at_once_and_refuses_new_ones) {
  auto s = sign_in();
  ASSERT_TRUE(*svc_->validate(s.token));
  set_active("u-1", false);
  EXPECT_FALSE(*svc_->validate(s.token));
  auto r = db_->write([&](store::transaction& tx) -> result<void> {
    auto made = svc_->create(tx, "u-1", "1.2.3.4", "ua");
    if (!made) return std::unexpected(made.error());
    return {};
  });
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, errc::unauthenticated);
  set_active("u-1", true);
  // The disabled user's session is gone for good (removed when it was refused).
  for (int i = 0; i < 50 && rows_of("u-1") != 0; ++i) usleep(10'000);
  EXPECT_FALSE(*svc_->validate(s.token));
}

TEST_F(session_service_test, deleting_the_user_deletes_its_sessions_and_trusted_devices) {
  add_user("u-2", "bob");
  sign_in();
  sign_in("u-2");
  trust();
  ASSERT_EQ(rows_of("u-1"), 2);
  ASSERT_TRUE(db_->write([&](store::transaction& tx) -> result<void> {
    auto gone = tx.users().remove("u-1");
    if (!gone) return std::unexpected(gone.error());
    return {};
  }));
  EXPECT_EQ(rows_of("u-1"), 0);
  EXPECT_EQ(rows_of("u-2"), 1);
}

TEST_F(session_service_test, sign_out_ends_one_session) {
  auto a = sign_in();
  auto b = sign_in();
  call_context ctx;
  ctx.event_name = "Logout";
  EXPECT_TRUE(*svc_->end(ctx, a.token));
  EXPECT_FALSE(*svc_->end(ctx, a.token));
  EXPECT_FALSE(*svc_->validate(a.token));
  EXPECT_TRUE(*svc_->validate(b.token));
}

TEST_F(session_service_test, csrf_token_must_match_exactly) {
  auto s = sign_in();
  EXPECT_TRUE(session_service::csrf_matches(s.record, s.csrf_token));
  EXPECT_FALSE(session_service::csrf_matches(s.record, ""));
  EXPECT_FALSE(session_service::csrf_matches(s.record, s.csrf_token + "x"));
  auto other = sign_in();
  EXPECT_FALSE(session_service::csrf_matches(s.record, other.csrf_token));
}

TEST_F(session_service_test, garbage_tokens_are_no_session) {
  EXPECT_FALSE(*svc_->validate(""));
  EXPECT_FALSE(*svc_->validate(std::string(43, 'A')));
  EXPECT_FALSE(*svc_->validate(std::string(5000, 'A')));
}

TEST_F(session_service_test, trusted_device_needs_same_browser_same_address_and_less_than_90_days) {
  auto t = trust("203.0.113.7", "Mozilla/5.0 Test");
  EXPECT_TRUE(trusted(t, "203.0.113.7", "Mozilla/5.0 Test"));
  EXPECT_FALSE(trusted(t, "203.0.113.8", "Mozilla/5.0 Test")) << "another address";
  EXPECT_FALSE(trusted(t, "203.0.113.7", "Mozilla/5.0 Other")) << "another browser";
  EXPECT_FALSE(trusted(t, "203.0.113.7", "Mozilla/5.0 Test", "u-2")) << "another user";
  std::string forged = t;
  forged[0] = forged[0] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(trusted(forged, "203.0.113.7", "Mozilla/5.0 Test")) << "another token";
  clk_.advance(std::chrono::hours(24 * 90) - 1ms);
  EXPECT_TRUE(trusted(t, "203.0.113.7", "Mozilla/5.0 Test"));
  clk_.advance(1ms);
  EXPECT_FALSE(trusted(t, "203.0.113.7", "Mozilla/5.0 Test"));
}

TEST_F(session_service_test, expired_rows_are_purged) {
  sign_in();
  trust();
  clk_.advance(std::chrono::hours(24 * 91));
  svc_->purge_expired();
  for (int i = 0; i < 100 && rows_of("u-1") != 0; ++i) usleep(10'000);
  EXPECT_EQ(rows_of("u-1"), 0);
}

}  // namespace

}  // namespace atrium::service
