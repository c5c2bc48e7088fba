// http::server end to end: a real server on 127.0.0.1:0 (plain TCP, and once TLS) driven by a
// Beast client (server_harness.hpp).
#include <utility>  // before Asio: Boost 1.74 (architecture guide)

#include "http/server.hpp"

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <openssl/ssl.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <thread>

#include "crypto/tls_cert.hpp"
#include "server_harness.hpp"

namespace atrium::http {
namespace {

using namespace atrium::http::test;  // the server, client and log capture (server_harness.hpp)

// ---- tests ------------------------------------------------------------------------------

TEST(server, healthz_answers_ok_with_server_headers) {
  captured_log log;
  running_server s(plain_config(), echo);
  client c(s.port());
  ASSERT_FALSE(c.connect_error());
  auto res = c.get("/healthz");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->result_int(), 200u);
  EXPECT_EQ(res->body(), R"({"status":"ok"})");
  EXPECT_EQ(header(*res, "Server"), "Atrium");
  EXPECT_EQ(header(*res, "Content-Type"), "application/json");
  EXPECT_EQ(header(*res, "Content-Length"), "15");
  EXPECT_EQ(header(*res, "x-amzn-RequestId").size(), 36u);
  EXPECT_EQ(header(*res, "x-amzn-RequestId")[14], '4') << "uuid version 4";
}

TEST(server, keep_alive_serves_two_requests_on_one_connection_and_honours_close) {
  captured_log log;
  std::atomic<int> calls{0};
  running_server s(plain_config(), [&](const request& r) {
    ++calls;
    return echo(r);
  });
  client c(s.port());
  auto first = c.get("/a");
  auto second = c.get("/b");
  ASSERT_TRUE(first && second);
  EXPECT_EQ(first->result_int(), 200u);
  EXPECT_EQ(second->result_int(), 200u);
  EXPECT_TRUE(first->keep_alive());
  EXPECT_TRUE(second->keep_alive());
  EXPECT_NE(header(*first, "x-amzn-RequestId"), header(*second, "x-amzn-RequestId"));
  EXPECT_EQ(calls.load(), 2);

  auto last = c.get("/c", /*keep_alive=*/false);
  ASSERT_TRUE(last);
  EXPECT_FALSE(last->keep_alive());
  EXPECT_EQ(header(*last, "Connection"), "close");
  EXPECT_TRUE(c.closed_by_server(5s));
}

TEST(server, http_1_0_without_keep_alive_closes) {
  captured_log log;
  running_server s(plain_config(), echo);
  client c(s.port());
  ASSERT_FALSE(c.write_raw("GET /x HTTP/1.0\r\n\r\n"));
  auto res = c.receive();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->result_int(), 200u);
  EXPECT_TRUE(c.closed_by_server(5s));
}

TEST(server, pipelined_requests_are_answered_in_order) {
  captured_log log;
  running_server s(plain_config(), echo);
  client c(s.port());
  ASSERT_FALSE(c.write_raw("GET /one HTTP/1.1\r\nHost: x\r\n\r\nGET /two HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto one = c.receive();
  auto two = c.receive();
  ASSERT_TRUE(one && two);
  EXPECT_EQ(nlohmann::json::parse(one->body())["target"], "/one");
  EXPECT_EQ(nlohmann::json::parse(two->body())["target"], "/two");
}

TEST(server, handler_gets_the_request_and_its_headers_go_out) {
  captured_log log;
  std::mutex mu;
  std::optional<request> seen;
  running_server s(plain_config(), [&](const request& r) {
    {
      std::lock_guard lock(mu);
      seen = r;
    }
    response res;
    res.status = 201;
    res.content_type = "application/x-amz-json-1.1";
    res.headers = {{"X-Extra", "1"}, {"Content-Length", "999"}, {"Transfer-Encoding", "chunked"}};
    res.body = "created";
    return res;
  });
  client c(s.port());
  bhttp::request<bhttp::string_body> req{bhttp::verb::post, "/api?Action=Create&x=1", 11};
  req.set(bhttp::field::host, "127.0.0.1");
  req.set("X-Amz-Target", "AWSIdentityStore.CreateUser");
  req.body() = R"({"UserName":"alice"})";
  ASSERT_FALSE(c.send(req));
  auto res = c.receive();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->result_int(), 201u);
  EXPECT_EQ(res->body(), "created");
  EXPECT_EQ(header(*res, "Content-Type"), "application/x-amz-json-1.1");
  EXPECT_EQ(header(*res, "X-Extra"), "1");
  EXPECT_EQ(header(*res, "Content-Length"), "7") << "framing stays the server's";

  std::lock_guard lock(mu);
  ASSERT_TRUE(seen);
  EXPECT_EQ(seen->method, "POST");
  EXPECT_EQ(seen->target, "/api?Action=Create&x=1");
  EXPECT_EQ(seen->body, R"({"UserName":"alice"})");
  EXPECT_EQ(seen->remote_ip, "127.0.0.1");
  EXPECT_EQ(seen->request_id, header(*res, "x-amzn-RequestId"));
  ASSERT_TRUE(seen->header("x-amz-target"));
  EXPECT_EQ(*seen->header("x-amz-target"), "AWSIdentityStore.CreateUser");
  EXPECT_EQ(seen->header("missing"), nullptr);
}

TEST(server, oversized_body_gets_413_and_the_handler_is_not_called) {
  captured_log log;
  auto cfg = plain_config();
  cfg.lim.body_bytes = 1024;
  std::atomic<int> calls{0};
  running_server s(cfg, [&](const request& r) {
    ++calls;
    return echo(r);
  });
  client c(s.port());
  ASSERT_FALSE(c.write_raw("POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 4096\r\n\r\n" + std::string(4096, 'a')));
  auto res = c.receive();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->result_int(), 413u);
  EXPECT_EQ(nlohmann::json::parse(res->body())["__type"], "RequestEntityTooLarge");
  EXPECT_FALSE(res->keep_alive());
  EXPECT_FALSE(header(*res, "x-amzn-RequestId").empty());
  EXPECT_TRUE(c.closed_by_server(5s));
  EXPECT_EQ(calls.load(), 0);
}

TEST(server, oversized_chunked_body_gets_413) {
  captured_log log;
  auto cfg = plain_config();
  cfg.lim.body_bytes = 1024;
  running_server s(cfg, echo);
  client c(s.port());
  std::string chunk = "400\r\n" + std::string(1024, 'a') + "\r\n";
  ASSERT_FALSE(c.write_raw("POST /x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" + chunk + chunk));
  auto res = c.receive();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->result_int(), 413u);
}

TEST(server, body_within_the_limit_is_accepted) {
  captured_log log;
  auto cfg = plain_config();
  cfg.lim.body_bytes = 1024;
  running_server s(cfg, echo);
  client c(s.port());
  ASSERT_FALSE(c.write_raw("POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 1024\r\n\r\n" + std::string(1024, 'a')));
  auto res = c.receive();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->result_int(), 200u);
}

TEST(server, huge_headers_get_431) {
  captured_log log;
  auto cfg = plain_config();
  cfg.lim.header_bytes = 1024;
  running_server s(cfg, echo);
  client c(s.port());
  ASSERT_FALSE(c.write_raw("GET /x HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(4000, 'b') + "\r\n\r\n"));
  auto res = c.receive();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->result_int(), 431u);
  EXPECT_EQ(nlohmann::json::parse(res->body())["__type"], "RequestHeaderFieldsTooLarge");
  EXPECT_TRUE(c.closed_by_server(5s));
}

TEST(server, malformed_request_gets_400) {
  captured_log log;
  running_server s(plain_config(), echo);
  client c(s.port());
  ASSERT_FALSE(c.write_raw("NOT HTTP AT ALL\r\n\r\n"));
  auto res = c.receive();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->result_int(), 400u);
  EXPECT_EQ(nlohmann::json::parse(res->body())["__type"], "BadRequest");
  EXPECT_TRUE(c.closed_by_server(5s));
}

TEST(server, expect_100_continue_is_answered_before_the_body) {
  captured_log log;
  running_server s(plain_config(), echo);
  client c(s.port());
  ASSERT_FALSE(c.write_raw("PUT /x HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n"));
  auto interim = c.receive();
  ASSERT_TRUE(interim);
  EXPECT_EQ(interim->result_int(), 100u);
  ASSERT_FALSE(c.write_raw("hello"));
  auto res = c.receive();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->result_int(), 200u);
  EXPECT_EQ(nlohmann::json::parse(res->body())["body"], "hello");
}

TEST(server, read_timeout_closes_a_slow_client) {
  captured_log log;
  auto cfg = plain_config();
  cfg.lim.read_timeout = 1s;
  running_server s(cfg, echo);
  client c(s.port());
  ASSERT_FALSE(c.write_raw("GET /healthz HTTP/1.1\r\nHost: x\r\n"));  // never finishes the header
  auto start = steady::now();
  std::string received;
  EXPECT_TRUE(c.closed_by_server(5s, &received));
  auto took = steady::now() - start;
  EXPECT_GE(took, 800ms);
  EXPECT_LT(took, 4s);
  EXPECT_EQ(received, "") << "a timed-out request gets no answer";
}

TEST(server, a_connection_that_sends_nothing_is_closed_after_the_read_timeout) {
  captured_log log;
  auto cfg = plain_config();
  cfg.lim.read_timeout = 1s;
  running_server s(cfg, echo);
  client c(s.port());
  auto start = steady::now();
  EXPECT_TRUE(c.closed_by_server(5s));
  EXPECT_LT(steady::now() - start, 4s);
}

TEST(server, idle_keep_alive_connection_is_closed_after_the_idle_timeout) {
  captured_log log;
  auto cfg = plain_config();
  cfg.lim.idle_timeout = 1s;
  running_server s(cfg, echo);
  client c(s.port());
  auto res = c.get("/healthz");
  ASSERT_TRUE(res);
  EXPECT_TRUE(res->keep_alive());
  auto start = steady::now();
  EXPECT_TRUE(c.closed_by_server(5s));
  auto took = steady::now() - start;
  EXPECT_GE(took, 800ms);
  EXPECT_LT(took, 4s);
}

TEST(server, handler_exception_becomes_a_500_json_answer) {
  captured_log log;
  running_server s(plain_config(), [](const request& r) -> response {
    if (r.target == "/std") throw std::runtime_error("secret detail from the body");
    throw 42;
  });
  client c(s.port());
  for (std::string target : {"/std", "/int"}) {
    auto res = c.get(target);
    ASSERT_TRUE(res) << target;
    EXPECT_EQ(res->result_int(), 500u);
    EXPECT_EQ(res->body(), R"({"__type":"InternalServerException","message":"Internal server error"})");
    EXPECT_EQ(header(*res, "Content-Type"), "application/json");
    EXPECT_TRUE(res->keep_alive()) << "the connection survives a failed handler";
  }
  EXPECT_NE(s.metrics().render().find(R"(atrium_http_requests_total{operation="other",code="500"} 2)"),
            std::string::npos);
  EXPECT_EQ(log.text().find("secret detail"), std::string::npos);
  auto reqs = log.requests();
  ASSERT_EQ(reqs.size(), 2u);
  EXPECT_EQ(reqs[0]["error_code"], "InternalServerException");
}

// Point reads skip the worker pool (issue 18 item 3). With one network thread, the thread that
// runs the error shaper (always the network thread) is the one that must run the point reads,
// and never the handlers the filter leaves to the pool.
TEST(server, point_reads_run_on_the_network_thread_and_the_rest_on_the_worker_pool) {
  captured_log log;
  auto cfg = plain_config();
  cfg.network_threads = 1;
  cfg.worker_threads = 1;
  std::mutex mu;
  std::map<std::string, std::thread::id> ran_on;
  std::optional<std::thread::id> network_thread;
  running_server s(
      cfg,
      [&](const request& r) -> response {
        {
          std::lock_guard lock(mu);
          ran_on[r.target] = std::this_thread::get_id();
        }
        if (r.target == "/read/throws") throw std::runtime_error("boom");
        return echo(r);
      },
      [](const request& r) { return r.target.starts_with("/read"); },
      [&](const request&, response generic) {
        std::lock_guard lock(mu);
        network_thread = std::this_thread::get_id();
        return generic;
      });
  client c(s.port());
  for (std::string target : {"/read/a", "/write/b", "/read/c"}) {
    auto res = c.get(target);
    ASSERT_TRUE(res) << target;
    EXPECT_EQ(res->result_int(), 200u) << target;
    EXPECT_NE(res->body().find(target), std::string::npos);
  }
  auto failed = c.get("/read/throws");
  ASSERT_TRUE(failed);
  EXPECT_EQ(failed->result_int(), 500u) << "an inline handler's exception is answered like any other";
  client bad(s.port());
  ASSERT_FALSE(bad.write_raw("NOT HTTP AT ALL\r\n\r\n"));
  ASSERT_TRUE(bad.receive());
  std::lock_guard lock(mu);
  ASSERT_TRUE(network_thread);
  EXPECT_EQ(ran_on["/read/a"], *network_thread);
  EXPECT_EQ(ran_on["/read/c"], *network_thread);
  EXPECT_EQ(ran_on["/read/throws"], *network_thread);
  EXPECT_NE(ran_on["/write/b"], *network_thread);
  EXPECT_NE(s.metrics().render().find("atrium_http_requests_on_network_thread_total 3\n"), std::string::npos)
      << s.metrics().render();
}

TEST(server, without_a_filter_every_handler_runs_on_the_worker_pool) {
  captured_log log;
  running_server s(plain_config(), echo);
  client c(s.port());
  ASSERT_TRUE(c.get("/read/a"));
  EXPECT_NE(s.metrics().render().find("atrium_http_requests_on_network_thread_total 0\n"), std::string::npos);
}

TEST(server, metrics_endpoint_reports_requests) {
  captured_log log;
  running_server s(plain_config(), [](const request& r) {
    auto res = echo(r);
    if (r.target == "/unlabelled") res.operation.clear();
    return res;
  });
  client c(s.port());
  ASSERT_TRUE(c.get("/a"));
  ASSERT_TRUE(c.get("/b"));
  ASSERT_TRUE(c.get("/unlabelled"));
  ASSERT_TRUE(c.get("/healthz"));
  auto res = c.get("/metrics");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->result_int(), 200u);
  EXPECT_EQ(header(*res, "Content-Type"), "text/plain; version=0.0.4");
  const auto& body = res->body();
  EXPECT_NE(body.find(R"(atrium_http_requests_total{operation="test.Echo",code="200"} 2)"), std::string::npos) << body;
  EXPECT_NE(body.find(R"(atrium_http_requests_total{operation="other",code="200"} 1)"), std::string::npos);
  EXPECT_NE(body.find(R"(atrium_http_requests_total{operation="healthz",code="200"} 1)"), std::string::npos);
  EXPECT_NE(body.find(R"(atrium_http_request_duration_seconds_bucket{operation="test.Echo",le="+Inf"} 2)"),
            std::string::npos);
  EXPECT_NE(body.find(R"(atrium_http_request_duration_seconds_count{operation="test.Echo"} 2)"), std::string::npos);
  // The /metrics request itself is counted once it is answered.
  EXPECT_TRUE(wait_for([&] {
    return s.metrics().render().find(R"(atrium_http_requests_total{operation="metrics",code="200"} 1)") !=
           std::string::npos;
  }));
}

TEST(server, access_log_has_one_json_line_per_request_without_query_or_headers) {
  captured_log log;
  running_server s(plain_config(), echo);
  client c(s.port());
  bhttp::request<bhttp::string_body> req{bhttp::verb::post, "/upload?X-Amz-Signature=sekrit-sig&X-Amz-Credential=AKIA", 11};
  req.set(bhttp::field::host, "127.0.0.1");
  req.set(bhttp::field::authorization, "AWS4-HMAC-SHA256 Credential=hdr-secret");
  req.body() = "body-secret";
  ASSERT_FALSE(c.send(req));
  ASSERT_TRUE(c.receive());
  ASSERT_FALSE(c.write_raw("GET /x HTTP/1.1\r\nHost: x\r\nX-Big: 1\r\n\r\n"));
  ASSERT_TRUE(c.receive());

  ASSERT_TRUE(wait_for([&] { return log.requests().size() == 2; }));
  auto reqs = log.requests();
  const auto& line = reqs[0];
  EXPECT_EQ(line["method"], "POST");
  EXPECT_EQ(line["path"], "/upload");
  EXPECT_EQ(line["status"], 200);
  EXPECT_EQ(line["operation"], "test.Echo");
  EXPECT_EQ(line["error_code"], "");
  EXPECT_EQ(line["remote_ip"], "127.0.0.1");
  EXPECT_EQ(line["request_id"].get<std::string>().size(), 36u);
  EXPECT_TRUE(line["duration_ms"].is_number());
  auto text = log.text();
  for (auto secret : {"sekrit-sig", "AKIA", "hdr-secret", "body-secret", "X-Big"})
    EXPECT_EQ(text.find(secret), std::string::npos) << secret;
}

TEST(server, stop_lets_an_in_flight_request_finish_then_run_returns) {
  captured_log log;
  std::atomic<bool> entered{false};
  running_server s(plain_config(), [&](const request& r) {
    entered = true;
    std::this_thread::sleep_for(500ms);
    return echo(r);
  });
  client c(s.port());
  bhttp::request<bhttp::string_body> req{bhttp::verb::get, "/slow", 11};
  req.set(bhttp::field::host, "127.0.0.1");
  ASSERT_FALSE(c.send(req));
  ASSERT_TRUE(wait_for([&] { return entered.load(); }));
  auto stopped_at = steady::now();
  s.stop();
  auto res = c.receive();
  ASSERT_TRUE(res) << "the in-flight request is answered";
  EXPECT_EQ(res->result_int(), 200u);
  EXPECT_FALSE(res->keep_alive()) << "answered with Connection: close";
  EXPECT_TRUE(wait_for([&] { return s.returned(); }));
  s.join();
  EXPECT_LT(steady::now() - stopped_at, 5s);
  client late(s.port());
  EXPECT_TRUE(late.connect_error()) << "no longer accepting";
}

TEST(server, stop_closes_idle_keep_alive_connections_promptly) {
  captured_log log;
  auto cfg = plain_config();
  cfg.lim.idle_timeout = 60s;
  running_server s(cfg, echo);
  client c(s.port());
  ASSERT_TRUE(c.get("/healthz"));
  auto stopped_at = steady::now();
  s.stop();
  EXPECT_TRUE(c.closed_by_server(5s));
  s.join();
  EXPECT_LT(steady::now() - stopped_at, 3s) << "did not wait for the idle timeout or the grace period";
}

TEST(server, stop_from_inside_a_handler_answers_that_request_and_returns) {
  captured_log log;
  server* self = nullptr;
  server srv(plain_config(), [&](const request& r) {
    self->stop();
    return echo(r);
  }, std::make_shared<metrics_registry>());
  self = &srv;
  srv.listen();
  std::thread serving([&] { srv.run(); });
  client c(srv.port());
  auto res = c.get("/stop");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->result_int(), 200u);
  EXPECT_FALSE(res->keep_alive());
  serving.join();
}

TEST(server, run_returns_after_the_grace_period_even_if_a_handler_is_stuck) {
  captured_log log;
  auto cfg = plain_config();
  cfg.shutdown_grace = 1s;
  std::atomic<bool> entered{false};
  auto s = std::make_unique<running_server>(cfg, [&](const request& r) {
    entered = true;
    std::this_thread::sleep_for(2500ms);
    return echo(r);
  });
  client c(s->port());
  bhttp::request<bhttp::string_body> req{bhttp::verb::get, "/stuck", 11};
  req.set(bhttp::field::host, "127.0.0.1");
  ASSERT_FALSE(c.send(req));
  ASSERT_TRUE(wait_for([&] { return entered.load(); }));
  auto stopped_at = steady::now();
  s->stop();
  s->join();
  auto took = steady::now() - stopped_at;
  EXPECT_GE(took, 900ms);
  EXPECT_LT(took, 2s) << "run() did not wait for the handler beyond the grace period";
  s.reset();  // the destructor waits for the stuck handler, then tears the connection down
  EXPECT_NE(log.text().find(R"("unfinished_requests":1)"), std::string::npos) << log.text();
}

TEST(server, stop_before_run_makes_run_return) {
  captured_log log;
  server srv(plain_config(), echo, std::make_shared<metrics_registry>());
  srv.listen();
  EXPECT_NE(srv.port(), 0);
  srv.stop();
  auto start = steady::now();
  srv.run();
  EXPECT_LT(steady::now() - start, 3s);
}

TEST(server, connections_beyond_max_connections_are_refused) {
  captured_log log;
  auto cfg = plain_config();
  cfg.lim.max_connections = 1;
  running_server s(cfg, echo);
  auto first = std::make_unique<client>(s.port());
  ASSERT_TRUE(first->get("/healthz"));
  client second(s.port());
  EXPECT_TRUE(second.closed_by_server(5s)) << "closed at once";
  ASSERT_TRUE(first->get("/healthz")) << "the admitted connection still works";
  first.reset();
  // Once the first connection is gone, a new one is admitted.
  EXPECT_TRUE(wait_for([&] {
    client again(s.port());
    auto res = again.get("/healthz");
    return res && res->result_int() == 200;
  }));
}

class tls_dir {
 public:
  tls_dir()
      : dir_(std::filesystem::temp_directory_path() / ("atrium-http-test-" + std::to_string(::getpid()))) {
    std::filesystem::create_directories(dir_);
  }
  ~tls_dir() {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  std::filesystem::path cert() const { return dir_ / "cert.pem"; }
  std::filesystem::path key() const { return dir_ / "key.pem"; }

 private:
  std::filesystem::path dir_;
};

TEST(server, tls_serves_healthz_with_tls_1_2_or_newer) {
  captured_log log;
  tls_dir dir;
  auto made = crypto::ensure_self_signed_cert(dir.cert(), dir.key(), {"localhost"}, {"127.0.0.1"});
  ASSERT_TRUE(made) << made.error().message;
  auto cfg = plain_config();
  cfg.tls = true;
  cfg.cert_file = dir.cert();
  cfg.key_file = dir.key();
  running_server s(cfg, echo);
  tls_client c(s.port());
  ASSERT_FALSE(c.connect_error()) << c.connect_error().message();
  EXPECT_GE(SSL_version(c.stream().native_handle()), TLS1_2_VERSION);
  auto first = c.get("/healthz");
  auto second = c.get("/x");
  ASSERT_TRUE(first && second);
  EXPECT_EQ(first->result_int(), 200u);
  EXPECT_EQ(second->result_int(), 200u);
}

TEST(server, tls_with_a_missing_certificate_fails_at_start) {
  auto cfg = plain_config();
  cfg.tls = true;
  cfg.cert_file = "/nonexistent/cert.pem";
  cfg.key_file = "/nonexistent/key.pem";
  EXPECT_THROW(server(cfg, echo, std::make_shared<metrics_registry>()), std::runtime_error);
}

}  // namespace
}  // namespace atrium::http
