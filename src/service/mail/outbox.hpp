#pragma once
// Work that follows a committed change but must not hold up its answer: mail delivery
// (an SMTP exchange can take seconds) and the invitation after a user is created. One
// background thread runs the jobs in order; the queue is bounded. Without it "Forgot password"
// would answer slower for users that exist (a mail goes out) than for unknown ones.
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

#include "service/mail/mailer.hpp"

namespace atrium::service {

class outbox {
 public:
  explicit outbox(std::size_t max_pending = 10'000);
  ~outbox();  // runs what is queued, then stops
  outbox(const outbox&) = delete;
  outbox& operator=(const outbox&) = delete;

  // False when the queue is full (the caller reports it); jobs may post further jobs.
  bool post(std::function<void()> job);
  // Returns when every job posted so far (and what they posted) has run. Not from a job.
  void drain();

 private:
  void loop();

  std::size_t max_pending_;
  std::mutex mu_;
  std::condition_variable cv_, idle_cv_;
  std::deque<std::function<void()>> jobs_;
  bool busy_ = false, stop_ = false;
  std::thread thread_;
};

// A mailer whose send() queues the message on an outbox and returns at once; delivery happens
// on the outbox thread through `inner`. `on_failure` (may be empty) hears of refused messages
// (recipient and subject only: bodies carry links and codes).
class queued_mailer final : public mailer {
 public:
  using failure_fn = std::function<void(const mail_message&, const error&)>;
  queued_mailer(mailer& inner, outbox& box, failure_fn on_failure) : inner_(inner), box_(box), on_failure_(std::move(on_failure)) {}
  result<void> send(const mail_message& m) override;

 private:
  mailer& inner_;
  outbox& box_;
  failure_fn on_failure_;
};

}  // namespace atrium::service
