// The PostgreSQL store itself (issue 13 item 1): its migrations are SQLite's twins, applied once
// under an advisory lock by nodes starting together; a newer schema is refused; writes that
// collide are run again (SERIALIZABLE, SQLSTATE 40001/40P01) and none is lost; reads are
// read-only snapshots; the pool stays within its size; passwords never reach a message.
#include "store/postgresql/pg_database.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <future>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

#include "../pg_cluster.hpp"
#include "store/postgresql/connection.hpp"
#include "store/postgresql/migrations.hpp"
#include "store/sqlite/migrations.hpp"

namespace atrium::store::postgresql::test {

namespace {

class pg_test : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why;
    if (!atrium::test::pg_cluster::instance().available(why)) GTEST_SKIP() << why;
  }
  void TearDown() override {
    for (const auto& d : made_) atrium::test::pg_cluster::instance().drop_database(d);
  }
  // A migrated database, or an empty one (CREATE DATABASE from template0).
  std::string database(bool empty = false) {
    auto& cl = atrium::test::pg_cluster::instance();
    std::string name;
    if (empty) {
      name = "e_" + std::to_string(::getpid()) + "_" + std::to_string(made_.size());
      (void)cl.query("postgres", "CREATE DATABASE " + name + " TEMPLATE template0");
    } else {
      name = cl.create_database();
    }
    made_.push_back(name);
    return name;
  }
  pg_options options(const std::string& db, int pool = 4) {
    pg_options o;
    o.connection.conninfo = atrium::test::pg_cluster::instance().conninfo(db);
    o.pool_size = pool;
    return o;
  }
  std::string scalar(const std::string& db, const std::string& sql) {
    return atrium::test::pg_cluster::instance().query(db, sql);
  }
  std::vector<std::string> made_;
};

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

}  // namespace

// ---- without a server ----------------------------------------------------------------------

TEST(pg_migrations, have_the_same_numbers_and_names_as_sqlite) {
  auto pg = migrations();
  auto lite = sqlite::migrations();
  ASSERT_EQ(pg.size(), lite.size()) << "every SQLite migration needs its PostgreSQL twin (and back)";
  for (std::size_t i = 0; i < pg.size(); ++i) EXPECT_STREQ(pg[i].name, lite[i].name);
}

TEST(pg_migrations, embedded_text_is_the_sql_files) {
  const std::filesystem::path dir = ATRIUM_POSTGRESQL_MIGRATIONS_DIR;
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(dir))
    if (e.path().extension() == ".sql") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  auto all = migrations();
  ASSERT_EQ(files.size(), all.size()) << "re-run cmake after adding a migration";
  for (std::size_t i = 0; i < files.size(); ++i) {
    EXPECT_EQ(files[i].stem().string(), all[i].name);
    EXPECT_EQ(slurp(files[i]), all[i].sql) << all[i].name << " differs from the embedded copy";
  }
}

TEST(pg_connection, parameters_are_numbered_outside_quotes) {
  int n = 0;
  EXPECT_EQ(numbered_parameters("SELECT a FROM t WHERE b = ? AND c = ?", n), "SELECT a FROM t WHERE b = $1 AND c = $2");
  EXPECT_EQ(n, 2);
  EXPECT_EQ(numbered_parameters("WHERE x = ?3 OR y = ?12 AND z = '?'", n), "WHERE x = $3 OR y = $12 AND z = '?'");
  EXPECT_EQ(n, 12);
  EXPECT_EQ(numbered_parameters("SELECT 1", n), "SELECT 1");
  EXPECT_EQ(n, 0);
}

TEST(pg_connection, passwords_are_redacted_in_both_conninfo_forms) {
  EXPECT_EQ(redact_conninfo("host=db port=5432 password=hunter2 dbname=atrium"),
            "host=db port=5432 password=*** dbname=atrium");
  EXPECT_EQ(redact_conninfo("host=db password = 'it\\'s secret' user=a"), "host=db password = *** user=a");
  EXPECT_EQ(redact_conninfo("postgresql://atrium:hunter2@db:5432/atrium?sslmode=require"),
            "postgresql://atrium:***@db:5432/atrium?sslmode=require");
  EXPECT_EQ(redact_conninfo("postgresql://db/atrium?password=hunter2&sslmode=require"),
            "postgresql://db/atrium?password=***&sslmode=require");
  EXPECT_EQ(redact_conninfo("host=db user=atrium"), "host=db user=atrium");
}

TEST(pg_connection, an_unreachable_server_fails_without_showing_the_password) {
  pg_options o;
  o.connection.conninfo = "host=127.0.0.1 port=1 user=atrium password=hunter2 dbname=atrium";
  o.connection.connect_timeout_s = 2;
  auto db = pg_database::open(o);
  ASSERT_FALSE(db);
  EXPECT_EQ(db.error().message.find("hunter2"), std::string::npos) << db.error().message;
  EXPECT_NE(db.error().message.find("password=***"), std::string::npos) << db.error().message;
}

// ---- on the test cluster -------------------------------------------------------------------

TEST_F(pg_test, nodes_starting_together_apply_each_migration_once) {
  auto name = database(/*empty=*/true);
  std::vector<std::thread> nodes;
  std::vector<int> ok(4, 0);
  for (int i = 0; i < 4; ++i)
    nodes.emplace_back([&, i] {
      auto db = pg_database::open(options(name, 1));
      ok[static_cast<std::size_t>(i)] = db ? 1 : 0;
    });
  for (auto& t : nodes) t.join();
  EXPECT_EQ(std::count(ok.begin(), ok.end(), 1), 4);
  EXPECT_EQ(scalar(name, "SELECT COUNT(*) FROM schema_migrations"), std::to_string(migrations().size()));
  EXPECT_EQ(scalar(name, "SELECT COUNT(DISTINCT version) FROM schema_migrations"), std::to_string(migrations().size()));
}

TEST_F(pg_test, a_newer_schema_is_refused_and_not_ready) {
  auto name = database();
  auto db = pg_database::open(options(name));
  ASSERT_TRUE(db) << db.error().message;
  EXPECT_TRUE((*db)->ready());
  (void)scalar(name, "INSERT INTO schema_migrations VALUES (" + std::to_string(migrations().size() + 1) +
                         ", '9999_future', 0)");
  auto ready = (*db)->ready();
  ASSERT_FALSE(ready);
  EXPECT_NE(ready.error().message.find("run a newer atrium"), std::string::npos) << ready.error().message;
  auto again = pg_database::open(options(name));
  ASSERT_FALSE(again);
  EXPECT_NE(again.error().message.find("run a newer atrium"), std::string::npos) << again.error().message;
}

TEST_F(pg_test, a_schema_from_another_build_is_refused) {
  auto name = database();
  (void)scalar(name, "UPDATE schema_migrations SET name = 'xxxx_other' WHERE version = (SELECT MAX(version) FROM schema_migrations)");
  auto db = pg_database::open(options(name));
  ASSERT_FALSE(db);
  EXPECT_NE(db.error().message.find("different build"), std::string::npos) << db.error().message;
}

TEST_F(pg_test, colliding_writes_are_run_again_and_none_is_lost) {
  auto name = database();
  auto db = pg_database::open(options(name, 8));
  ASSERT_TRUE(db) << db.error().message;
  ASSERT_TRUE((*db)->write([](transaction& tx) { return tx.settings().put("counter", "0"); }));
  // Read-modify-write of one row from 8 threads: under SERIALIZABLE a stale read cannot commit;
  // write() runs it again on a fresh snapshot, so every increment lands exactly once.
  constexpr int threads = 8, each = 15;
  std::vector<std::thread> ts;
  std::atomic<int> failed{0};
  for (int t = 0; t < threads; ++t)
    ts.emplace_back([&] {
      for (int i = 0; i < each; ++i) {
        auto r = (*db)->write([](transaction& tx) -> result<void> {
          auto v = tx.settings().get("counter");
          if (!v) return std::unexpected(v.error());
          return tx.settings().put("counter", std::to_string(std::stoi(**v) + 1));
        });
        if (!r) ++failed;
      }
    });
  for (auto& t : ts) t.join();
  // A write may still fail after max_attempts collisions; it must then have left nothing.
  EXPECT_EQ(scalar(name, "SELECT value FROM settings WHERE key = 'counter'"),
            std::to_string(threads * each - failed.load()));
  EXPECT_LE(failed.load(), threads * each / 10) << "retries should absorb most collisions";
  EXPECT_LE((*db)->stats().open, 8);
}

TEST_F(pg_test, reads_are_read_only_snapshots) {
  auto name = database();
  auto db = pg_database::open(options(name));
  ASSERT_TRUE(db) << db.error().message;
  auto w = (*db)->read([](transaction& tx) { return tx.settings().put("k", "v"); });
  ASSERT_FALSE(w);
  EXPECT_NE(w.error().message.find("read-only"), std::string::npos) << w.error().message;
  ASSERT_TRUE((*db)->write([](transaction& tx) { return tx.settings().put("k", "1"); }));
  // A change committed during a read is not seen by that read.
  std::string first, second;
  auto r = (*db)->read([&](transaction& tx) -> result<void> {
    first = tx.settings().get("k")->value_or("");
    (void)scalar(name, "UPDATE settings SET value = '2' WHERE key = 'k'");
    second = tx.settings().get("k")->value_or("");
    return {};
  });
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(first, "1");
  EXPECT_EQ(second, "1");
}

TEST_F(pg_test, a_failed_write_keeps_nothing_and_detached_writes_land_before_close) {
  auto name = database();
  {
    auto db = pg_database::open(options(name));
    ASSERT_TRUE(db) << db.error().message;
    auto r = (*db)->write([](transaction& tx) -> result<void> {
      if (auto p = tx.settings().put("gone", "x"); !p) return p;
      return fail(errc::validation, "no");
    });
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, errc::validation);
    for (int i = 0; i < 20; ++i)
      (*db)->write_detached([i](transaction& tx) { return tx.settings().put("d" + std::to_string(i), "1"); });
  }
  EXPECT_EQ(scalar(name, "SELECT COUNT(*) FROM settings WHERE key = 'gone'"), "0");
  EXPECT_EQ(scalar(name, "SELECT COUNT(*) FROM settings WHERE key LIKE 'd%'"), "20");
}

TEST_F(pg_test, a_connection_the_server_closed_is_replaced) {
  auto name = database();
  auto db = pg_database::open(options(name, 1));
  ASSERT_TRUE(db) << db.error().message;
  ASSERT_TRUE((*db)->write([](transaction& tx) { return tx.settings().put("k", "v"); }));
  // The server ends every session of this database (as a restart or failover would).
  (void)scalar("postgres", "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" + name + "'");
  auto r = (*db)->write([](transaction& tx) { return tx.settings().put("k", "w"); });
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(scalar(name, "SELECT value FROM settings WHERE key = 'k'"), "w");
}

// ---- detached writes: batched, bounded, drained (security review of the sign-in change) -----

namespace {
// A detached job that holds the background thread until released: what is queued meanwhile
// becomes one batch. started() once the thread runs it.
struct held_job {
  std::promise<void> go;
  std::shared_future<void> release{go.get_future().share()};
  std::promise<void> running;
  std::future<void> started_f{running.get_future()};
  tx_fn job() {
    return [this](transaction&) -> result<void> {
      running.set_value();
      release.wait();
      return {};
    };
  }
};
}  // namespace

TEST_F(pg_test, a_failing_job_in_a_batch_is_rolled_back_alone_and_the_others_commit) {
  auto name = database();
  {
    auto db = pg_database::open(options(name));
    ASSERT_TRUE(db) << db.error().message;
    held_job hold;
    (*db)->write_detached(hold.job());
    hold.started_f.wait();
    (*db)->write_detached([](transaction& tx) { return tx.settings().put("good1", "1"); });
    (*db)->write_detached([](transaction& tx) -> result<void> {
      if (auto p = tx.settings().put("bad1", "1"); !p) return p;
      return fail(errc::validation, "this job fails after writing");
    });
    (*db)->write_detached([](transaction& tx) { return tx.settings().put("good2", "1"); });
    (*db)->write_detached([](transaction& tx) -> result<void> {
      if (auto p = tx.settings().put("bad2", "1"); !p) return p;
      throw std::runtime_error("this job throws after writing");
    });
    (*db)->write_detached([](transaction& tx) { return tx.settings().put("good3", "1"); });
    EXPECT_EQ((*db)->stats().detached_queued, 5u);
    hold.go.set_value();
    // Close drains: the five queued jobs ran as one transaction.
    (*db).reset();
  }
  EXPECT_EQ(scalar(name, "SELECT COUNT(*) FROM settings WHERE key LIKE 'good%'"), "3");
  EXPECT_EQ(scalar(name, "SELECT COUNT(*) FROM settings WHERE key LIKE 'bad%'"), "0");
}

TEST_F(pg_test, batch_statistics_count_the_failed_jobs_and_one_transaction) {
  auto name = database();
  auto db = pg_database::open(options(name));
  ASSERT_TRUE(db) << db.error().message;
  held_job hold;
  (*db)->write_detached(hold.job());
  hold.started_f.wait();
  for (int i = 0; i < 10; ++i)
    (*db)->write_detached([i](transaction& tx) -> result<void> {
      if (i == 4) return fail(errc::validation, "the fifth job fails");
      return tx.settings().put("k" + std::to_string(i), "1");
    });
  hold.go.set_value();
  // The flush() of PostgreSQL does not wait for detached jobs: poll the counters.
  for (int spins = 0; (*db)->stats().detached_jobs < 11 && spins < 10000; ++spins)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  auto st = (*db)->stats();
  EXPECT_EQ(st.detached_jobs, 11u);
  EXPECT_EQ(st.detached_batches, 1u) << "the ten jobs queued behind the held one: one transaction";
  EXPECT_EQ(st.failed_detached, 1u);
  EXPECT_EQ(scalar(name, "SELECT COUNT(*) FROM settings WHERE key LIKE 'k%'"), "9");
}

TEST_F(pg_test, a_full_detached_queue_makes_the_caller_wait_then_proceed) {
  auto name = database();
  auto o = options(name);
  o.detached_max = 2;
  auto db = pg_database::open(o);
  ASSERT_TRUE(db) << db.error().message;
  held_job hold;
  (*db)->write_detached(hold.job());
  hold.started_f.wait();
  (*db)->write_detached([](transaction& tx) { return tx.settings().put("q1", "1"); });
  (*db)->write_detached([](transaction& tx) { return tx.settings().put("q2", "1"); });
  std::atomic<bool> returned{false};
  std::thread third([&] {
    (*db)->write_detached([](transaction& tx) { return tx.settings().put("q3", "1"); });
    returned = true;
  });
  // The third caller waits for room (not dropped, not queued over the bound).
  for (int spins = 0; (*db)->stats().detached_waiting == 0 && spins < 10000; ++spins)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  EXPECT_EQ((*db)->stats().detached_waiting, 1u);
  EXPECT_FALSE(returned.load());
  EXPECT_EQ((*db)->stats().detached_queued, 2u);
  hold.go.set_value();
  third.join();
  EXPECT_TRUE(returned.load());
  (*db).reset();  // drains
  EXPECT_EQ(scalar(name, "SELECT COUNT(*) FROM settings WHERE key LIKE 'q%'"), "3");
}

TEST_F(pg_test, closing_runs_every_queued_detached_job_in_bounded_batches) {
  auto name = database();
  auto o = options(name);
  o.detached_batch = 64;
  auto db = pg_database::open(o);
  ASSERT_TRUE(db) << db.error().message;
  held_job hold;
  (*db)->write_detached(hold.job());
  hold.started_f.wait();
  for (int i = 0; i < 300; ++i)
    (*db)->write_detached([i](transaction& tx) { return tx.settings().put("m" + std::to_string(i), "1"); });
  hold.go.set_value();
  (*db).reset();
  EXPECT_EQ(scalar(name, "SELECT COUNT(*) FROM settings WHERE key LIKE 'm%'"), "300");
}

}  // namespace atrium::store::postgresql::test
