// Load generator for the identitystore API: N keep-alive clients (coroutines on one thread, so
// the generator leaves the other core to the server), each signing every request with SigV4
// like the AWS SDKs do. Prints one JSON line: throughput and p50/p99 latency.
// Usage: identitystore_load --endpoint 127.0.0.1:8443 --tls --access-key A --secret-key S
//        --identity-store-id d-... --operation CreateUser --clients 8 --duration 5
// --peer glewlwyd --cookie GLEWLWYD2_SESSION_ID=...: the same operations against glewlwyd's admin
// REST API (issue 18 item 1), signed in with the administrator's session cookie instead of SigV4:
// CreateUser = POST /api/user/ (no password), DescribeUser = GET /api/user/<username>,
// ListUsers = GET /api/user/?limit=100. CreateGroupMembership, DescribeGroup, UpdateUser and
// UpdateGroup have no glewlwyd counterpart.
#include "http_load.hpp"

#include <CLI/CLI.hpp>
#include <unistd.h>

#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>
#include <nlohmann/json.hpp>

#include "base/clock.hpp"
#include "crypto/primitives.hpp"
#include "crypto/sigv4.hpp"

using nlohmann::json;
using namespace atrium;
using namespace atrium::bench;

namespace {

struct options {
  endpoint ep;
  std::string access_key, secret_key, store_id, operation = "CreateUser";
  std::string peer = "aws", cookie;
  int clients = 1;
  double duration = 5;
  std::string nonce;
};

struct stats {
  std::vector<double> latencies_ms;
  long errors = 0;
  std::string first_error;
};

// One keep-alive connection that signs every request with SigV4 like the AWS SDKs do.
class client {
 public:
  client(net::io_context& ioc, net::ssl::context& tls_ctx, const options& o) : o_(o), http_(ioc, tls_ctx, o.ep) {}

  net::awaitable<void> connect() { return http_.connect(); }

  // Returns (status, body).
  net::awaitable<std::pair<int, std::string>> call(const std::string& op, const json& body) {
    if (o_.peer == "glewlwyd") co_return co_await call_glewlwyd(op, body);
    bhttp::request<bhttp::string_body> req{bhttp::verb::post, "/", 11};
    std::string host = http_.host_header();
    req.set(bhttp::field::content_type, "application/x-amz-json-1.1");
    req.set("X-Amz-Target", "AWSIdentityStore." + op);
    req.body() = body.dump();
    crypto::sigv4_request s{"POST", "/", {{"Host", host}, {"Content-Type", "application/x-amz-json-1.1"},
                                          {"X-Amz-Target", "AWSIdentityStore." + op}}, req.body()};
    for (auto& h : crypto::sigv4_sign(s, o_.access_key, o_.secret_key, "us-east-1", "identitystore", system_clock().now()))
      req.set(h.name, h.value);
    auto r = co_await http_.send(req);
    co_return std::make_pair(r.status, std::move(r.body));
  }

 private:
  // The identitystore operation as glewlwyd's admin API call; a created user's id is its name.
  net::awaitable<std::pair<int, std::string>> call_glewlwyd(const std::string& op, const json& body) {
    bhttp::request<bhttp::string_body> req{bhttp::verb::get, "/api/user/?limit=100", 11};
    if (op == "CreateUser") {
      req.method(bhttp::verb::post);
      req.target("/api/user/");
      req.set(bhttp::field::content_type, "application/json");
      json user = {{"username", body["UserName"]}, {"name", body["DisplayName"]},
                   {"email", body["Emails"][0]["Value"]}, {"enabled", true}, {"scope", json::array({"g_profile"})}};
      req.body() = user.dump();
    } else if (op == "DescribeUser") {
      req.target("/api/user/" + body["UserId"].get<std::string>());
    } else if (op != "ListUsers") {
      co_return std::make_pair(400, std::string("no glewlwyd counterpart of ") + op);
    }
    req.set(bhttp::field::cookie, o_.cookie);
    auto r = co_await http_.send(req);
    if (op == "CreateUser" && r.status == 200) co_return std::make_pair(200, json{{"UserId", body["UserName"]}}.dump());
    co_return std::make_pair(r.status, std::move(r.body));
  }

  const options& o_;
  http_client http_;
};

json user_body(const options& o, const std::string& name) {
  return {{"IdentityStoreId", o.store_id}, {"UserName", name}, {"DisplayName", name},
          {"Name", {{"GivenName", "Bench"}, {"FamilyName", "User"}}},
          {"Emails", json::array({{{"Value", name + "@bench.example"}, {"Primary", true}}})}};
}

struct fixture {
  std::vector<std::string> users, groups;
};

// Creates what the timed phase reads or links: users to describe, groups and users to pair.
net::awaitable<void> set_up(client& c, const options& o, fixture& f) {
  int users = o.operation == "CreateUser" || o.operation == "DescribeGroup" || o.operation == "UpdateGroup" ? 0 : 250;
  int groups = o.operation == "CreateGroupMembership" || o.operation == "UpdateGroup" ? 240
               : o.operation == "DescribeGroup"                                         ? 250
                                                                                         : 0;
  for (int i = 0; i < users; ++i) {
    // (g++ 12 rejects braced temporaries inside a co_await expression: build them first)
    json user = user_body(o, "setup-" + o.nonce + "-" + std::to_string(i));
    auto r = co_await c.call("CreateUser", user);
    if (r.first != 200) throw std::runtime_error("setup CreateUser failed: " + r.second);
    f.users.push_back(json::parse(r.second)["UserId"]);
  }
  for (int i = 0; i < groups; ++i) {
    json group = {{"IdentityStoreId", o.store_id}, {"DisplayName", "setup-" + o.nonce + "-g" + std::to_string(i)},
                  {"Description", "bench group"}};
    auto r = co_await c.call("CreateGroup", group);
    if (r.first != 200) throw std::runtime_error("setup CreateGroup failed: " + r.second);
    f.groups.push_back(json::parse(r.second)["GroupId"]);
  }
}

json next_request(const options& o, const fixture& f, int client_index, long i, long global) {
  if (o.operation == "CreateUser")
    return user_body(o, "u-" + o.nonce + "-" + std::to_string(client_index) + "-" + std::to_string(i));
  if (o.operation == "DescribeUser")
    return {{"IdentityStoreId", o.store_id}, {"UserId", f.users[static_cast<std::size_t>(global) % f.users.size()]}};
  if (o.operation == "ListUsers") return {{"IdentityStoreId", o.store_id}, {"MaxResults", 100}};
  if (o.operation == "DescribeGroup")
    return {{"IdentityStoreId", o.store_id}, {"GroupId", f.groups[static_cast<std::size_t>(global) % f.groups.size()]}};
  // The updates: one attribute replaced, spread over the set-up rows.
  if (o.operation == "UpdateUser" || o.operation == "UpdateGroup") {
    bool user = o.operation == "UpdateUser";
    const auto& rows = user ? f.users : f.groups;
    json edit = json::array({{{"AttributePath", user ? "displayName" : "description"},
                              {"AttributeValue", "v" + std::to_string(global)}}});
    return {{"IdentityStoreId", o.store_id}, {user ? "UserId" : "GroupId", rows[static_cast<std::size_t>(global) % rows.size()]},
            {"Operations", edit}};
  }
  // CreateGroupMembership: a distinct (group, user) pair per request.
  auto g = f.groups[static_cast<std::size_t>(global) % f.groups.size()];
  auto u = f.users[static_cast<std::size_t>(global / static_cast<long>(f.groups.size())) % f.users.size()];
  return {{"IdentityStoreId", o.store_id}, {"GroupId", g}, {"MemberId", {{"UserId", u}}}};
}

net::awaitable<void> run_client(net::io_context& ioc, net::ssl::context& tls, const options& o, const fixture& f,
                                int index, std::chrono::steady_clock::time_point deadline, long& counter, stats& s) {
  client c(ioc, tls, o);
  co_await c.connect();
  for (long i = 0; std::chrono::steady_clock::now() < deadline; ++i) {
    long global = counter++;
    auto body = next_request(o, f, index, i, global);
    auto start = std::chrono::steady_clock::now();
    auto r = co_await c.call(o.operation, body);
    s.latencies_ms.push_back(ms_since(start));
    if (r.first != 200 && s.errors++ == 0) s.first_error = std::to_string(r.first) + " " + r.second.substr(0, 300);
  }
}

// utime + stime of a process from /proc/<pid>/stat, in seconds (-1 when it cannot be read):
// the server's CPU time over the timed phase alone, setup left out.
double cpu_seconds_of(long pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto close = text.rfind(')');
  if (pid <= 0 || close == std::string::npos) return -1;
  std::istringstream fields(text.substr(close + 1));
  std::string f;
  long utime = 0, stime = 0;
  for (int i = 0; fields >> f; ++i) {
    if (i == 11) utime = std::stol(f);
    if (i == 12) {
      stime = std::stol(f);
      break;
    }
  }
  return static_cast<double>(utime + stime) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

}  // namespace

int main(int argc, char** argv) {
  options o;
  CLI::App app{"identitystore load generator"};
  std::string host_port = "127.0.0.1:8443";
  bool tls_on = false;
  app.add_option("--endpoint", host_port, "host:port");
  app.add_flag("--tls", tls_on, "HTTPS (certificate not verified)");
  app.add_option("--access-key", o.access_key);
  app.add_option("--secret-key", o.secret_key);
  app.add_option("--peer", o.peer, "aws (SigV4 JSON, Atrium and moto) or glewlwyd (its admin REST API)")
      ->check(CLI::IsMember({"aws", "glewlwyd"}));
  app.add_option("--cookie", o.cookie, "glewlwyd: the administrator's session cookie, NAME=VALUE");
  app.add_option("--identity-store-id", o.store_id)->required();
  app.add_option("--operation", o.operation)
      ->check(CLI::IsMember({"CreateUser", "DescribeUser", "ListUsers", "CreateGroupMembership", "DescribeGroup",
                             "UpdateUser", "UpdateGroup"}));
  app.add_option("--clients", o.clients)->check(CLI::Range(1, 1024));
  app.add_option("--duration", o.duration, "seconds")->check(CLI::Range(0.5, 600.0));
  long server_pid = 0;
  app.add_option("--server-pid", server_pid, "report this process's CPU time over the timed phase");
  CLI11_PARSE(app, argc, argv);
  o.ep = parse_endpoint(host_port, tls_on);
  crypto::init();
  crypto::sodium_random rnd;
  o.nonce = rnd.hex(4);

  net::io_context ioc;
  net::ssl::context tls = insecure_tls_client();
  fixture f;
  stats s;
  long counter = 0;
  std::exception_ptr failure;
  auto on_done = [&](std::exception_ptr e) {
    if (e && !failure) failure = e;
  };
  net::co_spawn(ioc, [&]() -> net::awaitable<void> {
    client setup(ioc, tls, o);
    co_await setup.connect();
    co_await set_up(setup, o, f);
  }, on_done);
  ioc.run();
  if (failure) std::rethrow_exception(failure);
  ioc.restart();
  double cpu_before = server_pid ? cpu_seconds_of(server_pid) : -1;
  auto start = std::chrono::steady_clock::now();
  auto deadline = start + std::chrono::duration_cast<std::chrono::steady_clock::duration>(std::chrono::duration<double>(o.duration));
  for (int i = 0; i < o.clients; ++i)
    net::co_spawn(ioc, run_client(ioc, tls, o, f, i, deadline, counter, s), on_done);
  ioc.run();
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  double cpu_after = server_pid ? cpu_seconds_of(server_pid) : -1;
  if (failure) std::rethrow_exception(failure);
  json out = {{"operation", o.operation}, {"clients", o.clients}, {"requests", s.latencies_ms.size()},
              {"errors", s.errors}, {"seconds", secs},
              {"throughput", static_cast<double>(s.latencies_ms.size()) / secs},
              {"p50_ms", percentile(s.latencies_ms, 0.50)}, {"p99_ms", percentile(s.latencies_ms, 0.99)}};
  if (!s.first_error.empty()) out["first_error"] = s.first_error;
  if (cpu_before >= 0 && cpu_after >= 0) out["server_cpu_seconds"] = cpu_after - cpu_before;
  std::cout << out.dump() << std::endl;
  return 0;
}
