// Short-lived state on both backends (migration 0019, issue 13 item 2): rows by (kind, key),
// versions for compare-and-set between nodes, expiry that reads as absent, a bounded sweep.
#include "backend_fixture.hpp"
#include "store/transient_state_repository.hpp"

namespace atrium::store::test {

namespace {

const sys_time st0 = from_epoch_millis(1'763'900'000'000);
using std::chrono::minutes;

transient_record trow(const std::string& kind, const std::string& key, const std::string& value, sys_time expires) {
  return {kind, key, value, expires, 0};
}

class transient_state_repo_test : public store_test {
 protected:
  result<int64_t> put(const transient_record& r, sys_time now = st0) {
    return write_value(*db_, [&](transaction& tx) { return tx.transient_state().put(r, now); });
  }
  result<std::optional<transient_record>> get(const std::string& kind, const std::string& key, sys_time now = st0) {
    return read_value(*db_, [&](transaction& tx) { return tx.transient_state().get(kind, key, now); });
  }
  result<bool> update(const transient_record& r, int64_t expected, sys_time now = st0) {
    return write_value(*db_, [&](transaction& tx) { return tx.transient_state().update(r, expected, now); });
  }
  std::string rows() { return raw_scalar("SELECT COUNT(*) FROM transient_state"); }
};

}  // namespace

TEST_P(transient_state_repo_test, a_row_is_read_back_by_kind_and_key_with_its_version) {
  auto v = put(trow("sign-in", "w1", "{\"step\":1}", st0 + minutes(10)));
  ASSERT_TRUE(v) << v.error().message;
  EXPECT_EQ(*v, 1);
  ASSERT_TRUE(put(trow("totp-enrollment", "w1", "other kind", st0 + minutes(10))));
  auto got = get("sign-in", "w1");
  ASSERT_TRUE(got) << got.error().message;
  ASSERT_TRUE(got->has_value());
  EXPECT_EQ((*got)->value, "{\"step\":1}");
  EXPECT_EQ((*got)->version, 1);
  EXPECT_EQ((*got)->expires, st0 + minutes(10));
  EXPECT_FALSE(get("sign-in", "w2")->has_value());
  EXPECT_EQ(put(trow("sign-in", "w1", "second", st0 + minutes(10))).value_or(0), 2) << "put bumps the version";
  EXPECT_EQ((*get("sign-in", "w1"))->value, "second");
}

TEST_P(transient_state_repo_test, update_is_a_compare_and_set_on_the_version) {
  ASSERT_TRUE(put(trow("sign-in", "w1", "a", st0 + minutes(10))));
  auto first = update(trow("sign-in", "w1", "b", st0 + minutes(10)), 1);
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_TRUE(*first);
  EXPECT_FALSE(*update(trow("sign-in", "w1", "c", st0 + minutes(10)), 1)) << "another node moved it on";
  auto now = get("sign-in", "w1");
  EXPECT_EQ((*now)->value, "b");
  EXPECT_EQ((*now)->version, 2);
  EXPECT_FALSE(*update(trow("sign-in", "nobody", "c", st0 + minutes(10)), 1)) << "no row, nothing written";
  EXPECT_EQ(rows(), "1");
}

TEST_P(transient_state_repo_test, an_expired_row_reads_as_absent_and_restarts_at_version_one) {
  ASSERT_TRUE(put(trow("sign-in", "w1", "a", st0 + minutes(1))));
  ASSERT_TRUE(put(trow("sign-in", "w1", "b", st0 + minutes(1))));
  EXPECT_TRUE(get("sign-in", "w1", st0 + minutes(1) - std::chrono::milliseconds(1))->has_value());
  EXPECT_FALSE(get("sign-in", "w1", st0 + minutes(1))->has_value()) << "expiry is exclusive";
  EXPECT_FALSE(*update(trow("sign-in", "w1", "c", st0 + minutes(9)), 2, st0 + minutes(2))) << "expired: no update";
  EXPECT_EQ(put(trow("sign-in", "w1", "d", st0 + minutes(9)), st0 + minutes(2)).value_or(0), 1);
}

TEST_P(transient_state_repo_test, remove_takes_the_row_optionally_only_at_a_version) {
  ASSERT_TRUE(put(trow("sign-in", "w1", "a", st0 + minutes(10))));
  auto stale = write_value(*db_, [](transaction& tx) { return tx.transient_state().remove("sign-in", "w1", 7); });
  ASSERT_TRUE(stale) << stale.error().message;
  EXPECT_FALSE(*stale);
  EXPECT_TRUE(*write_value(*db_, [](transaction& tx) { return tx.transient_state().remove("sign-in", "w1", 1); }));
  EXPECT_FALSE(*write_value(*db_, [](transaction& tx) { return tx.transient_state().remove("sign-in", "w1"); }));
  ASSERT_TRUE(put(trow("sign-in", "w2", "a", st0 + minutes(10))));
  EXPECT_TRUE(*write_value(*db_, [](transaction& tx) { return tx.transient_state().remove("sign-in", "w2"); }));
  EXPECT_EQ(rows(), "0");
}

TEST_P(transient_state_repo_test, the_sweep_deletes_only_expired_rows_at_most_limit_at_a_time) {
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(put(trow("login-throttle", "k" + std::to_string(i), "x", st0 + minutes(i))));
  ASSERT_TRUE(put(trow("sign-in", "live", "x", st0 + minutes(60))));
  auto n = write_value(*db_, [](transaction& tx) { return tx.transient_state().remove_expired(st0 + minutes(10), 3); });
  ASSERT_TRUE(n) << n.error().message;
  EXPECT_EQ(*n, 3);
  n = write_value(*db_, [](transaction& tx) { return tx.transient_state().remove_expired(st0 + minutes(10), 3); });
  EXPECT_EQ(*n, 2);
  EXPECT_EQ(rows(), "1");
  auto live = read_value(*db_, [](transaction& tx) { return tx.transient_state().count("sign-in", st0); });
  EXPECT_EQ(live.value_or(-1), 1);
  EXPECT_EQ(read_value(*db_, [](transaction& tx) { return tx.transient_state().count("sign-in", st0 + minutes(61)); })
                .value_or(-1),
            0);
}

ATRIUM_ON_BOTH_BACKENDS(transient_state_repo_test);

}  // namespace atrium::store::test
