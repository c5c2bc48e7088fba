#include "store/sqlite/sqlite_database.hpp"

#include "store/sqlite/migrations.hpp"
#include "store/sqlite/repositories.hpp"

namespace atrium::store::sqlite {

namespace {

// Runs fn and turns an escaped exception into an error value: nothing may cross the writer
// thread's loop.
result<void> guarded(const tx_fn& fn, transaction& tx) {
  try {
    return fn(tx);
  } catch (const std::exception& e) {
    return fail(errc::internal, std::string("unexpected exception in a transaction: ") + e.what());
  } catch (...) {
    return fail(errc::internal, "unexpected exception in a transaction");
  }
}

}  // namespace

result<std::unique_ptr<sqlite_database>> sqlite_database::open(const sqlite_options& o) {
  std::unique_ptr<sqlite_database> db(new sqlite_database(o));
  auto w = connection::open(o.file, o.synchronous_full);
  if (!w) return std::unexpected(w.error());
  db->writer_ = std::move(*w);
  if (auto m = migrate(*db->writer_); !m) return std::unexpected(m.error());
  for (int i = 0; i < std::max(1, o.reader_connections); ++i) {
    auto r = connection::open(o.file, o.synchronous_full);
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
  if (writer_thread_.joinable()) writer_thread_.join();
}

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

result<void> sqlite_database::read(const tx_fn& fn) {
  auto c = take_reader();
  result<void> r = c->exec("BEGIN");
  if (r) {
    sqlite_transaction tx(*c);
    r = guarded(fn, tx);
    (void)c->exec(r ? "COMMIT" : "ROLLBACK");
  }
  give_back(std::move(c));
  return r;
}

result<void> sqlite_database::write(const tx_fn& fn) {
  std::promise<result<void>> done;
  auto f = done.get_future();
  {
    std::lock_guard lock(queue_mu_);
    if (stopping_) return fail(errc::internal, "the store is shutting down");
    queue_.push_back({fn, &done});
  }
  queue_cv_.notify_one();
  return f.get();
}

void sqlite_database::write_detached(tx_fn fn) {
  {
    std::lock_guard lock(queue_mu_);
    if (stopping_) return;
    queue_.push_back({std::move(fn), nullptr});
  }
  queue_cv_.notify_one();
}

void sqlite_database::writer_loop() {
  std::vector<job> batch;
  while (true) {
    {
      std::unique_lock lock(queue_mu_);
      queue_cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty() && stopping_) return;  // drained: every queued job ran first
      while (!queue_.empty() && batch.size() < options_.max_batch) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    run_batch(batch);
    batch.clear();
  }
}

void sqlite_database::run_batch(std::vector<job>& batch) {
  std::vector<result<void>> results(batch.size());
  auto begin = writer_->exec("BEGIN IMMEDIATE");
  if (!begin) {
    for (auto& j : batch)
      if (j.done) j.done->set_value(std::unexpected(begin.error()));
    return;
  }
  sqlite_transaction tx(*writer_);
  for (std::size_t i = 0; i < batch.size(); ++i) {
    if (auto sp = writer_->exec("SAVEPOINT job"); !sp) {
      results[i] = std::unexpected(sp.error());
      continue;
    }
    results[i] = guarded(batch[i].fn, tx);
    if (!results[i]) (void)writer_->exec("ROLLBACK TO job");
    (void)writer_->exec("RELEASE job");
  }
  if (auto c = writer_->exec("COMMIT"); !c) {
    (void)writer_->exec("ROLLBACK");
    for (auto& r : results)
      if (r) r = std::unexpected(c.error());
  }
  for (std::size_t i = 0; i < batch.size(); ++i)
    if (batch[i].done) batch[i].done->set_value(std::move(results[i]));
}

}  // namespace atrium::store::sqlite
