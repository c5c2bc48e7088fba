// sqlite_database: connection settings, read snapshots, and the writer thread's group commit
// (batching, per-job savepoints, whole-batch failures, detached writes, completions, shutdown).
#include "store/sqlite/sqlite_database.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <future>
#include <stdexcept>
#include <thread>

#include "sqlite_fixture.hpp"
#include "store/sqlite/repositories.hpp"

namespace atrium::store::sqlite::test {

namespace {

using database_test = sqlite_test;
using namespace std::chrono_literals;

connection& conn_of(transaction& tx) { return dynamic_cast<sqlite_transaction&>(tx).conn(); }

result<std::string> pragma(transaction& tx, const std::string& sql) {
  auto s = conn_of(tx).prepare(sql);
  if (!s) return std::unexpected(s.error());
  auto row = (*s)->step();
  if (!row) return std::unexpected(row.error());
  std::string v = *row ? (*s)->text(0) : "";
  (*s)->reset();
  return v;
}

// Holds the writer thread inside a detached job until release(): whatever is queued meanwhile
// is taken as one batch.
class writer_gate {
 public:
  explicit writer_gate(database& db) : s_(std::make_shared<state>()) {
    db.write_detached([s = s_](transaction&) -> result<void> {
      s->entered.set_value();
      s->opened.wait();
      return {};
    });
    s_->entered.get_future().wait();
  }
  ~writer_gate() { release(); }
  writer_gate(const writer_gate&) = delete;
  writer_gate& operator=(const writer_gate&) = delete;
  void release() {
    if (!released_) s_->open.set_value();
    released_ = true;
  }

 private:
  struct state {
    std::promise<void> entered, open;
    std::shared_future<void> opened = open.get_future().share();
  };
  std::shared_ptr<state> s_;
  bool released_ = false;
};

void wait_until_queued(const sqlite_database& db, std::size_t n) {
  auto deadline = std::chrono::steady_clock::now() + 20s;
  while (db.stats().queued < n && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(1ms);
  ASSERT_GE(db.stats().queued, n);
}

}  // namespace

TEST_F(database_test, connections_are_configured) {
  ASSERT_TRUE(db_->write([](transaction& tx) -> result<void> {
    EXPECT_EQ(pragma(tx, "PRAGMA journal_mode").value_or("?"), "wal");
    EXPECT_EQ(pragma(tx, "PRAGMA synchronous").value_or("?"), "2") << "FULL";
    EXPECT_EQ(pragma(tx, "PRAGMA foreign_keys").value_or("?"), "1");
    EXPECT_EQ(pragma(tx, "PRAGMA busy_timeout").value_or("?"), "10000");
    EXPECT_EQ(pragma(tx, "PRAGMA query_only").value_or("?"), "0");
    return {};
  }));
  ASSERT_TRUE(db_->read([](transaction& tx) -> result<void> {
    EXPECT_EQ(pragma(tx, "PRAGMA journal_mode").value_or("?"), "wal");
    EXPECT_EQ(pragma(tx, "PRAGMA query_only").value_or("?"), "1");
    return {};
  }));
  db_.reset();
  auto relaxed = sqlite_database::open({file(), false});
  ASSERT_TRUE(relaxed);
  ASSERT_TRUE((*relaxed)->write([](transaction& tx) -> result<void> {
    EXPECT_EQ(pragma(tx, "PRAGMA synchronous").value_or("?"), "1") << "NORMAL";
    return {};
  }));
}

// Issue 18 item 6: write_visible() is seen by readers when it returns; a batch of only such
// writes commits under synchronous=NORMAL (no fsync of its own), a batch with any other write
// under FULL, and the writes after it are FULL again.
TEST_F(database_test, visible_writes_alone_commit_without_a_flush_and_any_other_write_flushes) {
  std::string level;
  auto note_level = [&](transaction& tx) -> result<void> {
    level = pragma(tx, "PRAGMA synchronous").value_or("?");
    return {};
  };
  ASSERT_TRUE(db_->write_visible([&](transaction& tx) -> result<void> {
    if (auto r = note_level(tx); !r) return r;
    return tx.settings().put("k", "visible");
  }));
  EXPECT_EQ(level, "1") << "NORMAL";
  EXPECT_EQ(db_->stats().unflushed_batches, 1u);
  auto v = read_value(*db_, [](transaction& tx) { return tx.settings().get("k"); });
  ASSERT_TRUE(v && *v);
  EXPECT_EQ(**v, "visible");
  ASSERT_TRUE(db_->write(note_level));
  EXPECT_EQ(level, "2") << "FULL again";
  {
    writer_gate gate(*db_);  // the next two are taken as one batch
    auto visible = std::async(std::launch::async, [&] {
      return db_->write_visible([](transaction&) -> result<void> { return {}; });
    });
    wait_until_queued(*db_, 1);
    auto ordinary = std::async(std::launch::async, [&] { return db_->write(note_level); });
    wait_until_queued(*db_, 2);
    gate.release();
    ASSERT_TRUE(visible.get());
    ASSERT_TRUE(ordinary.get());
  }
  EXPECT_EQ(level, "2") << "a batch with an ordinary write flushes";
  EXPECT_EQ(db_->stats().unflushed_batches, 1u);
}

TEST_F(database_test, reads_cannot_write) {
  auto r = db_->read([](transaction& tx) { return tx.settings().put("k", "v"); });
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, errc::internal);
  auto v = read_value(*db_, [](transaction& tx) { return tx.settings().get("k"); });
  ASSERT_TRUE(v);
  EXPECT_FALSE(*v);
  EXPECT_TRUE(read_value(*db_, [](transaction& tx) { return tx.users().count(); }))
      << "the reader went back to the pool clean";
}

TEST_F(database_test, a_read_sees_one_snapshot) {
  ASSERT_TRUE(insert(make_user("u1", "a")));
  ASSERT_TRUE(db_->read([&](transaction& tx) -> result<void> {
    auto before = tx.users().count();  // the snapshot starts at the first read
    EXPECT_TRUE(insert(make_user("u2", "b")));  // commits meanwhile on the writer thread
    auto after = tx.users().count();
    EXPECT_EQ(before.value_or(-1), 1);
    EXPECT_EQ(after.value_or(-1), 1);
    return {};
  }));
  EXPECT_EQ(user_count(), 2) << "the next read sees the commit";
}

// read_together (issue 18 item 1): the reads inside share one snapshot and one connection, so
// a commit between two of them is seen by neither; after the scope the next read sees it.
TEST_F(database_test, reads_inside_read_together_share_one_snapshot) {
  ASSERT_TRUE(insert(make_user("u1", "a")));
  connection* first = nullptr;
  connection* second = nullptr;
  ASSERT_TRUE(db_->read_together([&]() -> result<void> {
    EXPECT_TRUE(db_->read([&](transaction& tx) -> result<void> {
      first = &conn_of(tx);
      EXPECT_EQ(tx.users().count().value_or(-1), 1);  // the snapshot starts here
      return {};
    }));
    EXPECT_TRUE(insert(make_user("u2", "b")));  // commits meanwhile on the writer thread
    EXPECT_TRUE(db_->read([&](transaction& tx) -> result<void> {
      second = &conn_of(tx);
      EXPECT_EQ(tx.users().count().value_or(-1), 1) << "the second read joins the first one's snapshot";
      return {};
    }));
    return {};
  }));
  EXPECT_EQ(first, second);
  EXPECT_EQ(user_count(), 2) << "the next read, outside the scope, sees the commit";
}

// A failing read inside the scope fails alone; the scope's own answer is the body's.
TEST_F(database_test, a_failed_read_inside_read_together_leaves_the_scope_usable) {
  ASSERT_TRUE(insert(make_user("u1", "a")));
  auto r = db_->read_together([&]() -> result<void> {
    auto bad = db_->read([](transaction&) -> result<void> { return fail(errc::internal, "no"); });
    EXPECT_FALSE(bad);
    auto thrown = db_->read([](transaction&) -> result<void> { throw std::runtime_error("boom"); });
    EXPECT_FALSE(thrown);
    return db_->read([](transaction& tx) -> result<void> {
      EXPECT_EQ(tx.users().count().value_or(-1), 1);
      return {};
    });
  });
  EXPECT_TRUE(r);
  EXPECT_EQ(user_count(), 1);
}

TEST_F(database_test, concurrent_reads_share_the_pool) {
  ASSERT_TRUE(insert(make_user("u1", "a")));
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 12; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 50; ++i)
        if (get_user("u1")) ++ok;
    });
  for (auto& th : threads) th.join();
  EXPECT_EQ(ok.load(), 600);
}

TEST_F(database_test, group_commit_keeps_every_write) {
  constexpr int threads_n = 16, per_thread = 200;
  std::atomic<int> failed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < threads_n; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < per_thread; ++i) {
        std::string id = "t" + std::to_string(t) + "-" + std::to_string(i);
        if (!insert(make_user(id, id))) ++failed;
      }
    });
  for (auto& th : threads) th.join();
  EXPECT_EQ(failed.load(), 0);
  auto s = db_->stats();
  EXPECT_GE(s.jobs, uint64_t{threads_n * per_thread});
  EXPECT_LE(s.batches, s.jobs);
  RecordProperty("batches", std::to_string(s.batches));
  reopen();
  EXPECT_EQ(user_count(), threads_n * per_thread);
}

TEST_F(database_test, callers_get_their_own_answers) {
  std::atomic<int> failed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i) {
        std::string id = "t" + std::to_string(t) + "-" + std::to_string(i);
        // Every 10th write reuses a taken name and must fail alone.
        std::string name = i % 10 == 9 ? "t" + std::to_string(t) + "-0" : id;
        auto r = insert(make_user(id, name));
        EXPECT_EQ(r.has_value(), i % 10 != 9) << id;
        if (!r) {
          EXPECT_EQ(r.error().code, errc::conflict);
          ++failed;
        }
      }
    });
  for (auto& th : threads) th.join();
  EXPECT_EQ(failed.load(), 8 * 5);
  EXPECT_EQ(user_count(), 8 * 45);
}

TEST_F(database_test, a_failing_job_in_a_batch_does_not_undo_its_neighbours) {
  std::vector<uint64_t> batch_of;  // touched on the writer thread only
  auto job = [&](std::string id, std::string name, int how) {
    return [&, id, name, how](transaction& tx) -> result<void> {
      batch_of.push_back(db_->stats().batches);
      if (auto r = tx.users().insert(make_user(id, name)); !r) return r;
      if (how == 1) return fail(errc::validation, "refused after writing");
      if (how == 2) throw std::runtime_error("boom after writing");
      return {};
    };
  };
  std::vector<std::future<result<void>>> answers;
  {
    writer_gate gate(*db_);
    answers.push_back(std::async(std::launch::async, [&] { return db_->write(job("a", "a", 0)); }));
    wait_until_queued(*db_, 1);
    answers.push_back(std::async(std::launch::async, [&] { return db_->write(job("b", "b", 1)); }));
    wait_until_queued(*db_, 2);
    answers.push_back(std::async(std::launch::async, [&] { return db_->write(job("c", "c", 0)); }));
    wait_until_queued(*db_, 3);
    answers.push_back(std::async(std::launch::async, [&] { return db_->write(job("d", "d", 2)); }));
    wait_until_queued(*db_, 4);
    answers.push_back(std::async(std::launch::async, [&] { return db_->write(job("e", "a", 0)); }));  // taken name
    wait_until_queued(*db_, 5);
    db_->write_detached(job("f", "f", 1));
    db_->write_detached(job("g", "g", 0));
    wait_until_queued(*db_, 7);
  }
  EXPECT_TRUE(answers[0].get());
  EXPECT_EQ(answers[1].get().error().code, errc::validation);
  EXPECT_TRUE(answers[2].get());
  EXPECT_EQ(answers[3].get().error().code, errc::internal);
  EXPECT_EQ(answers[4].get().error().message, "Duplicate UserName");
  ASSERT_TRUE(db_->write([](transaction&) -> result<void> { return {}; }));  // after the batch
  ASSERT_EQ(batch_of.size(), 7u);
  for (auto b : batch_of) EXPECT_EQ(b, batch_of.front()) << "all seven ran in one batch";
  for (auto* id : {"a", "c", "g"}) EXPECT_TRUE(get_user(id)) << id;
  for (auto* id : {"b", "d", "e", "f"}) EXPECT_FALSE(get_user(id)) << id;
  EXPECT_EQ(db_->stats().failed_detached, 1u);
  EXPECT_EQ(db_->stats().failed_batches, 0u);
}

TEST_F(database_test, a_failed_commit_fails_every_job_of_the_batch) {
  std::future<result<void>> good, bad;
  {
    writer_gate gate(*db_);
    good = std::async(std::launch::async, [&] { return insert(make_user("x", "x")); });
    wait_until_queued(*db_, 1);
    // A deferred foreign key failure surfaces only at COMMIT.
    bad = std::async(std::launch::async, [&] {
      return db_->write([](transaction& tx) -> result<void> {
        if (auto r = conn_of(tx).exec("PRAGMA defer_foreign_keys=ON"); !r) return r;
        return tx.memberships().insert(make_membership("m1", "no-such-group", "x"));
      });
    });
    wait_until_queued(*db_, 2);
  }
  auto g = good.get(), b = bad.get();
  ASSERT_FALSE(g);
  ASSERT_FALSE(b);
  EXPECT_EQ(g.error().code, errc::internal);
  EXPECT_EQ(b.error().code, errc::internal);
  EXPECT_FALSE(get_user("x"));
  EXPECT_EQ(db_->stats().failed_batches, 1u);
  EXPECT_TRUE(insert(make_user("y", "y"))) << "the writer recovers";
  EXPECT_TRUE(get_user("y"));
}

TEST_F(database_test, a_transaction_lost_mid_batch_keeps_nothing) {
  std::vector<std::future<result<void>>> answers;
  {
    writer_gate gate(*db_);
    answers.push_back(std::async(std::launch::async, [&] { return insert(make_user("a", "a")); }));
    wait_until_queued(*db_, 1);
    // What SQLite does by itself on some I/O errors: the whole transaction is gone.
    answers.push_back(std::async(std::launch::async, [&] {
      return db_->write([](transaction& tx) { return conn_of(tx).exec("ROLLBACK"); });
    }));
    wait_until_queued(*db_, 2);
    answers.push_back(std::async(std::launch::async, [&] { return insert(make_user("c", "c")); }));
    wait_until_queued(*db_, 3);
  }
  for (auto& a : answers) {
    auto r = a.get();
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, errc::internal);
  }
  EXPECT_FALSE(get_user("a"));
  EXPECT_FALSE(get_user("c")) << "not run, or run and committed in autocommit mode";
  EXPECT_TRUE(insert(make_user("d", "d")));
  EXPECT_EQ(user_count(), 1);
}

TEST_F(database_test, detached_writes_are_durable_after_close) {
  for (int i = 0; i < 500; ++i) {
    audit_record r{"e" + std::to_string(i), from_epoch_millis(i), "ListUsers", "identitystore.amazonaws.com", "p",
                   true, "", "{}"};
    db_->write_detached([r](transaction& tx) { return tx.audit().append(r); });
  }
  reopen();  // the destructor drains the queue before the writer stops
  audit_query q;
  q.limit = 1000;
  auto recs = read_value(*db_, [&](transaction& tx) { return tx.audit().query(q); });
  ASSERT_TRUE(recs);
  ASSERT_EQ(recs->size(), 500u);
  EXPECT_TRUE((*recs)[0].read_only);
}

// ---- deferred writes (the audit records of read calls, issue 18 item 2) --------------------

namespace {

audit_record read_record(int i) {
  return {"r" + std::to_string(1000 + i), from_epoch_millis(1000 + i), "DescribeUser", "identitystore.amazonaws.com", "p",
          true, "", "{}"};
}

}  // namespace

class deferred_test : public database_test {
 protected:
  // flush: the interval; batch: how many start a commit by themselves; most: the queue's bound.
  void open_with(std::chrono::milliseconds flush, std::size_t batch, std::size_t most = 4096) {
    db_.reset();
    sqlite_options o = options();
    o.deferred_flush = flush;
    o.deferred_batch = batch;
    o.deferred_max = most;
    auto db = sqlite_database::open(o);
    ASSERT_TRUE(db) << db.error().message;
    db_ = std::move(*db);
  }
  void defer(int i) {
    db_->write_deferred([r = read_record(i)](transaction& tx) { return tx.audit().append(r); });
  }
  // The event ids in the audit table, in the order they were inserted.
  std::string stored_ids() {
    raw_db raw(file());
    return raw.scalar("SELECT group_concat(event_id, ',') FROM (SELECT event_id FROM audit_events ORDER BY rowid)");
  }
  // Polls (up to 20 s: never a timing assertion) until n records are committed.
  int64_t wait_for_records(int64_t n) {
    auto deadline = std::chrono::steady_clock::now() + 20s;
    while (true) {
      raw_db raw(file());
      auto have = std::stoll("0" + raw.scalar("SELECT count(*) FROM audit_events"));
      if (have >= n || std::chrono::steady_clock::now() > deadline) return have;
      std::this_thread::sleep_for(2ms);
    }
  }
};

TEST_F(deferred_test, deferred_writes_wait_for_the_next_commit_and_keep_their_order) {
  open_with(1h, 1000);  // neither the interval nor the batch size can start a commit here
  for (int i = 0; i < 3; ++i) defer(i);
  EXPECT_EQ(db_->stats().deferred, 3u);
  EXPECT_EQ(stored_ids(), "") << "nothing committed before a write or a flush";
  ASSERT_TRUE(insert(make_user("u1", "a")));  // an unrelated write carries them
  EXPECT_EQ(stored_ids(), "r1000,r1001,r1002");
  EXPECT_EQ(db_->stats().deferred, 0u);
  EXPECT_EQ(db_->stats().deferred_jobs, 3u);
  defer(3);
  defer(4);
  ASSERT_TRUE(db_->flush());
  EXPECT_EQ(stored_ids(), "r1000,r1001,r1002,r1003,r1004");
}

TEST_F(deferred_test, deferred_writes_commit_after_the_flush_interval) {
  open_with(20ms, 1000);
  defer(0);
  defer(1);
  EXPECT_EQ(wait_for_records(2), 2) << "committed without any write, by the interval";
  EXPECT_EQ(stored_ids(), "r1000,r1001");
  EXPECT_EQ(db_->stats().jobs, 2u) << "no other job ran: the interval alone started the commit";
}

TEST_F(deferred_test, a_full_batch_commits_at_once) {
  open_with(1h, 4);
  for (int i = 0; i < 4; ++i) defer(i);
  EXPECT_EQ(wait_for_records(4), 4) << "committed without a write and long before the interval";
  EXPECT_EQ(stored_ids(), "r1000,r1001,r1002,r1003");
}

TEST_F(deferred_test, deferred_writes_are_flushed_when_the_store_closes) {
  open_with(1h, 100000, 100000);
  for (int i = 0; i < 500; ++i) defer(i);
  EXPECT_EQ(db_->stats().deferred, 500u);
  reopen();  // the destructor commits the deferred queue before the writer stops
  audit_query q;
  q.limit = 1000;
  auto recs = read_value(*db_, [&](transaction& tx) { return tx.audit().query(q); });
  ASSERT_TRUE(recs);
  ASSERT_EQ(recs->size(), 500u);
  EXPECT_EQ((*recs)[0].event_id, "r1499") << "newest first";
  raw_db raw(file());
  EXPECT_EQ(raw.scalar("SELECT event_id FROM audit_events ORDER BY rowid LIMIT 1"), "r1000");
}

TEST_F(deferred_test, a_full_queue_makes_the_caller_wait_never_drops) {
  open_with(1h, 1000, 2);
  std::future<void> third;
  {
    writer_gate gate(*db_);  // the writer is busy: nothing is taken from the queue
    defer(0);
    defer(1);
    third = std::async(std::launch::async, [&] { defer(2); });
    EXPECT_EQ(third.wait_for(50ms), std::future_status::timeout) << "the queue is full: the caller waits";
    EXPECT_EQ(db_->stats().deferred, 2u) << "the bound holds";
  }
  third.get();  // the writer took the two; the third got its place
  ASSERT_TRUE(db_->flush());
  EXPECT_EQ(stored_ids(), "r1000,r1001,r1002");
}

// Detached writes (refused calls' records, session touches) have the same bound: a flood of
// them cannot grow the writer's queue without end; the caller waits, no record is dropped.
TEST_F(deferred_test, a_full_detached_queue_makes_the_caller_wait_never_drops) {
  open_with(1h, 1000, 2);
  auto detach = [&](int i) {
    db_->write_detached([r = read_record(i)](transaction& tx) { return tx.audit().append(r); });
  };
  std::future<void> third;
  std::atomic<bool> returned{false};
  {
    writer_gate gate(*db_);  // the writer is busy: nothing is taken from the queue
    detach(0);
    detach(1);
    third = std::async(std::launch::async, [&] {
      detach(2);
      returned = true;
    });
    auto deadline = std::chrono::steady_clock::now() + 20s;
    while (db_->stats().detached_waiting == 0 && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(1ms);
    EXPECT_EQ(db_->stats().detached_waiting, 1u) << "the queue is full: the caller waits";
    EXPECT_FALSE(returned.load());
    EXPECT_EQ(db_->stats().detached, 2u) << "the bound holds";
  }
  third.get();  // the writer took the two; the third got its place
  EXPECT_TRUE(returned.load());
  ASSERT_TRUE(db_->flush());
  EXPECT_EQ(stored_ids(), "r1000,r1001,r1002");
}

TEST_F(deferred_test, a_failing_deferred_write_leaves_the_others) {
  open_with(1h, 1000);
  defer(0);
  db_->write_deferred([](transaction& tx) -> result<void> {
    if (auto r = tx.audit().append(read_record(9)); !r) return r;
    return fail(errc::internal, "refused after writing");
  });
  defer(0);  // the same event id again: the insert fails
  defer(1);
  ASSERT_TRUE(db_->flush());
  EXPECT_EQ(stored_ids(), "r1000,r1001");
  EXPECT_EQ(db_->stats().failed_detached, 2u);
}

TEST_F(database_test, a_write_inside_a_write_is_refused_not_deadlocked) {
  auto r = db_->write([&](transaction& tx) -> result<void> {
    auto inner = insert(make_user("inner", "inner"));
    EXPECT_FALSE(inner);
    EXPECT_EQ(inner.error().code, errc::internal);
    return tx.users().insert(make_user("outer", "outer"));
  });
  EXPECT_TRUE(r);
  EXPECT_TRUE(get_user("outer"));
  EXPECT_FALSE(get_user("inner"));
}


// ---- writes completed by the writer (write_then, issue 18 item 3) -------------------------

namespace {

// What each completion saw: its job's outcome, its thread, and whether a reader already saw the
// job's user (the batch committed before the completion ran).
struct told {
  std::string id;
  result<void> outcome;
  std::thread::id thread;
  bool visible = false;
};

class completions {
 public:
  write_done for_user(database& db, std::string id) {
    return [this, &db, id](result<void> r) {
      // A reader connection: what it sees is committed.
      bool seen = read_value(db, [&](transaction& tx) { return tx.users().get(id); }).value_or(std::nullopt).has_value();
      record(id, std::move(r), seen);
    };
  }
  void record(std::string id, result<void> r, bool visible = false) {
    std::lock_guard lock(mu_);
    told_.push_back({std::move(id), std::move(r), std::this_thread::get_id(), visible});
    cv_.notify_all();
  }
  std::vector<told> wait_for(std::size_t n) {
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, 20s, [&] { return told_.size() >= n; });
    return told_;
  }
  std::size_t count() {
    std::lock_guard lock(mu_);
    return told_.size();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<told> told_;
};

tx_fn insert_job(std::string id, std::string name) {
  return [id, name](transaction& tx) { return tx.users().insert(make_user(id, name)); };
}

}  // namespace

TEST_F(database_test, write_then_completes_each_job_after_its_commit_in_queue_order) {
  completions seen;
  {
    writer_gate gate(*db_);
    db_->write_then(insert_job("a", "a"), seen.for_user(*db_, "a"));
    db_->write_then(insert_job("b", "a"), seen.for_user(*db_, "b"));  // taken name: fails alone
    db_->write_then(insert_job("c", "c"), seen.for_user(*db_, "c"));
    wait_until_queued(*db_, 3);
    EXPECT_EQ(seen.count(), 0u) << "nothing completes before its batch commits";
  }
  auto t = seen.wait_for(3);
  ASSERT_EQ(t.size(), 3u);
  EXPECT_EQ(t[0].id, "a");
  EXPECT_EQ(t[1].id, "b");
  EXPECT_EQ(t[2].id, "c");
  EXPECT_TRUE(t[0].outcome);
  ASSERT_FALSE(t[1].outcome);
  EXPECT_EQ(t[1].outcome.error().message, "Duplicate UserName");
  EXPECT_TRUE(t[2].outcome);
  EXPECT_TRUE(t[0].visible) << "committed before the completion ran";
  EXPECT_FALSE(t[1].visible);
  EXPECT_TRUE(t[2].visible);
  for (const auto& x : t) EXPECT_NE(x.thread, std::this_thread::get_id()) << "the writer thread calls them";
  EXPECT_EQ(db_->stats().failed_detached, 0u) << "a failed write_then job is its caller's to report";
}

TEST_F(database_test, write_then_jobs_of_a_failing_batch_all_complete_with_the_error) {
  completions seen;
  {
    writer_gate gate(*db_);
    db_->write_then(insert_job("x", "x"), seen.for_user(*db_, "x"));
    // A deferred foreign key failure surfaces only at COMMIT: the whole batch is lost.
    db_->write_then(
        [](transaction& tx) -> result<void> {
          if (auto r = conn_of(tx).exec("PRAGMA defer_foreign_keys=ON"); !r) return r;
          return tx.memberships().insert(make_membership("m1", "no-such-group", "x"));
        },
        seen.for_user(*db_, "m1"));
    db_->write_then(insert_job("y", "y"), seen.for_user(*db_, "y"));
    wait_until_queued(*db_, 3);
  }
  auto t = seen.wait_for(3);
  ASSERT_EQ(t.size(), 3u);
  for (const auto& x : t) {
    ASSERT_FALSE(x.outcome) << x.id;
    EXPECT_EQ(x.outcome.error().code, errc::internal) << x.id;
    EXPECT_FALSE(x.visible) << x.id;
  }
  EXPECT_EQ(db_->stats().failed_batches, 1u);
}

TEST_F(database_test, closing_the_store_runs_and_completes_every_queued_write_then) {
  completions seen;
  constexpr int n = 50;
  {
    writer_gate gate(*db_);
    for (int i = 0; i < n; ++i) {
      std::string id = "u" + std::to_string(i);
      db_->write_then(insert_job(id, id), [&seen, id](result<void> r) {
        seen.record(id, std::move(r));
      });
    }
    wait_until_queued(*db_, n);
  }
  db_.reset();  // the destructor runs what is queued before the writer stops
  EXPECT_EQ(seen.count(), std::size_t{n});
  for (const auto& x : seen.wait_for(n)) EXPECT_TRUE(x.outcome) << x.id;
  reopen();
  EXPECT_EQ(user_count(), n);
}

TEST_F(database_test, write_then_inside_a_write_completes_with_an_error_not_a_deadlock) {
  std::optional<result<void>> inner;
  auto r = db_->write([&](transaction& tx) -> result<void> {
    db_->write_then(insert_job("inner", "inner"), [&](result<void> o) { inner = std::move(o); });
    return tx.users().insert(make_user("outer", "outer"));
  });
  EXPECT_TRUE(r);
  ASSERT_TRUE(inner.has_value());
  ASSERT_FALSE(*inner);
  EXPECT_EQ(inner->error().code, errc::internal);
  EXPECT_FALSE(get_user("inner"));
}

TEST_F(database_test, a_completion_that_throws_does_not_stop_the_writer) {
  completions seen;
  db_->write_then(insert_job("a", "a"), [](result<void>) { throw std::runtime_error("a caller bug"); });
  db_->write_then(insert_job("b", "b"), seen.for_user(*db_, "b"));
  auto t = seen.wait_for(1);
  ASSERT_EQ(t.size(), 1u);
  EXPECT_TRUE(t[0].outcome);
  EXPECT_EQ(db_->stats().failed_completions, 1u);
  EXPECT_TRUE(insert(make_user("c", "c")));
}

}  // namespace atrium::store::sqlite::test
