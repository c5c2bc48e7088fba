#include "service/mail/stored_outbox.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "base/try.hpp"
#include "store/mail_outbox_repository.hpp"

namespace atrium::service {

namespace {

std::string seal_message(const crypto::secret_box& box, const mail_message& m) {
  return box.seal(nlohmann::json{{"to", m.to}, {"subject", m.subject}, {"text", m.text}}.dump());
}

result<mail_message> open_message(const crypto::secret_box& box, const std::string& sealed) {
  TRY(plain, box.open(sealed));
  auto j = nlohmann::json::parse(plain, nullptr, false);
  if (!j.is_object() || !j.contains("to") || !j["to"].is_string() || !j.contains("subject") ||
      !j["subject"].is_string() || !j.contains("text") || !j["text"].is_string())
    return fail(errc::internal, "a queued mail message does not decode");
  return mail_message{j["to"].get<std::string>(), j["subject"].get<std::string>(), j["text"].get<std::string>()};
}

}  // namespace

stored_outbox::stored_outbox(store::database& db, const crypto::secret_box& box, const clock& clk, mailer& transport,
                             failure_fn on_failure, stored_outbox_settings s)
    : db_(db), box_(box), clk_(clk), transport_(transport), on_failure_(std::move(on_failure)), s_(std::move(s)) {}

stored_outbox::~stored_outbox() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

result<bool> stored_outbox::queue(store::transaction& tx, std::string_view event, const mail_message& m) {
  auto now = clk_.now();
  // Leased to this node from the start: it sends its own mail (at once); another node only
  // once the lease expired (this node died first).
  store::outbox_message row{"mail-" + ids_.hex(12), std::string(event), seal_message(box_, m), now, now, 0,
                            s_.owner, now + std::chrono::duration_cast<std::chrono::milliseconds>(s_.lease)};
  TRY_VOID(tx.mail_outbox().enqueue(row));
  return true;
}

result<void> stored_outbox::send(const mail_message& m) {
  auto r = db_.write([&](store::transaction& tx) -> result<void> {
    TRY(q, queue(tx, "SendEmail", m));
    (void)q;
    return {};
  });
  if (r) queued();
  return r;
}

void stored_outbox::queued() {
  {
    std::lock_guard lock(mu_);
    woken_ = true;
  }
  cv_.notify_one();
}

void stored_outbox::start() { thread_ = std::thread([this] { loop(); }); }

void stored_outbox::drain() {
  while (deliver_one()) {
  }
}

void stored_outbox::loop() {
  std::unique_lock lock(mu_);
  // A test holds a node's sender back to kill the node between the commit and the send.
  if (s_.start_delay.count() > 0 && cv_.wait_for(lock, s_.start_delay, [this] { return stop_; })) return;
  while (!stop_) {
    woken_ = false;
    lock.unlock();
    try {
      drain();
    } catch (...) {
      // A failure is reported by deliver_one; nothing may end the thread.
    }
    lock.lock();
    cv_.wait_for(lock, s_.poll, [this] { return stop_ || woken_; });
  }
}

bool stored_outbox::deliver_one() {
  auto now = clk_.now();
  std::vector<store::outbox_message> taken;
  auto t = db_.write([&](store::transaction& tx) -> result<void> {
    TRY(got, tx.mail_outbox().take(s_.owner, now, now + std::chrono::duration_cast<std::chrono::milliseconds>(s_.lease), 1));
    taken = std::move(got);
    return {};
  });
  if (!t || taken.empty()) return false;
  const auto& row = taken.front();
  auto m = open_message(box_, row.sealed);
  auto sent = m ? transport_.send(*m) : result<void>(std::unexpected(m.error()));
  if (sent) {
    (void)db_.write([&](store::transaction& tx) -> result<void> {
      TRY(gone, tx.mail_outbox().remove(row.id, s_.owner));
      (void)gone;  // false: its lease expired and another node holds it (it may send it again)
      return {};
    });
    return true;
  }
  // A message refused for good (errc::validation, see mailer::send) is not tried again.
  bool gave_up = !m || sent.error().code == errc::validation || row.attempts + 1 >= s_.max_attempts;
  if (on_failure_) on_failure_(m ? *m : mail_message{}, row.event, sent.error(), gave_up);
  // Backoff doubles from first_backoff, at most an hour (RFC 5321 section 4.5.4.1 suggests at
  // least 30 minutes between retries of one relay; ours is the first hop and retries sooner).
  auto wait = std::min<std::chrono::milliseconds>(std::chrono::hours(1), s_.first_backoff * (int64_t{1} << std::min<int64_t>(row.attempts, 7)));
  (void)db_.write([&](store::transaction& tx) -> result<void> {
    TRY(done, gave_up ? tx.mail_outbox().remove(row.id, s_.owner)
                      : tx.mail_outbox().retry_later(row.id, s_.owner, clk_.now() + wait));
    (void)done;
    return {};
  });
  return true;
}

}  // namespace atrium::service
