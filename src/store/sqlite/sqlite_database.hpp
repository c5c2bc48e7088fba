#pragma once
// The embedded store. One writer connection owned by a writer thread that commits in groups:
// every queued write runs in its own SAVEPOINT inside one transaction, then one COMMIT (one
// fsync under synchronous=FULL) acknowledges the whole batch. A failing job rolls back to its
// savepoint and leaves its neighbours alone. Deferred writes (read calls' audit records) wait
// in a second, bounded queue for the next batch or their flush interval. A write_then() job
// waits for nobody: after the COMMIT the writer calls its completion, which posts the rest of
// the request elsewhere (issue 18 item 3). Readers use a pool of WAL snapshot connections.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <future>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "store/repositories.hpp"
#include "store/sqlite/connection.hpp"

namespace atrium::store::sqlite {

struct sqlite_options {
  std::filesystem::path file;
  bool synchronous_full = true;  // false: synchronous=NORMAL (a power cut may lose the last commits)
  int reader_connections = 4;    // read() waits for a free one when all are busy
  std::size_t max_batch = 256;   // jobs per group commit at most
  tuning memory{};               // page caches, mmap, checkpoint interval
  // Deferred writes (write_deferred): committed with the next batch, at the latest
  // `deferred_flush` after the oldest was queued, or at once when `deferred_batch` are queued.
  // A caller waits only when `deferred_max` are queued (the writer is that far behind): the
  // bound of what a crash can lose. Detached writes (write_detached: failed calls' records,
  // session touches) have the same bound of their own (store.deferred_queue_limit).
  std::chrono::milliseconds deferred_flush{100};
  std::size_t deferred_batch = 512;
  std::size_t deferred_max = 4096;
};

// Counters of the writer thread, for metrics and tests.
struct write_stats {
  uint64_t batches = 0;          // transactions the writer ran (one COMMIT each)
  uint64_t jobs = 0;             // write jobs run, attached and detached
  uint64_t failed_batches = 0;   // batches lost as a whole (COMMIT or the transaction failed)
  uint64_t failed_detached = 0;  // detached or deferred jobs whose work was not kept (nobody else hears of it)
  std::size_t queued = 0;        // jobs waiting for the writer thread now
  std::size_t deferred = 0;      // deferred jobs waiting for their batch now
  uint64_t deferred_jobs = 0;    // deferred jobs run
  uint64_t unflushed_batches = 0;  // batches of write_visible() jobs only, committed without an fsync
  uint64_t failed_completions = 0;  // write_then() completions that threw (a caller bug)
  std::size_t detached = 0;         // detached jobs waiting for the writer thread now (of `queued`)
  std::size_t detached_waiting = 0; // callers of write_detached waiting for room now
};

class sqlite_database final : public database {
 public:
  // Opens (creating if needed) and migrates the file, then starts the writer thread.
  static result<std::unique_ptr<sqlite_database>> open(const sqlite_options& o);
  // Runs every write already queued, then stops the writer thread.
  ~sqlite_database() override;

  result<void> read(const tx_fn& fn) override;
  result<void> read_together(const std::function<result<void>()>& body) override;
  result<void> write(const tx_fn& fn) override;
  void write_detached(tx_fn fn) override;
  void write_deferred(tx_fn fn) override;
  result<void> write_visible(const tx_fn& fn) override;
  void write_then(tx_fn fn, write_done on_done) override;
  result<void> ready() override;
  write_stats stats() const;

 private:
  struct job {
    tx_fn fn;
    std::promise<result<void>>* done = nullptr;  // null for detached writes
    bool flush = true;                           // false: write_visible
    write_done then = nullptr;                   // write_then: told the outcome after COMMIT
  };

  explicit sqlite_database(sqlite_options o) : options_(std::move(o)) {}
  result<void> write_waited(const tx_fn& fn, bool flush);
  result<void> set_flush(bool flush);
  void enqueue(job j);
  void writer_loop();
  bool take_batch(std::vector<job>& batch);
  std::size_t deferred_threshold() const;
  void run_batch(std::vector<job>& batch);
  void tell(write_done& then, result<void> outcome);
  result<void> commit_batch(std::vector<job>& batch, std::vector<result<void>>& results);
  std::unique_ptr<connection> take_reader();
  void give_back(std::unique_ptr<connection> c);

  sqlite_options options_;
  std::unique_ptr<connection> writer_;  // used by the writer thread only, once it runs
  mutable std::mutex queue_mu_;
  std::condition_variable queue_cv_;
  std::deque<job> queue_;
  std::vector<tx_fn> deferred_;                          // in the order queued
  std::chrono::steady_clock::time_point deferred_since_;  // when the oldest deferred job was queued
  std::condition_variable deferred_room_cv_;              // deferred_ or the detached jobs fell below deferred_max
  std::size_t detached_queued_ = 0;                       // detached jobs in queue_
  std::size_t detached_waiting_ = 0;                      // callers waiting for room for one
  bool stopping_ = false;
  std::thread writer_thread_;
  std::atomic<uint64_t> batches_{0}, jobs_{0}, failed_batches_{0}, failed_detached_{0}, deferred_jobs_{0};
  std::atomic<uint64_t> unflushed_batches_{0}, failed_completions_{0};
  bool writer_flushes_ = true;  // the writer connection's synchronous level is FULL (writer thread only)

  std::mutex readers_mu_;
  std::condition_variable readers_cv_;
  std::vector<std::unique_ptr<connection>> readers_;
};

}  // namespace atrium::store::sqlite
