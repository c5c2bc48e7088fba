// http::server with asynchronous handlers (issue 18 item 3): a handler hands its responder to
// work that finishes later on another thread (as a write's group commit does) and returns; the
// worker is free meanwhile, and the answer is written on the connection's strand.
#include <utility>  // before Asio: Boost 1.74 (architecture guide)

#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include "server_harness.hpp"

namespace atrium::http {
namespace {

using namespace atrium::http::test;

// Stands in for the store's writer thread: holds responders until told to answer them, then
// answers from its own thread, the way write_then's completions do.
class later_thread {
 public:
  later_thread() : t_([this] { loop(); }) {}
  ~later_thread() {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
    }
    cv_.notify_all();
    t_.join();
  }
  void hold(std::string target, responder r) {
    std::lock_guard lock(mu_);
    held_.emplace_back(std::move(target), std::move(r));
  }
  std::size_t held() {
    std::lock_guard lock(mu_);
    return held_.size();
  }
  // Answers every held responder from this thread, through the responder's worker (post).
  void release() {
    {
      std::lock_guard lock(mu_);
      go_ = true;
    }
    cv_.notify_all();
  }

 private:
  void loop() {
    std::unique_lock lock(mu_);
    for (;;) {
      cv_.wait(lock, [&] { return stopping_ || (go_ && !held_.empty()); });
      if (held_.empty() && stopping_) return;
      auto [target, r] = std::move(held_.front());
      held_.pop_front();
      lock.unlock();
      r.post([r, target] { r(echo_of(target)); });
      lock.lock();
    }
  }
  static response echo_of(const std::string& target) {
    request q;
    q.method = "GET";
    q.target = target;
    return echo(q);
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::pair<std::string, responder>> held_;
  bool go_ = false, stopping_ = false;
  std::thread t_;
};

bhttp::request<bhttp::string_body> get_request(const std::string& target) {
  bhttp::request<bhttp::string_body> req{bhttp::verb::get, target, 11};
  req.set(bhttp::field::host, "127.0.0.1");
  return req;
}

TEST(server_async, a_pending_completion_does_not_hold_the_worker_for_the_next_request) {
  captured_log log;
  auto cfg = plain_config();
  cfg.worker_threads = 1;  // one worker: a parked one would block the second request
  later_thread writer;
  running_server s(cfg, async_handler([&](const request& r, responder later) {
    if (r.target.starts_with("/slow")) return writer.hold(r.target, std::move(later));
    later(echo(r));
  }));
  client slow(s.port());
  ASSERT_FALSE(slow.send(get_request("/slow/1")));
  ASSERT_TRUE(wait_for([&] { return writer.held() == 1; }));
  client quick(s.port());
  auto res = quick.get("/quick");
  ASSERT_TRUE(res) << "answered while the slow one waits";
  EXPECT_NE(res->body().find("/quick"), std::string::npos);
  EXPECT_EQ(writer.held(), 1u);
  writer.release();
  auto late = slow.receive();
  ASSERT_TRUE(late);
  EXPECT_EQ(late->result_int(), 200u);
  EXPECT_NE(late->body().find("/slow/1"), std::string::npos);
  EXPECT_TRUE(late->keep_alive());
  auto again = slow.get("/quick/again");  // the connection goes on after a late answer
  ASSERT_TRUE(again);
  EXPECT_NE(again->body().find("/quick/again"), std::string::npos);
}

TEST(server_async, a_connection_closed_before_its_completion_is_harmless) {
  captured_log log;
  later_thread writer;
  running_server s(plain_config(), async_handler([&](const request& r, responder later) {
    if (r.target == "/slow") return writer.hold(r.target, std::move(later));
    later(echo(r));
  }));
  {
    client gone(s.port());
    ASSERT_FALSE(gone.send(get_request("/slow")));
    ASSERT_TRUE(wait_for([&] { return writer.held() == 1; }));
  }  // the client closes its socket while the answer is pending
  writer.release();
  ASSERT_TRUE(wait_for([&] { return writer.held() == 0; }));
  client next(s.port());
  auto res = next.get("/after");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->result_int(), 200u);
  ASSERT_TRUE(wait_for([&] { return log.requests().size() == 2; })) << log.text();
}

TEST(server_async, a_responder_dropped_unanswered_answers_500) {
  captured_log log;
  running_server s(plain_config(), async_handler([](const request&, responder) {}));
  client c(s.port());
  auto res = c.get("/lost");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->result_int(), 500u);
  EXPECT_NE(res->body().find("InternalServerException"), std::string::npos);
}

TEST(server_async, only_the_first_answer_counts) {
  captured_log log;
  running_server s(plain_config(), async_handler([](const request& r, responder later) {
    later(echo(r));
    response other;
    other.status = 418;
    later(other);
  }));
  client c(s.port());
  auto res = c.get("/twice");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->result_int(), 200u);
  auto next = c.get("/next");
  ASSERT_TRUE(next);
  EXPECT_EQ(next->result_int(), 200u);
}

TEST(server_async, stop_waits_for_a_pending_completion_and_answers_it) {
  captured_log log;
  later_thread writer;
  running_server s(plain_config(), async_handler([&](const request& r, responder later) {
    writer.hold(r.target, std::move(later));
  }));
  client c(s.port());
  ASSERT_FALSE(c.send(get_request("/pending")));
  ASSERT_TRUE(wait_for([&] { return writer.held() == 1; }));
  s.stop();
  std::this_thread::sleep_for(100ms);  // the shutdown is waiting for the in-flight request
  EXPECT_FALSE(s.returned());
  writer.release();
  auto res = c.receive();
  ASSERT_TRUE(res) << "the pending request is answered before the server goes";
  EXPECT_EQ(res->result_int(), 200u);
  EXPECT_FALSE(res->keep_alive());
  s.join();
}

TEST(server_async, a_completion_after_the_server_is_gone_is_dropped_safely) {
  captured_log log;
  auto cfg = plain_config();
  cfg.shutdown_grace = 1s;
  later_thread writer;
  {
    running_server s(cfg, async_handler([&](const request& r, responder later) {
      writer.hold(r.target, std::move(later));
    }));
    client c(s.port());
    ASSERT_FALSE(c.send(get_request("/never")));
    ASSERT_TRUE(wait_for([&] { return writer.held() == 1; }));
  }  // stop, the grace period, then the server is destroyed with the responder still held
  EXPECT_NE(log.text().find(R"("unanswered_responders":1)"), std::string::npos) << log.text();
  writer.release();  // posts and answers into a closed gate: nothing happens
  ASSERT_TRUE(wait_for([&] { return writer.held() == 0; }));
}

}  // namespace
}  // namespace atrium::http
