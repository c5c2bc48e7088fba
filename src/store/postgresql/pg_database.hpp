#pragma once
// The PostgreSQL store (store.kind=postgresql): the `database` contract over a bounded pool of
// libpq connections, for several Atrium nodes sharing one database (docs/deployment.md).
//
// Transactions: read() is one REPEATABLE READ READ ONLY transaction (one snapshot for the whole
// function, as a SQLite WAL reader has). write() is one SERIALIZABLE transaction: PostgreSQL
// lets concurrent writers of several nodes run at once and refuses a commit that no serial
// order would explain (SQLSTATE 40001), or breaks a deadlock (40P01); write() then runs the
// function again on a fresh snapshot after a random pause, up to max_attempts times. That is safe because a write
// function only reads and writes through its transaction (nothing of a rolled-back attempt
// remains). This replaces SQLite's one writer thread with group commit: each write is its own
// COMMIT, and commits of concurrent writes are grouped by PostgreSQL's own WAL flush
// (commit_delay/commit_siblings on the server). synchronous_commit is set to on for every
// session: a write() that returned is on the server's disk (and on synchronous standbys).
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "store/postgresql/connection.hpp"
#include "store/repositories.hpp"

namespace atrium::store::postgresql {

struct pg_options {
  connect_settings connection;           // conninfo, password, connect and statement timeouts
  int pool_size = 8;                     // connections at most; read() and write() wait for one
  int acquire_timeout_ms = 10000;        // how long they wait before failing
  int max_attempts = 10;                 // runs of a write refused with 40001/40P01
  int reconnect_backoff_min_ms = 100;    // after a failed connect, no new attempt before this...
  int reconnect_backoff_max_ms = 5000;   // ...doubling up to this
  // Detached and deferred writes (audit records of reads and failures, session touches): the
  // background thread commits up to `detached_batch` of them in one transaction; a caller waits
  // for room when `detached_max` are queued (store.deferred_queue_limit): back-pressure, never a
  // dropped record and never unbounded memory (docs/audit.md "Durability").
  std::size_t detached_batch = 256;
  std::size_t detached_max = 4096;
};

struct pool_stats {
  int open = 0;              // connections open now
  int idle = 0;              // of which waiting in the pool
  uint64_t retried = 0;      // transactions run again after 40001/40P01
  uint64_t reconnects = 0;   // connections opened after the first
  uint64_t failed_detached = 0;  // detached jobs whose work was not kept (or whose COMMIT's fate is unknown)
  uint64_t detached_jobs = 0;    // detached jobs run
  uint64_t detached_batches = 0; // transactions that ran several detached jobs together
  std::size_t detached_queued = 0;   // waiting for the background thread now
  std::size_t detached_waiting = 0;  // callers waiting for room in the queue now
};

class pg_database final : public database {
 public:
  // Connects, applies pending migrations under an advisory lock (several nodes may start at
  // once), refuses a schema newer than this binary.
  static result<std::unique_ptr<pg_database>> open(const pg_options& o);
  // Runs every detached write already queued, then closes the connections.
  ~pg_database() override;

  result<void> read(const tx_fn& fn) override;
  result<void> write(const tx_fn& fn) override;
  // Queued for a background thread, which takes everything queued (up to detached_batch) and
  // runs it in one SERIALIZABLE transaction, each job inside its own SAVEPOINT: a job that fails
  // is rolled back alone (counted in failed_detached) and the others commit together. A batch
  // the server refuses before or at COMMIT (a serialization failure, a lost connection before
  // COMMIT was sent) runs again job by job as write() does (retries included); a batch whose
  // connection broke during COMMIT is not run again (it may have landed: no duplicate records)
  // and its jobs are counted failed. The caller waits while detached_max jobs are queued.
  // Lost only if the process dies first: at most the queue (detached_max jobs), which the
  // background thread drains as fast as PostgreSQL commits a batch.
  // write_deferred (read calls' audit records) is the database default: detached. Unlike
  // SQLite's single writer, a later write() does not wait for them, so flush() does not either
  // (nothing in src/ calls it; an in-process reader of the audit table may see a record late).
  void write_detached(tx_fn fn) override;

  // /readyz: a connection answers and the schema is the version this binary knows.
  result<void> ready() override;
  bool single_writer() const override { return false; }
  pool_stats stats() const;

 private:
  explicit pg_database(pg_options o) : options_(std::move(o)) {}
  result<std::unique_ptr<connection>> acquire();
  void release(std::unique_ptr<connection> c);
  result<std::unique_ptr<connection>> connect_with_backoff();
  result<void> run(const tx_fn& fn, bool write);
  void detached_loop();
  enum class batch_outcome { committed, run_alone, unknown };
  batch_outcome commit_together(const std::vector<tx_fn>& jobs, uint64_t& failed);
  void run_detached(std::vector<tx_fn>& jobs);

  pg_options options_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<connection>> idle_;
  int open_ = 0;
  int connecting_failures_ = 0;
  std::chrono::steady_clock::time_point next_connect_{};
  uint64_t retried_ = 0, reconnects_ = 0, failed_detached_ = 0;
  bool opened_once_ = false;

  mutable std::mutex detached_mu_;
  std::condition_variable detached_cv_;
  std::condition_variable detached_room_cv_;  // detached_ fell below detached_max
  std::deque<tx_fn> detached_;
  std::size_t detached_waiting_ = 0;
  uint64_t detached_jobs_ = 0, detached_batches_ = 0;
  bool stopping_ = false;
  std::thread detached_thread_;
};

}  // namespace atrium::store::postgresql
