// The background outbox: jobs run in order off the caller's thread, drain() waits for jobs
// posted by jobs, the queue is bounded, and queued mail reports refusals.
#include "service/mail/outbox.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

namespace atrium::service {

TEST(outbox, runs_jobs_in_order_off_the_calling_thread_and_drains_nested_posts) {
  outbox box;
  std::vector<int> order;
  std::thread::id caller = std::this_thread::get_id(), worker;
  ASSERT_TRUE(box.post([&] { order.push_back(1); worker = std::this_thread::get_id(); }));
  ASSERT_TRUE(box.post([&] {
    order.push_back(2);
    box.post([&] { order.push_back(3); });
  }));
  box.drain();
  EXPECT_EQ(order, (std::vector<int>{1, 2, 3}));
  EXPECT_NE(worker, caller);
}

TEST(outbox, is_bounded_and_finishes_queued_work_when_destroyed) {
  std::atomic<int> ran{0};
  std::atomic<bool> release{false};
  int accepted_total = 0;
  {
    outbox box(2);
    ASSERT_TRUE(box.post([&] { while (!release) std::this_thread::yield(); ++ran; }));
    // The first job may or may not have been taken off the queue yet: fill up to the bound.
    int accepted = 0;
    for (int i = 0; i < 3; ++i) accepted += box.post([&] { ++ran; }) ? 1 : 0;
    EXPECT_LE(accepted, 2);
    EXPECT_FALSE(box.post([&] { ++ran; }));
    accepted_total = accepted;
    release = true;
  }  // the destructor still runs everything that was accepted
  EXPECT_EQ(ran.load(), 1 + accepted_total);
}

TEST(outbox, queued_mailer_reports_refused_messages) {
  struct refusing final : mailer {
    result<void> send(const mail_message&) override { return fail(errc::internal, "550 no"); }
  } inner;
  outbox box;
  std::string heard;
  queued_mailer q(inner, box, [&](const mail_message& m, const error& e) { heard = m.to + " " + e.message; });
  ASSERT_TRUE(q.send({"a@example.com", "s", "body"})) << "queued: the caller does not wait for the relay";
  box.drain();
  EXPECT_EQ(heard, "a@example.com 550 no");
}

}  // namespace atrium::service
