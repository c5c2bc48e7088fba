#include "store/postgresql/pg_database.hpp"

#include <algorithm>
#include <random>

#include "store/postgresql/admin_policy_repo.hpp"
#include "store/postgresql/application_repo.hpp"
#include "store/postgresql/assignment_repo.hpp"
#include "store/postgresql/credential_repo.hpp"
#include "store/postgresql/external_idp_repo.hpp"
#include "store/postgresql/mfa_device_repo.hpp"
#include "store/postgresql/migrations.hpp"
#include "store/postgresql/oidc_repo.hpp"
#include "store/postgresql/organization_repo.hpp"
#include "store/postgresql/permission_set_repo.hpp"
#include "store/postgresql/repositories.hpp"
#include "store/postgresql/session_repo.hpp"
#include "store/postgresql/transient_state_repo.hpp"
#include "store/postgresql/mail_outbox_repo.hpp"
#include "store/postgresql/webauthn_challenge_repo.hpp"

namespace atrium::store::postgresql {

pg_transaction::pg_transaction(connection& c)
    : c_(c), users_(c), groups_(c), memberships_(c), audit_(c), keys_(c), settings_(c), scim_tokens_(c) {}
pg_transaction::~pg_transaction() = default;

namespace {
template <class Repo, class Iface>
Iface& made_pg(std::unique_ptr<Iface>& slot, connection& c) {
  if (!slot) slot = std::make_unique<Repo>(c);
  return *slot;
}
}  // namespace

organization_repository& pg_transaction::organization() { return made_pg<organization_repo>(organization_, c_); }
permission_set_repository& pg_transaction::permission_sets() { return made_pg<permission_set_repo>(permission_sets_, c_); }
assignment_repository& pg_transaction::assignments() { return made_pg<assignment_repo>(assignments_, c_); }
admin_policy_repository& pg_transaction::admin_policies() { return made_pg<admin_policy_repo>(admin_policies_, c_); }
credential_repository& pg_transaction::credentials() { return made_pg<credential_repo>(credentials_, c_); }
mfa_device_repository& pg_transaction::mfa_devices() { return made_pg<mfa_device_repo>(mfa_devices_, c_); }
session_repository& pg_transaction::sessions() { return made_pg<session_repo>(sessions_, c_); }
oidc_repository& pg_transaction::oidc() { return made_pg<oidc_repo>(oidc_, c_); }
application_repository& pg_transaction::applications() { return made_pg<application_repo>(applications_, c_); }
webauthn_challenge_repository& pg_transaction::webauthn_challenges() {
  return made_pg<webauthn_challenge_repo>(webauthn_challenges_, c_);
}
external_idp_repository& pg_transaction::external_idps() { return made_pg<external_idp_repo>(external_idps_, c_); }
transient_state_repository& pg_transaction::transient_state() {
  return made_pg<transient_state_repo>(transient_state_, c_);
}
mail_outbox_repository& pg_transaction::mail_outbox() { return made_pg<mail_outbox_repo>(mail_outbox_, c_); }

namespace {

// Nothing may escape a transaction function: an exception becomes an error value.
result<void> guarded_pg(const tx_fn& fn, transaction& tx) {
  try {
    return fn(tx);
  } catch (const std::exception& e) {
    return fail(errc::internal, std::string("unexpected exception in a transaction: ") + e.what());
  } catch (...) {
    return fail(errc::internal, "unexpected exception in a transaction");
  }
}

constexpr const char* begin_read = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY";
constexpr const char* begin_write = "BEGIN ISOLATION LEVEL SERIALIZABLE";

// Between attempts of a refused write: a random pause below a bound that doubles (2, 4, 8 ...
// 128 ms; "full jitter"), so that the writers that collided spread out instead of colliding
// again in lock step. The randomness only spreads load; nothing depends on its quality.
void pause_before_retry(int attempt) {
  thread_local std::minstd_rand jitter(std::random_device{}());
  int bound_us = 1000 << std::min(attempt, 7);
  std::uniform_int_distribution<int> pick(bound_us / 4, bound_us);
  std::this_thread::sleep_for(std::chrono::microseconds(pick(jitter)));
}

}  // namespace

result<std::unique_ptr<pg_database>> pg_database::open(const pg_options& o) {
  std::unique_ptr<pg_database> db(new pg_database(o));
  auto c = connection::open(o.connection);
  if (!c) return std::unexpected(c.error());
  if (auto m = migrate(**c); !m) return std::unexpected(m.error());
  {
    std::lock_guard lock(db->mu_);
    db->open_ = 1;
    db->opened_once_ = true;
    db->idle_.push_back(std::move(*c));
  }
  db->detached_thread_ = std::thread([p = db.get()] { p->detached_loop(); });
  return db;
}

pg_database::~pg_database() {
  {
    std::lock_guard lock(detached_mu_);
    stopping_ = true;
  }
  detached_cv_.notify_all();
  detached_room_cv_.notify_all();
  if (detached_thread_.joinable()) detached_thread_.join();
}

pool_stats pg_database::stats() const {
  pool_stats out;
  {
    std::lock_guard lock(detached_mu_);
    out.detached_jobs = detached_jobs_;
    out.detached_batches = detached_batches_;
    out.detached_queued = detached_.size();
    out.detached_waiting = detached_waiting_;
  }
  std::lock_guard lock(mu_);
  out.open = open_;
  out.idle = static_cast<int>(idle_.size());
  out.retried = retried_;
  out.reconnects = reconnects_;
  out.failed_detached = failed_detached_;
  return out;
}

// ---- the pool ----------------------------------------------------------------------------

result<std::unique_ptr<connection>> pg_database::connect_with_backoff() {
  {
    std::lock_guard lock(mu_);
    if (std::chrono::steady_clock::now() < next_connect_) {
      --open_;
      cv_.notify_one();
      return fail(errc::internal, "the database is unreachable (reconnecting with backoff)");
    }
  }
  auto c = connection::open(options_.connection);
  std::lock_guard lock(mu_);
  if (!c) {
    --open_;
    // Callers fail fast until the next attempt is due, instead of each waiting out a connect
    // timeout while the server is down.
    int wait = options_.reconnect_backoff_min_ms << std::min(connecting_failures_, 10);
    wait = std::min(std::max(wait, 1), std::max(options_.reconnect_backoff_max_ms, 1));
    ++connecting_failures_;
    next_connect_ = std::chrono::steady_clock::now() + std::chrono::milliseconds(wait);
    cv_.notify_one();
    return std::unexpected(c.error());
  }
  connecting_failures_ = 0;
  ++reconnects_;
  return std::move(*c);
}

result<std::unique_ptr<connection>> pg_database::acquire() {
  std::unique_lock lock(mu_);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(options_.acquire_timeout_ms);
  while (idle_.empty() && open_ >= std::max(1, options_.pool_size)) {
    if (cv_.wait_until(lock, deadline) == std::cv_status::timeout && idle_.empty() &&
        open_ >= std::max(1, options_.pool_size))
      return fail(errc::internal, "no database connection became free within " +
                                      std::to_string(options_.acquire_timeout_ms) + " ms");
  }
  if (!idle_.empty()) {
    auto c = std::move(idle_.back());
    idle_.pop_back();
    return c;
  }
  ++open_;  // reserved; connect_with_backoff gives it back on failure
  lock.unlock();
  return connect_with_backoff();
}

void pg_database::release(std::unique_ptr<connection> c) {
  std::lock_guard lock(mu_);
  if (c->broken() || c->in_transaction()) {
    --open_;  // a broken session is closed; the next acquire opens a new one
    c.reset();
  } else {
    idle_.push_back(std::move(c));
  }
  cv_.notify_one();
}

// ---- transactions ------------------------------------------------------------------------

result<void> pg_database::run(const tx_fn& fn, bool write) {
  const int attempts = std::max(1, options_.max_attempts);
  for (int attempt = 1;; ++attempt) {
    auto c = acquire();
    if (!c) return std::unexpected(c.error());
    connection& conn = **c;
    conn.clear_failures();
    if (auto b = conn.exec(write ? begin_write : begin_read); !b) {
      // An idle connection whose server went away (restart, failover): nothing ran, so trying
      // again on a new connection is safe for writes too.
      bool broken = conn.broken();
      release(std::move(*c));
      if (broken && attempt < attempts) continue;
      return b;
    }
    result<void> r;
    {
      pg_transaction tx(conn);
      r = guarded_pg(fn, tx);
    }
    if (r) r = conn.exec("COMMIT");
    if (!r && conn.in_transaction() && !conn.broken()) (void)conn.exec("ROLLBACK");
    bool retry = !r && conn.saw_retryable() && attempt < attempts;
    // A read whose connection broke may run again; a write may not (its COMMIT may have landed).
    if (!r && !write && conn.broken() && attempt < attempts) retry = true;
    release(std::move(*c));
    if (!retry) return r;
    {
      std::lock_guard lock(mu_);
      ++retried_;
    }
    pause_before_retry(attempt);
  }
}

result<void> pg_database::read(const tx_fn& fn) { return run(fn, false); }
result<void> pg_database::write(const tx_fn& fn) { return run(fn, true); }

void pg_database::write_detached(tx_fn fn) {
  {
    std::unique_lock lock(detached_mu_);
    // Back-pressure: the caller (a request) waits while the queue is full, so a flood of audited
    // reads costs the flooder time, not this process's memory, and no record is dropped. A job
    // queuing another from the background thread itself cannot wait for it (it would wait for
    // itself): it goes in over the bound.
    const auto most = std::max<std::size_t>(1, options_.detached_max);
    if (std::this_thread::get_id() != detached_thread_.get_id()) {
      ++detached_waiting_;
      detached_room_cv_.wait(lock, [&] { return stopping_ || detached_.size() < most; });
      --detached_waiting_;
    }
    if (stopping_) return;  // only reachable while being destroyed: a caller bug
    detached_.push_back(std::move(fn));
  }
  detached_cv_.notify_one();
}

void pg_database::detached_loop() {
  std::vector<tx_fn> jobs;
  while (true) {
    {
      std::unique_lock lock(detached_mu_);
      detached_cv_.wait(lock, [&] { return stopping_ || !detached_.empty(); });
      if (detached_.empty()) return;  // stopping, and every queued write has run
      // Everything queued during the previous batch's COMMIT, up to the bound: one transaction.
      const auto most = std::max<std::size_t>(1, options_.detached_batch);
      while (!detached_.empty() && jobs.size() < most) {
        jobs.push_back(std::move(detached_.front()));
        detached_.pop_front();
      }
    }
    detached_room_cv_.notify_all();
    run_detached(jobs);
    jobs.clear();
  }
}

void pg_database::run_detached(std::vector<tx_fn>& jobs) {
  uint64_t failed = 0;
  auto outcome = jobs.size() == 1 ? batch_outcome::run_alone : commit_together(jobs, failed);
  if (outcome == batch_outcome::run_alone) {
    failed = 0;  // nothing of the batch was kept: each job runs again on its own, with retries
    for (const auto& fn : jobs)
      if (!run(fn, true)) ++failed;
  }
  std::lock_guard lock(detached_mu_);
  detached_jobs_ += jobs.size();
  if (outcome != batch_outcome::run_alone) ++detached_batches_;
  if (failed) {
    std::lock_guard stats_lock(mu_);
    failed_detached_ += failed;
  }
}

// One transaction for the batch, one SAVEPOINT per job: a job that fails (its own error, an
// SQL error, an exception) is rolled back to its savepoint alone. `failed` counts those.
// run_alone: nothing was committed (refused before or at COMMIT). unknown: the connection broke
// during COMMIT, which may have landed; running the jobs again could write records twice.
pg_database::batch_outcome pg_database::commit_together(const std::vector<tx_fn>& jobs, uint64_t& failed) {
  auto c = acquire();
  if (!c) return batch_outcome::run_alone;
  connection& conn = **c;
  conn.clear_failures();
  bool doomed = !conn.exec(begin_write);
  for (std::size_t i = 0; i < jobs.size() && !doomed; ++i) {
    if (!conn.exec("SAVEPOINT detached_job")) {
      doomed = true;
      break;
    }
    result<void> r;
    {
      pg_transaction tx(conn);
      r = guarded_pg(jobs[i], tx);
    }
    // A serialization failure or a lost connection dooms the whole transaction: run alone.
    if (conn.saw_retryable() || conn.broken()) doomed = true;
    else if (r) doomed = !conn.exec("RELEASE SAVEPOINT detached_job");
    else if (conn.exec("ROLLBACK TO SAVEPOINT detached_job")) ++failed;
    else doomed = true;
  }
  auto outcome = batch_outcome::run_alone;
  if (!doomed) {
    if (conn.exec("COMMIT")) outcome = batch_outcome::committed;
    else if (conn.broken()) outcome = batch_outcome::unknown;
  }
  if (outcome == batch_outcome::unknown) failed = jobs.size();
  if (conn.in_transaction() && !conn.broken()) (void)conn.exec("ROLLBACK");
  release(std::move(*c));
  return outcome;
}

result<void> pg_database::ready() {
  auto c = acquire();
  if (!c) return std::unexpected(c.error());
  auto r = check_schema_current(**c);
  release(std::move(*c));
  return r;
}

}  // namespace atrium::store::postgresql
