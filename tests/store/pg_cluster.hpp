#pragma once
// A throwaway PostgreSQL cluster for the tests (issue 13 item 5): Debian's postgresql-15
// binaries, initdb in a temporary directory, the server on a free 127.0.0.1 port and a unix
// socket in that directory, fsync off (test data need not survive a power cut). A test gets a
// fresh database made from a migrated template (CREATE DATABASE ... TEMPLATE: a file copy, no
// migrations per test).
//
// ctest runs every test case as its own process, so "once per test executable" would still be
// once per test: the processes of one build directory share one cluster instead. Two lock
// files next to it make that safe: `start` (exclusive) is held while a process starts or joins
// the cluster; `users` is held shared by every process using it until it exits. The process
// that starts the cluster also starts a small watchdog (sh + flock(1)) that stops the cluster
// and removes its directory once nobody has held `users` for 10 seconds, so consecutive test
// processes share it and none outlives the test run by more than that. A process that finds
// the directory but no server (a crashed run) starts afresh.
//
// initdb and postgres refuse to run as root; as root (CI) they run as the unprivileged system
// user atrium-test (scripts/install-deps creates it) through runuser. Nothing here is used
// outside tests. Without the binaries or that user the PostgreSQL cases skip, saying why.
#include <fcntl.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <pwd.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "store/postgresql/pg_database.hpp"

namespace atrium::test {

class pg_cluster {
 public:
  static pg_cluster& instance() {
    static pg_cluster c;
    return c;
  }

  // Starts (or joins) the cluster on first use. False with the reason when it cannot run here.
  bool available(std::string& why) {
    std::lock_guard lock(mu_);
    if (!tried_) {
      tried_ = true;
      ok_ = start(why_);
    }
    why = why_;
    return ok_;
  }

  // conninfo of a database over the unix socket (no password: trust authentication).
  std::string conninfo(const std::string& db) const {
    return "host=" + dir_.string() + " port=" + std::to_string(port_) + " user=atrium dbname=" + db;
  }

  // A fresh database with every migration applied; empty on failure (the test fails).
  std::string create_database() {
    std::string name = "t_" + std::to_string(::getpid()) + "_" + std::to_string(++counter_);
    if (!admin("CREATE DATABASE " + name + " TEMPLATE atrium_tpl")) return "";
    return name;
  }
  void drop_database(const std::string& name) { (void)admin("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)"); }

  // Runs SQL on `db` and returns the first column of the first row ("" without one).
  std::string query(const std::string& db, const std::string& sql, bool* ok = nullptr) {
    PGconn* c = PQconnectdb(conninfo(db).c_str());
    std::string out;
    bool good = false;
    if (PQstatus(c) == CONNECTION_OK) {
      PGresult* r = PQexec(c, sql.c_str());
      auto st = PQresultStatus(r);
      good = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
      if (!good) ADD_FAILURE() << sql << ": " << PQresultErrorMessage(r);
      if (st == PGRES_TUPLES_OK && PQntuples(r) > 0 && !PQgetisnull(r, 0, 0)) out = PQgetvalue(r, 0, 0);
      PQclear(r);
    } else {
      ADD_FAILURE() << "cannot connect to the test cluster: " << PQerrorMessage(c);
    }
    PQfinish(c);
    if (ok) *ok = good;
    return out;
  }

  // This process is done with the cluster (the global environment's TearDown; exiting does
  // the same). The watchdog stops it when no process uses it any more.
  void release() {
    std::lock_guard lock(mu_);
    if (users_fd_ >= 0) ::close(users_fd_);
    users_fd_ = -1;
  }

 private:
  pg_cluster() {
    // Keyed by the test executable's folder: each build directory (each worktree) has its own.
    std::error_code ec;
    auto exe = std::filesystem::read_symlink("/proc/self/exe", ec).parent_path().string();
    key_ = std::to_string(std::hash<std::string>{}(exe) % 1000000007ULL) + "-" + std::to_string(::getuid());
    dir_ = std::filesystem::temp_directory_path() / ("atrium-pgtest-" + key_);
  }

  std::string bin(const char* name) const {
    const char* d = std::getenv("ATRIUM_PG_BIN");
    return std::string(d && *d ? d : "/usr/lib/postgresql/15/bin") + "/" + name;
  }
  std::string lock_path(const char* which) const {
    return (std::filesystem::temp_directory_path() / ("atrium-pgtest-" + key_ + "." + which)).string();
  }
  int lock_file(const char* which, int how) const {
    int fd = ::open(lock_path(which).c_str(), O_RDWR | O_CREAT, 0600);
    if (fd >= 0 && ::flock(fd, how) != 0) {
      ::close(fd);
      return -1;
    }
    return fd;
  }

  std::vector<std::string> as_owner(std::vector<std::string> argv) const {
    if (::geteuid() == 0) argv.insert(argv.begin(), {"/usr/sbin/runuser", "-u", "atrium-test", "--"});
    return argv;
  }

  // Starts argv with its output appended to the cluster's log; waits for it unless `detach`
  // (then it runs in its own session and holds none of our descriptors, so none of our locks).
  int spawn(std::vector<std::string> argv, bool detach = false) const {
    std::string log = lock_path("log");
    std::vector<char*> args;
    for (auto& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    pid_t pid = ::fork();
    if (pid == 0) {  // only async-signal-safe calls until execv
      if (detach) ::setsid();
      int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0666);
      if (fd >= 0) {
        ::dup2(fd, 1);
        ::dup2(fd, 2);
      }
      int devnull = ::open("/dev/null", O_RDONLY);
      if (devnull >= 0) ::dup2(devnull, 0);
      for (int i = 3; i < 1024; ++i) ::close(i);
      if (::chdir("/") != 0) ::_exit(127);
      ::execv(args[0], args.data());
      ::_exit(127);
    }
    if (pid < 0) return -1;
    if (detach) return 0;
    int status = 0;
    if (::waitpid(pid, &status, 0) < 0) return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  int run_as_owner(std::vector<std::string> argv) const { return spawn(as_owner(std::move(argv))); }

  // Stops the cluster once `users` has been free for 10 consecutive seconds.
  void start_watchdog() const {
    std::string stop;
    for (const auto& a : as_owner({bin("pg_ctl"), "-D", (dir_ / "data").string(), "-m", "immediate", "-w", "stop"}))
      stop += "'" + a + "' ";
    std::string s = lock_path("start"), u = lock_path("users");
    std::string script =
        "idle=0; while sleep 1; do "
        "if flock -x '" + s + "' flock -n -x '" + u + "' true; then idle=$((idle+1)); else idle=0; fi; "
        "if [ $idle -ge 10 ]; then "
        "if flock -x '" + s + "' sh -c \"flock -n -x '" + u + "' true && { " + stop + "; rm -rf '" + dir_.string() +
        "'; }\"; then exit 0; fi; idle=0; fi; done";
    (void)spawn({"/bin/sh", "-c", script}, true);
  }

  static int free_port() {
    int s = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    int port = 0;
    if (::bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
        ::getsockname(s, reinterpret_cast<sockaddr*>(&a), &len) == 0)
      port = ntohs(a.sin_port);
    ::close(s);
    return port;
  }

  bool answers() const {
    return PQping(conninfo("postgres").c_str()) == PQPING_OK;
  }

  bool admin(const std::string& sql) {
    bool ok = false;
    (void)query("postgres", sql, &ok);
    return ok;
  }

  bool start(std::string& why) {
    if (::access(bin("initdb").c_str(), X_OK) != 0 || ::access(bin("pg_ctl").c_str(), X_OK) != 0) {
      why = "PostgreSQL server binaries not found in " + bin("") +
            ": the PostgreSQL cases are skipped. Install them with scripts/install-deps (Debian package "
            "postgresql-15), or point ATRIUM_PG_BIN at another PostgreSQL's bin directory.";
      return false;
    }
    passwd* owner = nullptr;
    if (::geteuid() == 0 && !(owner = ::getpwnam("atrium-test"))) {
      why = "initdb refuses to run as root and the unprivileged user atrium-test does not exist: the "
            "PostgreSQL cases are skipped. scripts/install-deps creates it.";
      return false;
    }
    int start_fd = lock_file("start", LOCK_EX);
    bool ok = start_locked(owner, why);
    if (ok) users_fd_ = lock_file("users", LOCK_SH);  // taken under `start`: no stop can slip in
    if (start_fd >= 0) ::close(start_fd);
    return ok;
  }

  bool start_locked(passwd* owner, std::string& why) {
    // Joining a running cluster: its starter migrated the template before anyone could use it
    // (connecting to the template now would make other processes' CREATE DATABASE fail).
    std::ifstream pf(dir_ / "port");
    if (pf >> port_ && answers()) return true;
    // Nothing (or a crashed run's leftovers): a new cluster.
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
    std::filesystem::create_directories(dir_);
    std::filesystem::permissions(dir_, std::filesystem::perms::owner_all);
    if (owner && ::chown(dir_.c_str(), owner->pw_uid, owner->pw_gid) != 0) {
      why = "cannot hand " + dir_.string() + " to atrium-test";
      return false;
    }
    if (owner) (void)::chmod(lock_path("log").c_str(), 0666);
    std::string data = (dir_ / "data").string();
    if (run_as_owner({bin("initdb"), "-D", data, "-U", "atrium", "--auth=trust", "-E", "UTF8", "--locale=C",
                      "--no-sync"}) != 0) {
      why = "initdb failed (see " + lock_path("log") + ")";
      return false;
    }
    port_ = free_port();
    std::string opts = "-p " + std::to_string(port_) + " -k " + dir_.string() +
                       " -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c max_connections=300";
    if (run_as_owner({bin("pg_ctl"), "-D", data, "-o", opts, "-l", (dir_ / "server.log").string(), "-w", "start"}) != 0 ||
        !answers()) {
      why = "the test PostgreSQL did not start (see " + (dir_ / "server.log").string() + ")";
      return false;
    }
    std::ofstream(dir_ / "port") << port_;
    start_watchdog();
    return template_ready(why);
  }

  // atrium_tpl holds every migration of this binary (applied again if the binary has more).
  bool template_ready(std::string& why) {
    if (!admin("CREATE DATABASE atrium_tpl")) {
      why = "cannot create the template database";
      return false;
    }
    store::postgresql::pg_options o;
    o.connection.conninfo = conninfo("atrium_tpl");
    o.pool_size = 1;
    auto db = store::postgresql::pg_database::open(o);
    if (!db) {
      why = "cannot migrate the template database: " + db.error().message;
      return false;
    }
    return true;
  }

  std::mutex mu_;
  bool tried_ = false, ok_ = false;
  std::string why_, key_;
  std::filesystem::path dir_;
  int port_ = 0;
  int users_fd_ = -1;
  std::atomic<int> counter_{0};
};

// Stops the shared cluster when this process was its last user.
class pg_environment : public ::testing::Environment {
 public:
  void TearDown() override { pg_cluster::instance().release(); }
};
inline ::testing::Environment* const pg_environment_registered =
    ::testing::AddGlobalTestEnvironment(new pg_environment);

}  // namespace atrium::test
