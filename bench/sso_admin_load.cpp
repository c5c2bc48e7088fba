// Load generator for the sso-admin API (issue 4, "Benchmark"): N keep-alive clients on one
// thread, SigV4 like the SDKs (service "sso", target prefix SWBExternalService). Prints one
// JSON line: throughput and p50/p99 latency.
//
//   --mode assign  the plan's items become CreateAccountAssignment calls; each client sends one,
//                  then polls DescribeAccountAssignmentCreationStatus every --poll-ms until it is
//                  SUCCEEDED (or FAILED), then takes the next item. Latency = request to
//                  SUCCEEDED as a client sees it; throughput = items / wall time. A refusal
//                  because too many requests are outstanding is retried after --poll-ms.
//   --mode list    --operation ListAccountAssignments (a random (account, permission set) of the
//                  plan) or ListAccountAssignmentsForPrincipal (a random principal), first page
//                  of up to 100, for --duration seconds.
// The plan (JSON): {"instance_arn": "...", "items": [{"account": "...", "ps": "arn...",
// "type": "USER", "principal": "..."}]}
#include "http_load.hpp"

#include <CLI/CLI.hpp>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>

#include "base/clock.hpp"
#include "crypto/primitives.hpp"
#include "crypto/sigv4.hpp"

using nlohmann::json;
using namespace atrium;
using namespace atrium::bench;

namespace {

struct item {
  std::string account, ps, type, principal;
};

struct options {
  endpoint ep;
  std::string access_key, secret_key, mode = "assign", operation = "ListAccountAssignments";
  std::string instance_arn;
  std::vector<item> items;
  int clients = 1, poll_ms = 20;
  double duration = 5;
};

struct stats {
  std::vector<double> latencies_ms;
  long errors = 0, failed = 0, retries = 0, polls = 0;
  std::string first_error;
  void error(const std::string& what) {
    if (errors++ == 0) first_error = what.substr(0, 300);
  }
};

class client {
 public:
  client(net::io_context& ioc, net::ssl::context& tls_ctx, const options& o) : o_(o), http_(ioc, tls_ctx, o.ep) {}

  net::awaitable<void> connect() { return http_.connect(); }

  net::awaitable<std::pair<int, json>> call(const std::string& op, const json& body) {
    bhttp::request<bhttp::string_body> req{bhttp::verb::post, "/", 11};
    std::string host = http_.host_header();
    std::string target = "SWBExternalService." + op;
    req.set(bhttp::field::content_type, "application/x-amz-json-1.1");
    req.set("X-Amz-Target", target);
    req.body() = body.dump();
    crypto::sigv4_request s{"POST", "/", {{"Host", host}, {"Content-Type", "application/x-amz-json-1.1"},
                                          {"X-Amz-Target", target}}, req.body()};
    for (auto& h : crypto::sigv4_sign(s, o_.access_key, o_.secret_key, "us-east-1", "sso", system_clock().now()))
      req.set(h.name, h.value);
    auto r = co_await http_.send(req);
    json j = json::parse(r.body, nullptr, false);
    if (j.is_discarded()) j = json{{"raw", r.body.substr(0, 300)}};
    co_return std::make_pair(r.status, std::move(j));
  }

 private:
  const options& o_;
  http_client http_;
};

net::awaitable<void> sleep_ms(int ms) {
  net::steady_timer t(co_await net::this_coro::executor, std::chrono::milliseconds(ms));
  co_await t.async_wait(net::use_awaitable);
}

bool too_many_outstanding(int status, const json& body) {
  if (status == 200) return false;
  std::string type = body.value("__type", std::string());
  return type.find("Throttling") != std::string::npos || type.find("Conflict") != std::string::npos ||
         type.find("ServiceQuota") != std::string::npos;
}

// One assignment from request to a final status.
net::awaitable<void> assign_one(client& c, const options& o, const item& it, stats& s) {
  json body = {{"InstanceArn", o.instance_arn}, {"TargetId", it.account}, {"TargetType", "AWS_ACCOUNT"},
               {"PermissionSetArn", it.ps}, {"PrincipalType", it.type}, {"PrincipalId", it.principal}};
  auto start = std::chrono::steady_clock::now();
  std::pair<int, json> r;
  for (;;) {
    r = co_await c.call("CreateAccountAssignment", body);
    if (!too_many_outstanding(r.first, r.second)) break;
    ++s.retries;
    co_await sleep_ms(o.poll_ms);
  }
  if (r.first != 200) {
    s.error("CreateAccountAssignment " + std::to_string(r.first) + " " + r.second.dump());
    co_return;
  }
  json status = r.second.value("AccountAssignmentCreationStatus", json::object());
  std::string request_id = status.value("RequestId", std::string());
  while (status.value("Status", std::string()) == "IN_PROGRESS") {
    co_await sleep_ms(o.poll_ms);
    ++s.polls;
    json q = {{"InstanceArn", o.instance_arn}, {"AccountAssignmentCreationRequestId", request_id}};
    auto p = co_await c.call("DescribeAccountAssignmentCreationStatus", q);
    if (p.first != 200) {
      s.error("DescribeAccountAssignmentCreationStatus " + std::to_string(p.first) + " " + p.second.dump());
      co_return;
    }
    status = p.second.value("AccountAssignmentCreationStatus", json::object());
  }
  // moto's sso-admin creates the assignment within the call and reports no Status at all.
  if (status.contains("Status") && status.value("Status", std::string()) != "SUCCEEDED") {
    ++s.failed;
    s.error("assignment ended " + status.dump());
    co_return;
  }
  s.latencies_ms.push_back(ms_since(start));
}

net::awaitable<void> run_assign(net::io_context& ioc, net::ssl::context& tls, const options& o, std::size_t& next,
                                stats& s) {
  client c(ioc, tls, o);
  co_await c.connect();
  while (next < o.items.size()) {
    const item& it = o.items[next++];
    co_await assign_one(c, o, it, s);
  }
}

net::awaitable<void> run_list(net::io_context& ioc, net::ssl::context& tls, const options& o, int index,
                              std::chrono::steady_clock::time_point deadline, stats& s) {
  client c(ioc, tls, o);
  co_await c.connect();
  std::mt19937 rng(static_cast<unsigned>(index) * 7919u + 17u);
  std::uniform_int_distribution<std::size_t> pick(0, o.items.size() - 1);
  while (std::chrono::steady_clock::now() < deadline) {
    const item& it = o.items[pick(rng)];
    json body = o.operation == "ListAccountAssignments"
                    ? json{{"InstanceArn", o.instance_arn}, {"AccountId", it.account}, {"PermissionSetArn", it.ps},
                           {"MaxResults", 100}}
                    : json{{"InstanceArn", o.instance_arn}, {"PrincipalType", it.type}, {"PrincipalId", it.principal},
                           {"MaxResults", 100}};
    auto start = std::chrono::steady_clock::now();
    auto r = co_await c.call(o.operation, body);
    s.latencies_ms.push_back(ms_since(start));
    if (r.first != 200) s.error(o.operation + " " + std::to_string(r.first) + " " + r.second.dump());
  }
}

void load_plan(const std::string& file, options& o) {
  std::ifstream in(file);
  json plan = json::parse(in);
  o.instance_arn = plan.at("instance_arn");
  for (const auto& i : plan.at("items"))
    o.items.push_back({i.at("account"), i.at("ps"), i.value("type", std::string("USER")), i.at("principal")});
  if (o.items.empty()) throw std::runtime_error("the plan has no items");
}

}  // namespace

int main(int argc, char** argv) {
  options o;
  CLI::App app{"sso-admin load generator"};
  std::string host_port = "127.0.0.1:8443", plan;
  bool tls_on = false;
  app.add_option("--endpoint", host_port, "host:port");
  app.add_flag("--tls", tls_on, "HTTPS (certificate not verified)");
  app.add_option("--access-key", o.access_key)->required();
  app.add_option("--secret-key", o.secret_key)->required();
  app.add_option("--plan", plan, "JSON plan file")->required();
  app.add_option("--mode", o.mode)->check(CLI::IsMember({"assign", "list"}));
  app.add_option("--operation", o.operation)
      ->check(CLI::IsMember({"ListAccountAssignments", "ListAccountAssignmentsForPrincipal"}));
  app.add_option("--clients", o.clients)->check(CLI::Range(1, 1024));
  app.add_option("--poll-ms", o.poll_ms)->check(CLI::Range(1, 10000));
  app.add_option("--duration", o.duration, "seconds (list mode)")->check(CLI::Range(0.5, 600.0));
  CLI11_PARSE(app, argc, argv);
  o.ep = parse_endpoint(host_port, tls_on);
  load_plan(plan, o);
  crypto::init();

  net::io_context ioc;
  net::ssl::context tls = insecure_tls_client();
  stats s;
  std::exception_ptr failure;
  auto on_done = [&](std::exception_ptr e) {
    if (e && !failure) failure = e;
  };
  auto start = std::chrono::steady_clock::now();
  std::size_t next = 0;
  if (o.mode == "assign") {
    for (int i = 0; i < o.clients; ++i) net::co_spawn(ioc, run_assign(ioc, tls, o, next, s), on_done);
  } else {
    auto deadline = start + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                std::chrono::duration<double>(o.duration));
    for (int i = 0; i < o.clients; ++i) net::co_spawn(ioc, run_list(ioc, tls, o, i, deadline, s), on_done);
  }
  ioc.run();
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (failure) std::rethrow_exception(failure);
  std::size_t done = s.latencies_ms.size();
  json out = {{"mode", o.mode}, {"operation", o.mode == "assign" ? "CreateAccountAssignment" : o.operation},
              {"clients", o.clients}, {"requests", done}, {"errors", s.errors}, {"failed", s.failed},
              {"retries", s.retries}, {"polls", s.polls}, {"seconds", secs},
              {"throughput", static_cast<double>(done) / secs},
              {"p50_ms", percentile(s.latencies_ms, 0.50)}, {"p99_ms", percentile(s.latencies_ms, 0.99)}};
  if (!s.first_error.empty()) out["first_error"] = s.first_error;
  std::cout << out.dump() << std::endl;
  return 0;
}
