#pragma once
// The one way a use case touches the database: run it, write its CloudTrail record in the same
// transaction (architecture guide: "Every state change is audited ... in the same
// transaction"), and record failures too. The records of read calls go through the store's
// deferred path (issue 18 item 2): batched into the next group commit or flushed within
// 100 ms, so that a read neither waits for a disk flush nor costs a commit of its own
// (docs/audit.md "Durability": what a crash may lose).
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "service/audit/auditor.hpp"
#include "service/audit/call_context.hpp"
#include "store/repositories.hpp"

namespace atrium::service {

// The part of a use case that runs inside the store's transaction, owning what it uses (it may
// run on the writer thread after the caller returned: write_then).
template <class T>
using store_body = std::function<result<T>(store::transaction&)>;

// The responseElements of a call that answers nothing (deletes): CloudTrail's null.
inline std::string null_response_elements(const std::monostate&) { return "null"; }

class audited_store {
 public:
  audited_store(store::database& db, auditor& a) : db_(db), auditor_(a) {}

  // fn: result<T>(store::transaction&); response: std::string(const T&), the responseElements as
  // serialised JSON (json_text_of in base/json_text.hpp wraps a function that renders JSON).
  template <class T, class Fn, class Resp>
  result<T> write(const call_context& ctx, Fn&& fn, Resp&& response) {
    std::optional<T> out;
    store::audit_record rec;
    auto status = db_.write([&](store::transaction& tx) -> result<void> {
      auto r = fn(tx);
      if (!r) return std::unexpected(r.error());
      static_assert(std::is_same_v<std::decay_t<decltype(response(*r))>, std::string>,
                    "responseElements are serialised JSON: wrap the renderer in json_text_of");
      rec = auditor_.make(ctx, response(*r), nullptr);
      if (auto a = tx.audit().append(rec); !a) return a;
      out = std::move(*r);
      return {};
    });
    if (!status) return std::unexpected(status.error());  // the door records the failure
    auditor_.export_line(rec);
    return std::move(*out);
  }

  // write() without a parked caller (issue 18 item 3): the same transaction, the same audit
  // record in it; `done` gets write()'s result on a thread of `post` (never the writer's). fn and
  // response own what they use (they run after this returns). On SQLite fn runs on the writer
  // thread with its batch; elsewhere (store::database::write_then's default) all of it runs
  // here, `done` included, before this returns.
  template <class T, class Fn, class Resp, class Done>
  void write_then(const call_context& ctx, Fn fn, Resp response, store::post_fn post, Done done) {
    struct state {
      Fn fn;
      Resp response;
      Done done;
      call_context ctx;
      std::optional<T> out;
      store::audit_record rec;
    };
    auto s = std::make_shared<state>(state{std::move(fn), std::move(response), std::move(done), ctx, {}, {}});
    auto body = [this, s](store::transaction& tx) -> result<void> {
      s->out.reset();
      auto r = s->fn(tx);
      if (!r) return std::unexpected(r.error());
      static_assert(std::is_same_v<std::decay_t<decltype(s->response(*r))>, std::string>,
                    "responseElements are serialised JSON: wrap the renderer in json_text_of");
      s->rec = auditor_.make(s->ctx, s->response(*r), nullptr);
      if (auto a = tx.audit().append(s->rec); !a) return a;
      s->out = std::move(*r);
      return {};
    };
    db_.write_then(std::move(body), [this, s, post = std::move(post)](result<void> status) {
      post([this, s, status = std::move(status)]() mutable {
        if (!status) return s->done(result<T>(std::unexpected(status.error())));  // the door records it
        auditor_.export_line(s->rec);
        s->done(result<T>(std::move(*s->out)));
      });
    });
  }

  template <class T, class Fn>
  result<T> read(const call_context& ctx, Fn&& fn) {
    std::optional<T> out;
    auto status = db_.read([&](store::transaction& tx) -> result<void> {
      auto r = fn(tx);
      if (!r) return std::unexpected(r.error());
      out = std::move(*r);
      return {};
    });
    if (!status) return std::unexpected(status.error());  // the door records the failure
    append_read_record(auditor_.make(ctx, {}, nullptr));
    return std::move(*out);
  }

  // A successful call that changes nothing in the store (SCIM discovery documents, the portal
  // API's listings, role credentials): its record is written like a read's, batched.
  void record_success(const call_context& ctx, std::string_view response_elements = {}) {
    append_read_record(auditor_.make(ctx, response_elements, nullptr));
  }

  // Failed calls (refused at the door or by a use case; nothing was changed): every door
  // records exactly one failure record per failed call through this. A failed read is batched
  // like a read; a failed write attempt is queued for the next commit at once.
  void record_failure(const call_context& ctx, const call_failure& err) {
    auto rec = auditor_.make(ctx, {}, &err);
    if (ctx.read_only) return append_read_record(std::move(rec));
    auditor_.export_line(rec);
    db_.write_detached([rec = std::move(rec)](store::transaction& tx) { return tx.audit().append(rec); });
  }

  // A record the use case made itself (sign-in events), written like a read's, without waiting.
  void record_event(const store::audit_record& rec) {
    db_.write_detached([rec](store::transaction& tx) { return tx.audit().append(rec); });
    auditor_.export_line(rec);
  }
  // A sign-in event nobody waits for and no state goes with (the CredentialChallenge of a
  // sign-in's start, which writes nothing else: issue 18 item 6): batched like a read's record
  // into the next group commit, at the latest within the deferred flush interval.
  void record_event_deferred(store::audit_record rec) { append_read_record(std::move(rec)); }
  // A write whose audit records the use case makes itself (the sign-in's session row and its
  // UserAuthentication event commit together); fn appends them to `records`. flush = false:
  // store::database::write_visible (short-lived state; records as durable as the state).
  template <class Fn>
  result<void> write_with_records(Fn&& fn, bool flush = true) {
    std::vector<store::audit_record> records;
    store::tx_fn body = [&](store::transaction& tx) -> result<void> {
      records.clear();
      if (auto r = fn(tx, records); !r) return r;
      for (const auto& rec : records)
        if (auto a = tx.audit().append(rec); !a) return a;
      return {};
    };
    auto status = flush ? db_.write(body) : db_.write_visible(body);
    if (!status) return status;
    for (const auto& rec : records) auditor_.export_line(rec);
    return {};
  }

  auditor& events() { return auditor_; }
  store::database& db() { return db_; }

 private:
  void append_read_record(store::audit_record rec) {
    auditor_.export_line(rec);
    db_.write_deferred([rec = std::move(rec)](store::transaction& tx) { return tx.audit().append(rec); });
  }

  store::database& db_;
  auditor& auditor_;
};

}  // namespace atrium::service
