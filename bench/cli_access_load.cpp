// Load generator for command-line access (issue 16, "Benchmark"): N keep-alive TLS clients on one
// thread. Prints one JSON line: requests, throughput and p50/p99 latency.
//
//   --mode refresh      CreateToken with the refresh_token grant: each client owns one token
//                       family and exchanges its refresh token for the next one (rotation), as
//                       an SDK refreshing an sso-session does.
//   --mode accounts     ListAccounts (GET /assignment/accounts) with the client's access token.
//   --mode roles        ListAccountRoles (GET /assignment/roles?account_id=) of --account.
//   --mode credentials  GetRoleCredentials of --account and --role.
// The plan (JSON): {"tokens": [{"client_id", "client_secret", "access_token", "refresh_token"}]};
// client i uses tokens[i % n] (refresh needs one family per client).
#include "http_load.hpp"

#include <CLI/CLI.hpp>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

using nlohmann::json;
using namespace atrium::bench;

namespace {

struct family {
  std::string client_id, client_secret, access_token, refresh_token;
};

struct options {
  endpoint ep;
  std::string mode = "refresh", account, role;
  std::vector<family> tokens;
  int clients = 1;
  double duration = 5;
};

struct stats {
  std::vector<double> latencies_ms;
  long errors = 0;
  std::string first_error;
  void error(const std::string& what) {
    if (errors++ == 0) first_error = what.substr(0, 300);
  }
};

net::awaitable<void> run_client(net::io_context& ioc, net::ssl::context& tls, const options& o, family f, stats& s,
                                std::chrono::steady_clock::time_point until) {
  http_client http(ioc, tls, o.ep);
  co_await http.connect();
  while (std::chrono::steady_clock::now() < until) {
    bhttp::request<bhttp::string_body> req;
    req.version(11);
    if (o.mode == "refresh") {
      req.method(bhttp::verb::post);
      req.target("/token");
      req.set(bhttp::field::content_type, "application/json");
      req.body() = json{{"grantType", "refresh_token"}, {"clientId", f.client_id}, {"clientSecret", f.client_secret},
                        {"refreshToken", f.refresh_token}}.dump();
    } else {
      req.method(bhttp::verb::get);
      req.target(o.mode == "accounts" ? std::string("/assignment/accounts")
                 : o.mode == "roles"  ? "/assignment/roles?account_id=" + o.account
                                      : "/federation/credentials?role_name=" + o.role + "&account_id=" + o.account);
      req.set("x-amz-sso_bearer_token", f.access_token);
    }
    auto start = std::chrono::steady_clock::now();
    auto r = co_await http.send(req);
    s.latencies_ms.push_back(ms_since(start));
    if (r.status != 200) {
      s.error(std::to_string(r.status) + " " + r.body);
      if (o.mode == "refresh") co_return;  // the family is gone: nothing more to exchange
      continue;
    }
    if (o.mode == "refresh") {
      auto j = json::parse(r.body, nullptr, false);
      if (j.is_discarded() || !j.contains("refreshToken")) {
        s.error("no refreshToken in " + r.body);
        co_return;
      }
      f.refresh_token = j["refreshToken"].get<std::string>();
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Load generator for Atrium's sso-oidc and portal APIs"};
  options o;
  std::string host = "127.0.0.1:8443", plan_file;
  app.add_option("--endpoint", host, "host:port (TLS)");
  app.add_option("--mode", o.mode, "refresh | accounts | roles | credentials");
  app.add_option("--plan", plan_file, "JSON file with the token families")->required();
  app.add_option("--clients", o.clients, "Concurrent keep-alive clients");
  app.add_option("--duration", o.duration, "Seconds");
  app.add_option("--account", o.account, "Account of roles/credentials");
  app.add_option("--role", o.role, "Role of credentials");
  CLI11_PARSE(app, argc, argv);
  o.ep = parse_endpoint(host, true);
  std::ifstream in(plan_file);
  json plan = json::parse(in);
  for (const auto& t : plan["tokens"])
    o.tokens.push_back({t["client_id"], t["client_secret"], t["access_token"], t.value("refresh_token", "")});
  if (o.tokens.empty()) {
    std::cerr << "the plan has no tokens\n";
    return 2;
  }
  if (o.mode == "refresh" && static_cast<int>(o.tokens.size()) < o.clients) {
    std::cerr << "refresh needs one token family per client\n";
    return 2;
  }
  net::io_context ioc;
  auto tls = insecure_tls_client();
  stats s;
  auto start = std::chrono::steady_clock::now();
  auto until = start + std::chrono::milliseconds(static_cast<long>(o.duration * 1000));
  for (int i = 0; i < o.clients; ++i)
    net::co_spawn(ioc, run_client(ioc, tls, o, o.tokens[i % o.tokens.size()], s, until), [&s](std::exception_ptr e) {
      if (!e) return;
      try {
        std::rethrow_exception(e);
      } catch (const std::exception& ex) {
        s.error(ex.what());
      }
    });
  ioc.run();
  double seconds = ms_since(start) / 1000.0;
  auto n = s.latencies_ms.size();
  json out = {{"mode", o.mode}, {"clients", o.clients}, {"requests", n}, {"errors", s.errors},
              {"seconds", seconds}, {"per_second", n / seconds},
              {"p50_ms", percentile(s.latencies_ms, 0.50)}, {"p99_ms", percentile(s.latencies_ms, 0.99)}};
  if (!s.first_error.empty()) out["first_error"] = s.first_error;
  std::cout << out.dump() << std::endl;
  return 0;
}
