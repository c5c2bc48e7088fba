#include "store/sqlite/sqlite_database.hpp"

#include <algorithm>

#include "store/sqlite/admin_policy_repo.hpp"
#include "store/sqlite/application_repo.hpp"
#include "store/sqlite/assignment_repo.hpp"
#include "store/sqlite/credential_repo.hpp"
#include "store/sqlite/external_idp_repo.hpp"
#include "store/sqlite/mfa_device_repo.hpp"
#include "store/sqlite/oidc_repo.hpp"
#include "store/sqlite/organization_repo.hpp"
#include "store/sqlite/permission_set_repo.hpp"
#include "store/sqlite/migrations.hpp"
#include "store/sqlite/repositories.hpp"
#include "store/sqlite/session_repo.hpp"
#include "store/sqlite/transient_state_repo.hpp"
#include "store/sqlite/mail_outbox_repo.hpp"
#include "store/sqlite/webauthn_challenge_repo.hpp"

namespace atrium::store::sqlite {

sqlite_transaction::sqlite_transaction(connection& c)
    : c_(c), users_(c), groups_(c), memberships_(c), audit_(c), keys_(c), settings_(c), scim_tokens_(c) {}
sqlite_transaction::~sqlite_transaction() = default;

namespace {
template <class Repo, class Iface>
Iface& made(std::unique_ptr<Iface>& slot, connection& c) {
  if (!slot) slot = std::make_unique<Repo>(c);
  return *slot;
}
}  // namespace

organization_repository& sqlite_transaction::organization() { return made<organization_repo>(organization_, c_); }
permission_set_repository& sqlite_transaction::permission_sets() { return made<permission_set_repo>(permission_sets_, c_); }
assignment_repository& sqlite_transaction::assignments() { return made<assignment_repo>(assignments_, c_); }
admin_policy_repository& sqlite_transaction::admin_policies() { return made<admin_policy_repo>(admin_policies_, c_); }
credential_repository& sqlite_transaction::credentials() { return made<credential_repo>(credentials_, c_); }
mfa_device_repository& sqlite_transaction::mfa_devices() { return made<mfa_device_repo>(mfa_devices_, c_); }
session_repository& sqlite_transaction::sessions() { return made<session_repo>(sessions_, c_); }
oidc_repository& sqlite_transaction::oidc() { return made<oidc_repo>(oidc_, c_); }
application_repository& sqlite_transaction::applications() { return made<application_repo>(applications_, c_); }
webauthn_challenge_repository& sqlite_transaction::webauthn_challenges() {
  return made<webauthn_challenge_repo>(webauthn_challenges_, c_);
}
external_idp_repository& sqlite_transaction::external_idps() { return made<external_idp_repo>(external_idps_, c_); }
transient_state_repository& sqlite_transaction::transient_state() {
  return made<transient_state_repo>(transient_state_, c_);
}
mail_outbox_repository& sqlite_transaction::mail_outbox() { return made<mail_outbox_repo>(mail_outbox_, c_); }


namespace {

// Runs fn and turns an escaped exception into an error value: nothing may cross the writer
// thread's loop or leave a reader connection inside a transaction.
result<void> guarded(const tx_fn& fn, transaction& tx) {
  try {
    return fn(tx);
  } catch (const std::exception& e) {
    return fail(errc::internal, std::string("unexpected exception in a transaction: ") + e.what());
  } catch (...) {
    return fail(errc::internal, "unexpected exception in a transaction");
  }
}

result<void> read_on(connection& c, const tx_fn& fn) {
  // Deferred BEGIN: the snapshot starts at the first read and holds until COMMIT.
  if (auto r = c.control("BEGIN"); !r) return r;
  sqlite_transaction tx(c);
  auto r = guarded(fn, tx);
  if (r) r = c.control("COMMIT");
  if (c.in_transaction()) (void)c.control("ROLLBACK");  // the connection goes back clean
  return r;
}

// One job in its own savepoint. The outer result fails when the batch's transaction can no
// longer be trusted (then nothing of the batch may be kept); the inner one is the job's answer.
result<result<void>> run_in_savepoint(connection& c, sqlite_transaction& tx, const tx_fn& fn) {
  if (auto r = c.control("SAVEPOINT job"); !r) return std::unexpected(r.error());
  result<void> own = guarded(fn, tx);
  // SQLite rolls the whole transaction back by itself on some errors (I/O, full disk, out of
  // memory); the jobs after it would then run, and commit, one by one in autocommit mode.
  if (!c.in_transaction()) return fail(errc::internal, "sqlite: the transaction was rolled back during a write");
  if (!own)
    if (auto r = c.control("ROLLBACK TO job"); !r) return std::unexpected(r.error());
  if (auto r = c.control("RELEASE job"); !r) return std::unexpected(r.error());
  return own;
}

}  // namespace

result<std::unique_ptr<sqlite_database>> sqlite_database::open(const sqlite_options& o) {
  std::unique_ptr<sqlite_database> db(new sqlite_database(o));
  auto w = connection::open(o.file, o.synchronous_full, role::writer, o.memory);
  if (!w) return std::unexpected(w.error());
  db->writer_ = std::move(*w);
  if (auto m = migrate(*db->writer_); !m) return std::unexpected(m.error());
  for (int i = 0; i < std::max(1, o.reader_connections); ++i) {
    auto r = connection::open(o.file, o.synchronous_full, role::reader, o.memory);
    if (!r) return std::unexpected(r.error());
    db->readers_.push_back(std::move(*r));
  }
  db->writer_thread_ = std::thread([p = db.get()] { p->writer_loop(); });
  return db;
}

sqlite_database::~sqlite_database() {
  {
    std::lock_guard lock(queue_mu_);
    stopping_ = true;
  }
  queue_cv_.notify_all();
  deferred_room_cv_.notify_all();
  if (writer_thread_.joinable()) writer_thread_.join();
}

write_stats sqlite_database::stats() const {
  std::size_t queued = 0, deferred = 0, detached = 0, waiting = 0;
  {
    std::lock_guard lock(queue_mu_);
    queued = queue_.size();
    deferred = deferred_.size();
    detached = detached_queued_;
    waiting = detached_waiting_;
  }
  return {batches_.load(), jobs_.load(), failed_batches_.load(), failed_detached_.load(), queued, deferred,
          deferred_jobs_.load(), unflushed_batches_.load(), failed_completions_.load(), detached, waiting};
}

// ---- reads -------------------------------------------------------------------------------

std::unique_ptr<connection> sqlite_database::take_reader() {
  std::unique_lock lock(readers_mu_);
  readers_cv_.wait(lock, [&] { return !readers_.empty(); });
  auto c = std::move(readers_.back());
  readers_.pop_back();
  return c;
}

void sqlite_database::give_back(std::unique_ptr<connection> c) {
  {
    std::lock_guard lock(readers_mu_);
    readers_.push_back(std::move(c));
  }
  readers_cv_.notify_one();
}

namespace {
// The read_together() scope open on this thread, if any: its database and transaction.
struct joined_read_scope {
  const sqlite_database* db = nullptr;
  transaction* tx = nullptr;
};
thread_local joined_read_scope joined_read_of_thread;
}  // namespace

result<void> sqlite_database::read(const tx_fn& fn) {
  if (joined_read_of_thread.db == this) return guarded(fn, *joined_read_of_thread.tx);
  auto c = take_reader();
  auto r = read_on(*c, fn);
  give_back(std::move(c));
  return r;
}

result<void> sqlite_database::read_together(const std::function<result<void>()>& body) {
  if (joined_read_of_thread.db) return body();  // inside a scope already (or another store's)
  auto c = take_reader();
  if (auto b = c->control("BEGIN"); !b) {
    give_back(std::move(c));
    return body();  // the reads inside open their own transactions, as without a scope
  }
  sqlite_transaction tx(*c);
  joined_read_of_thread = {this, &tx};
  // Ends the scope on every way out, an exception from `body` included. Nothing was written:
  // rolling the snapshot back gives the connection back clean.
  struct scope_end {
    sqlite_database& db;
    std::unique_ptr<connection>& c;
    ~scope_end() {
      joined_read_of_thread = {};
      if (c->in_transaction()) (void)c->control("ROLLBACK");
      db.give_back(std::move(c));
    }
  } end{*this, c};
  return body();
}

result<void> sqlite_database::ready() {
  auto c = take_reader();
  auto r = check_schema_current(*c);
  give_back(std::move(c));
  return r;
}

// ---- writes ------------------------------------------------------------------------------

result<void> sqlite_database::write(const tx_fn& fn) { return write_waited(fn, true); }

result<void> sqlite_database::write_visible(const tx_fn& fn) { return write_waited(fn, false); }

result<void> sqlite_database::write_waited(const tx_fn& fn, bool flush) {
  // A job that waits for a write would wait for its own batch: refuse instead of hanging.
  if (std::this_thread::get_id() == writer_thread_.get_id())
    return fail(errc::internal, "write() called inside a write transaction");
  std::promise<result<void>> done;
  auto outcome = done.get_future();
  {
    std::lock_guard lock(queue_mu_);
    if (stopping_) return fail(errc::internal, "the store is shutting down");
    queue_.push_back({fn, &done, flush});
  }
  queue_cv_.notify_one();
  return outcome.get();
}

void sqlite_database::write_detached(tx_fn fn) { enqueue({std::move(fn), nullptr}); }

void sqlite_database::write_then(tx_fn fn, write_done on_done) {
  if (std::this_thread::get_id() == writer_thread_.get_id())
    return on_done(fail(errc::internal, "write_then() called inside a write transaction"));
  {
    std::lock_guard lock(queue_mu_);
    if (!stopping_) {
      queue_.push_back({std::move(fn), nullptr, true, std::move(on_done)});
      on_done = nullptr;
    }
  }
  if (on_done) return on_done(fail(errc::internal, "the store is shutting down"));
  queue_cv_.notify_one();
}

// A full batch, or a full queue (callers wait for room): either starts a commit at once.
std::size_t sqlite_database::deferred_threshold() const {
  return std::max<std::size_t>(1, std::min(options_.deferred_batch, options_.deferred_max));
}

void sqlite_database::write_deferred(tx_fn fn) {
  bool wake = false;
  {
    std::unique_lock lock(queue_mu_);
    // The queue's bound: a caller waits only when the writer is this far behind.
    const auto most = std::max<std::size_t>(1, options_.deferred_max);
    deferred_room_cv_.wait(lock, [&] { return stopping_ || deferred_.size() < most; });
    if (stopping_) return;  // only reachable while being destroyed: a caller bug
    if (deferred_.empty()) {
      deferred_since_ = std::chrono::steady_clock::now();
      wake = true;  // an idle writer starts the flush interval's clock
    }
    deferred_.push_back(std::move(fn));
    wake = wake || deferred_.size() == deferred_threshold();
  }
  if (wake) queue_cv_.notify_one();
}

// A detached job: bounded like the deferred ones (a flood of refused calls must not grow the
// queue without end: the caller waits for room). A job the writer thread itself queues cannot
// wait for the writer: it goes in over the bound.
void sqlite_database::enqueue(job j) {
  {
    std::unique_lock lock(queue_mu_);
    if (std::this_thread::get_id() != writer_thread_.get_id()) {
      const auto most = std::max<std::size_t>(1, options_.deferred_max);
      ++detached_waiting_;
      deferred_room_cv_.wait(lock, [&] { return stopping_ || detached_queued_ < most; });
      --detached_waiting_;
    }
    if (stopping_) return;  // only reachable while being destroyed: a caller bug
    queue_.push_back(std::move(j));
    ++detached_queued_;
  }
  queue_cv_.notify_one();
}

void sqlite_database::writer_loop() {
  std::vector<job> batch;
  while (take_batch(batch)) {
    run_batch(batch);
    batch.clear();
  }
}

// Waits for work: a write, a full batch of deferred writes, the oldest deferred write's flush
// interval running out, or the store closing. False once stopping with nothing left to run.
bool sqlite_database::take_batch(std::vector<job>& batch) {
  std::unique_lock lock(queue_mu_);
  while (!stopping_ && queue_.empty() && deferred_.size() < deferred_threshold()) {
    if (deferred_.empty()) queue_cv_.wait(lock);
    else if (queue_cv_.wait_until(lock, deferred_since_ + options_.deferred_flush) == std::cv_status::timeout) break;
  }
  if (queue_.empty() && deferred_.empty()) return false;  // stopping, and every queued job has run
  // Every deferred write rides along, in the order queued (they wait for no answer).
  deferred_jobs_ += deferred_.size();
  for (auto& fn : deferred_) batch.push_back({std::move(fn), nullptr});
  deferred_.clear();
  // No waiting for more: what queued up during the previous COMMIT's fsync is the batch.
  const auto most = batch.size() + std::max<std::size_t>(1, options_.max_batch);
  while (!queue_.empty() && batch.size() < most) {
    if (!queue_.front().done && !queue_.front().then) --detached_queued_;
    batch.push_back(std::move(queue_.front()));
    queue_.pop_front();
  }
  lock.unlock();
  deferred_room_cv_.notify_all();
  return true;
}

void sqlite_database::run_batch(std::vector<job>& batch) {
  std::vector<result<void>> results(batch.size());
  if (auto committed = commit_batch(batch, results); !committed) {
    // Nothing of the batch was kept, whatever each job answered.
    ++failed_batches_;
    for (auto& r : results) r = fail(errc::internal, "the write was not committed: " + committed.error().message);
  }
  ++batches_;
  jobs_ += batch.size();
  for (std::size_t i = 0; i < batch.size(); ++i) {
    if (batch[i].done) batch[i].done->set_value(std::move(results[i]));
    else if (batch[i].then) tell(batch[i].then, std::move(results[i]));
    else if (!results[i]) ++failed_detached_;
  }
}

// A completion posts its work elsewhere (write_done); one that throws anyway must not end the
// writer thread, which every other write waits for.
void sqlite_database::tell(write_done& then, result<void> outcome) {
  try {
    then(std::move(outcome));
  } catch (...) {
    ++failed_completions_;
  }
  then = nullptr;  // what it holds (a request's state) goes now, not with the batch
}

// The synchronous level of the next COMMIT: FULL unless the batch is only write_visible() jobs.
// SQLite refuses to change it inside a transaction, so it is set before BEGIN, and only when it
// changes.
result<void> sqlite_database::set_flush(bool flush) {
  if (!options_.synchronous_full || flush == writer_flushes_) return {};
  if (auto r = writer_->exec(flush ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL"); !r) return r;
  writer_flushes_ = flush;
  return {};
}

result<void> sqlite_database::commit_batch(std::vector<job>& batch, std::vector<result<void>>& results) {
  if (writer_->in_transaction()) (void)writer_->control("ROLLBACK");  // left over by a failed batch
  bool flush = std::any_of(batch.begin(), batch.end(), [](const job& j) { return j.flush; });
  if (auto r = set_flush(flush); !r) return r;
  if (!flush && options_.synchronous_full) ++unflushed_batches_;
  if (auto r = writer_->control("BEGIN IMMEDIATE"); !r) return r;
  sqlite_transaction tx(*writer_);
  for (std::size_t i = 0; i < batch.size(); ++i) {
    auto ran = run_in_savepoint(*writer_, tx, batch[i].fn);
    if (!ran) {
      if (writer_->in_transaction()) (void)writer_->control("ROLLBACK");
      return std::unexpected(ran.error());
    }
    results[i] = std::move(*ran);
  }
  if (auto r = writer_->control("COMMIT"); !r) {
    if (writer_->in_transaction()) (void)writer_->control("ROLLBACK");
    return r;
  }
  return {};
}

}  // namespace atrium::store::sqlite
