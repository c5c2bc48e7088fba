#pragma once
// The embedded store. One writer connection owned by a writer thread that commits in groups:
// every queued write runs in its own SAVEPOINT inside one transaction, then one COMMIT (one
// fsync under synchronous=FULL) acknowledges the whole batch. A failing job rolls back to its
// savepoint and leaves its neighbours alone. Readers use a pool of WAL snapshot connections.
#include <condition_variable>
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
  bool synchronous_full = true;
  int reader_connections = 8;
  std::size_t max_batch = 256;
};

class sqlite_database final : public database {
 public:
  static result<std::unique_ptr<sqlite_database>> open(const sqlite_options& o);
  ~sqlite_database() override;

  result<void> read(const tx_fn& fn) override;
  result<void> write(const tx_fn& fn) override;
  void write_detached(tx_fn fn) override;

 private:
  struct job {
    tx_fn fn;
    std::promise<result<void>>* done = nullptr;  // null for detached writes
  };

  explicit sqlite_database(sqlite_options o) : options_(std::move(o)) {}
  void writer_loop();
  void run_batch(std::vector<job>& batch);
  std::unique_ptr<connection> take_reader();
  void give_back(std::unique_ptr<connection> c);

  sqlite_options options_;
  std::unique_ptr<connection> writer_;
  std::mutex queue_mu_;
  std::condition_variable queue_cv_;
  std::deque<job> queue_;
  bool stopping_ = false;
  std::thread writer_thread_;

  std::mutex readers_mu_;
  std::condition_variable readers_cv_;
  std::vector<std::unique_ptr<connection>> readers_;
};

}  // namespace atrium::store::sqlite
