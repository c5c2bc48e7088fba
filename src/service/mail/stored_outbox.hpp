#pragma once
// The mail outbox in the store (issue 13 item 2; migration 0021). A mailer whose queue() writes
// the message, sealed with the master key (crypto::secret_box: bodies carry links and codes),
// into the caller's write transaction; a sender thread on every node takes due messages under a
// lease, hands them to the relay (`transport`) and deletes them once it accepted them. A refused
// message is tried again after a backoff that doubles, at most max_attempts times. Delivery is
// at least once: a node that dies after the relay accepted a message but before deleting it
// leaves it to be sent again when its lease expires (docs/deployment.md "Mail").
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "base/clock.hpp"
#include "crypto/primitives.hpp"
#include "service/mail/mailer.hpp"

namespace atrium::service {

struct stored_outbox_settings {
  std::string owner;                           // this node's lease name (host:pid:random)
  std::chrono::seconds lease{60};              // longer than one SMTP exchange with its timeouts
  std::chrono::milliseconds poll{1000};        // how soon other nodes' messages and retries are seen
  std::chrono::seconds first_backoff{30};      // after the first refusal; doubles, at most an hour
  int max_attempts = 8;                        // then the message is dropped (and audited)
  std::chrono::milliseconds start_delay{0};    // mail.outbox_start_delay_ms (tests of a dying node)
};

class stored_outbox final : public mailer {
 public:
  // `on_failure` hears of each refused attempt (recipient and subject, never the body); `gave_up`
  // is true on the last one.
  using failure_fn = std::function<void(const mail_message&, const std::string& event, const error&, bool gave_up)>;
  stored_outbox(store::database& db, const crypto::secret_box& box, const clock& clk, mailer& transport,
                failure_fn on_failure, stored_outbox_settings s);
  ~stored_outbox() override;  // stops the sender (what is queued stays in the store)
  stored_outbox(const stored_outbox&) = delete;
  stored_outbox& operator=(const stored_outbox&) = delete;

  // A message nobody's transaction carries: queued in a write of its own.
  result<void> send(const mail_message& m) override;
  result<bool> queue(store::transaction& tx, std::string_view event, const mail_message& m) override;
  void queued() override;

  void start();  // the sender thread (serve); the CLI only drains
  // Sends every message due now (this node's and others'), on the calling thread; returns when
  // none is left that is due (refused ones wait for their next attempt).
  void drain();

 private:
  void loop();
  // Takes one due message and delivers it; false when none was due (or the store failed).
  bool deliver_one();

  store::database& db_;
  const crypto::secret_box& box_;
  const clock& clk_;
  mailer& transport_;
  failure_fn on_failure_;
  stored_outbox_settings s_;
  crypto::sodium_random ids_;  // not the injected source: seeded tests' ids stay as they were
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false, woken_ = false;
  std::thread thread_;
};

}  // namespace atrium::service
