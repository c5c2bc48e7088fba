// Pending WebAuthn challenges on both backends (migration 0016): one per user and ceremony, replaced by
// a newer one, taken once (DELETE ... RETURNING), refused and gone once expired, purged in bulk,
// removed with their user.
#include "base/try.hpp"
#include "backend_fixture.hpp"
#include "store/webauthn_challenge_repository.hpp"

namespace atrium::store::test {

namespace {

const sys_time t0 = from_epoch_millis(1'763'900'000'000);

webauthn_challenge_record challenge(const std::string& user, const std::string& ceremony, const std::string& sealed,
                                    sys_time created) {
  return {user, ceremony, sealed, created, created + std::chrono::minutes(5)};
}

class webauthn_challenge_repo_test : public store_test {
 protected:
  void SetUp() override {
    store_test::SetUp();
    ASSERT_TRUE(insert(make_user("u1", "jane")));
    ASSERT_TRUE(insert(make_user("u2", "john")));
  }
  result<void> put(const webauthn_challenge_record& r) {
    return db_->write([&](transaction& tx) { return tx.webauthn_challenges().put(r); });
  }
  result<std::optional<webauthn_challenge_record>> take(const std::string& user, const std::string& ceremony,
                                                        sys_time now) {
    return write_value(*db_, [&](transaction& tx) { return tx.webauthn_challenges().take(user, ceremony, now); });
  }
  std::string rows() { return raw_scalar("SELECT COUNT(*) FROM webauthn_challenges"); }
};

}  // namespace

TEST_P(webauthn_challenge_repo_test, a_challenge_is_taken_once) {
  ASSERT_TRUE(put(challenge("u1", "registration", "sealed-1", t0)));
  auto first = take("u1", "registration", t0 + std::chrono::minutes(1));
  ASSERT_TRUE(first) << first.error().message;
  ASSERT_TRUE(first->has_value());
  EXPECT_EQ((*first)->sealed_challenge, "sealed-1");
  EXPECT_EQ((*first)->user_id, "u1");
  EXPECT_EQ((*first)->ceremony, "registration");
  EXPECT_EQ((*first)->expires, t0 + std::chrono::minutes(5));
  auto again = take("u1", "registration", t0 + std::chrono::minutes(1));
  ASSERT_TRUE(again);
  EXPECT_FALSE(again->has_value()) << "single use";
  EXPECT_EQ(rows(), "0");
}

TEST_P(webauthn_challenge_repo_test, one_per_user_and_ceremony_and_the_newest_wins) {
  ASSERT_TRUE(put(challenge("u1", "assertion", "old", t0)));
  ASSERT_TRUE(put(challenge("u1", "assertion", "new", t0 + std::chrono::seconds(10))));
  ASSERT_TRUE(put(challenge("u1", "registration", "reg", t0)));
  ASSERT_TRUE(put(challenge("u2", "assertion", "john's", t0)));
  EXPECT_EQ(rows(), "3");
  auto a = take("u1", "assertion", t0);
  ASSERT_TRUE(a && a->has_value());
  EXPECT_EQ((*a)->sealed_challenge, "new");
  EXPECT_EQ((*a)->expires, t0 + std::chrono::seconds(10) + std::chrono::minutes(5));
  // The other ceremony and the other user keep theirs.
  EXPECT_EQ((*take("u1", "registration", t0))->sealed_challenge, "reg");
  EXPECT_EQ((*take("u2", "assertion", t0))->sealed_challenge, "john's");
}

TEST_P(webauthn_challenge_repo_test, an_expired_challenge_is_refused_and_gone) {
  ASSERT_TRUE(put(challenge("u1", "assertion", "sealed", t0)));
  auto late = take("u1", "assertion", t0 + std::chrono::minutes(5));  // expires_at itself is too late
  ASSERT_TRUE(late);
  EXPECT_FALSE(late->has_value());
  EXPECT_EQ(rows(), "0");
}

TEST_P(webauthn_challenge_repo_test, remove_expired_purges_only_expired_rows) {
  ASSERT_TRUE(put(challenge("u1", "assertion", "a", t0)));
  ASSERT_TRUE(put(challenge("u2", "assertion", "b", t0 + std::chrono::minutes(3))));
  auto n = write_value(*db_, [](transaction& tx) {
    return tx.webauthn_challenges().remove_expired(t0 + std::chrono::minutes(6));
  });
  ASSERT_TRUE(n) << n.error().message;
  EXPECT_EQ(*n, 1);
  EXPECT_EQ(rows(), "1");
  EXPECT_TRUE(take("u2", "assertion", t0 + std::chrono::minutes(6))->has_value());
}

TEST_P(webauthn_challenge_repo_test, challenges_go_with_their_user_and_need_one) {
  ASSERT_TRUE(put(challenge("u1", "registration", "a", t0)));
  ASSERT_TRUE(db_->write([](transaction& tx) -> result<void> {
    TRY_VOID(tx.users().remove("u1"));
    return {};
  }));
  EXPECT_EQ(rows(), "0");
  EXPECT_FALSE(put(challenge("nobody", "registration", "a", t0))) << "the user must exist";
  EXPECT_FALSE(put(challenge("u2", "enrollment", "a", t0))) << "only the two ceremonies";
}

ATRIUM_ON_BOTH_BACKENDS(webauthn_challenge_repo_test);

}  // namespace atrium::store::test
