#include "service/mail/outbox.hpp"

namespace atrium::service {

outbox::outbox(std::size_t max_pending) : max_pending_(max_pending), thread_([this] { loop(); }) {}

outbox::~outbox() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

bool outbox::post(std::function<void()> job) {
  {
    std::lock_guard lock(mu_);
    if (jobs_.size() >= max_pending_) return false;
    jobs_.push_back(std::move(job));
  }
  cv_.notify_one();
  return true;
}

void outbox::drain() {
  std::unique_lock lock(mu_);
  idle_cv_.wait(lock, [this] { return jobs_.empty() && !busy_; });
}

void outbox::loop() {
  std::unique_lock lock(mu_);
  while (true) {
    cv_.wait(lock, [this] { return stop_ || !jobs_.empty(); });
    if (jobs_.empty()) break;  // stop_ and nothing left: queued work is never dropped
    auto job = std::move(jobs_.front());
    jobs_.pop_front();
    busy_ = true;
    lock.unlock();
    try {
      job();
    } catch (...) {
      // A job reports its own failures; nothing may end the thread.
    }
    lock.lock();
    busy_ = false;
    if (jobs_.empty()) idle_cv_.notify_all();
  }
  idle_cv_.notify_all();
}

result<void> queued_mailer::send(const mail_message& m) {
  bool queued = box_.post([this, m] {
    auto r = inner_.send(m);
    if (!r && on_failure_) on_failure_(m, r.error());
  });
  if (!queued) return fail(errc::throttled, "Too many messages are waiting to be sent; try again later.");
  return {};
}

}  // namespace atrium::service
