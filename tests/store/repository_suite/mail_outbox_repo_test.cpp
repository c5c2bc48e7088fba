// The mail outbox on both backends (migration 0021, issue 13 item 2): messages taken under a
// lease by one owner at a time, a lease that expires hands them to another, a refused message
// waits for its next attempt, a sent one is deleted by its owner only.
#include "backend_fixture.hpp"
#include "store/mail_outbox_repository.hpp"

namespace atrium::store::test {

namespace {

const sys_time mt0 = from_epoch_millis(1'763'900'000'000);
using std::chrono::minutes;
using std::chrono::seconds;

outbox_message mrow(const std::string& id, sys_time due, const std::string& owner = "", sys_time held = {}) {
  return {id, "ForgotPassword", "sealed-" + id, due, due, 0, owner, held};
}

class mail_outbox_repo_test : public store_test {
 protected:
  result<void> enqueue(const outbox_message& m) {
    return db_->write([&](transaction& tx) { return tx.mail_outbox().enqueue(m); });
  }
  result<std::vector<outbox_message>> take(const std::string& owner, sys_time now, int64_t limit = 10,
                                           seconds lease = seconds(60)) {
    return write_value(*db_, [&](transaction& tx) { return tx.mail_outbox().take(owner, now, now + lease, limit); });
  }
  static std::vector<std::string> ids(const std::vector<outbox_message>& v) {
    std::vector<std::string> out;
    for (const auto& m : v) out.push_back(m.id);
    return out;
  }
};

}  // namespace

TEST_P(mail_outbox_repo_test, due_messages_are_taken_oldest_first_and_once_while_leased) {
  ASSERT_TRUE(enqueue(mrow("m2", mt0 + seconds(2))));
  ASSERT_TRUE(enqueue(mrow("m1", mt0 + seconds(1))));
  ASSERT_TRUE(enqueue(mrow("later", mt0 + minutes(5))));
  auto a = take("node-a", mt0 + seconds(3), 1);
  ASSERT_TRUE(a) << a.error().message;
  EXPECT_EQ(ids(*a), std::vector<std::string>{"m1"});
  EXPECT_EQ((*a)[0].sealed, "sealed-m1");
  EXPECT_EQ((*a)[0].event, "ForgotPassword");
  auto b = take("node-b", mt0 + seconds(3));
  ASSERT_TRUE(b) << b.error().message;
  EXPECT_EQ(ids(*b), std::vector<std::string>{"m2"}) << "m1 is node-a's, `later` is not due";
  EXPECT_TRUE(take("node-c", mt0 + seconds(3))->empty());
  EXPECT_EQ(read_value(*db_, [](transaction& tx) { return tx.mail_outbox().count(); }).value_or(-1), 3);
}

TEST_P(mail_outbox_repo_test, an_expired_lease_hands_the_message_to_another_node) {
  ASSERT_TRUE(enqueue(mrow("m1", mt0)));
  ASSERT_EQ(take("dead-node", mt0, 10, seconds(30))->size(), 1u);
  EXPECT_TRUE(take("node-b", mt0 + seconds(29))->empty());
  auto b = take("node-b", mt0 + seconds(30));
  ASSERT_TRUE(b) << b.error().message;
  EXPECT_EQ(ids(*b), std::vector<std::string>{"m1"});
  // The dead node's late delete no longer applies: node-b holds it now.
  EXPECT_FALSE(*write_value(*db_, [](transaction& tx) { return tx.mail_outbox().remove("m1", "dead-node"); }));
  EXPECT_TRUE(*write_value(*db_, [](transaction& tx) { return tx.mail_outbox().remove("m1", "node-b"); }));
  EXPECT_EQ(raw_scalar("SELECT COUNT(*) FROM mail_outbox"), "0");
}

TEST_P(mail_outbox_repo_test, a_refused_message_waits_for_its_next_attempt_with_the_lease_released) {
  ASSERT_TRUE(enqueue(mrow("m1", mt0)));
  ASSERT_EQ(take("node-a", mt0)->size(), 1u);
  auto r = write_value(*db_, [](transaction& tx) { return tx.mail_outbox().retry_later("m1", "node-a", mt0 + minutes(1)); });
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(*r);
  EXPECT_TRUE(take("node-b", mt0 + seconds(59))->empty());
  auto b = take("node-b", mt0 + minutes(1));
  ASSERT_EQ(b->size(), 1u);
  EXPECT_EQ((*b)[0].attempts, 1);
  EXPECT_FALSE(*write_value(*db_, [](transaction& tx) { return tx.mail_outbox().retry_later("m1", "node-a", mt0); }))
      << "only the holder reschedules";
}

TEST_P(mail_outbox_repo_test, a_message_queued_by_a_node_is_its_own_until_that_lease_expires) {
  ASSERT_TRUE(enqueue(mrow("own", mt0, "node-a", mt0 + seconds(60))));
  EXPECT_TRUE(take("node-b", mt0 + seconds(1))->empty()) << "node-a sends what it queued";
  auto a = take("node-a", mt0 + seconds(1));
  ASSERT_TRUE(a) << a.error().message;
  EXPECT_EQ(ids(*a), std::vector<std::string>{"own"});
  EXPECT_EQ((*a)[0].lease_owner, "node-a");
  EXPECT_EQ((*a)[0].lease_until, mt0 + seconds(61));
  EXPECT_EQ(ids(*take("node-b", mt0 + seconds(61))), std::vector<std::string>{"own"}) << "node-a died";
}

ATRIUM_ON_BOTH_BACKENDS(mail_outbox_repo_test);

}  // namespace atrium::store::test
