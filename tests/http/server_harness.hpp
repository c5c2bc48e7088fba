#pragma once
// What the http::server tests share: a real server on 127.0.0.1:0 run on its own thread, a
// Beast client whose every operation has a 10 s deadline (a broken server fails a test instead
// of hanging the run), and a capture of the "atrium" log.
#include <utility>  // before Asio: Boost 1.74 (architecture guide)

#include "http/server.hpp"

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>

#include <array>
#include <atomic>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace atrium::http::test {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;
using namespace std::chrono_literals;
using steady = std::chrono::steady_clock;
using wire_response = bhttp::response<bhttp::string_body>;

// ---- log capture ------------------------------------------------------------------------

class line_sink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  std::vector<std::string> lines() {
    std::lock_guard lock(mutex_);
    return lines_;
  }

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    lines_.emplace_back(msg.payload.data(), msg.payload.size());
  }
  void flush_() override {}

 private:
  std::vector<std::string> lines_;
};

// Registers the "atrium" logger (the one the server logs to) with a capturing sink.
class captured_log {
 public:
  captured_log() : sink_(std::make_shared<line_sink>()) {
    spdlog::drop("atrium");
    spdlog::register_logger(std::make_shared<spdlog::logger>("atrium", sink_));
  }
  ~captured_log() { spdlog::drop("atrium"); }
  // The access-log lines, each parsed as the JSON object the app's log pattern makes of it.
  std::vector<nlohmann::json> requests() const {
    std::vector<nlohmann::json> out;
    for (const auto& l : sink_->lines())
      if (l.starts_with(R"("msg":"request")")) out.push_back(nlohmann::json::parse("{" + l + "}"));
    return out;
  }
  std::string text() const {
    std::string all;
    for (const auto& l : sink_->lines()) all += l + "\n";
    return all;
  }

 private:
  std::shared_ptr<line_sink> sink_;
};

// ---- server under test ------------------------------------------------------------------

inline server_config plain_config() {
  server_config c;
  c.bind_address = "127.0.0.1";
  c.port = 0;
  c.tls = false;
  c.network_threads = 2;
  c.worker_threads = 2;
  c.shutdown_grace = 10s;
  return c;
}

inline response echo(const request& req) {
  response r;
  r.body = nlohmann::json{{"method", req.method}, {"target", req.target}, {"body", req.body}}.dump();
  r.operation = "test.Echo";
  return r;
}

template <class Pred>
bool wait_for(Pred pred, std::chrono::milliseconds limit = 5000ms) {
  auto deadline = steady::now() + limit;
  while (!pred()) {
    if (steady::now() > deadline) return false;
    std::this_thread::sleep_for(5ms);
  }
  return true;
}

class running_server {
 public:
  // H: a handler or an async_handler.
  template <class H>
  running_server(server_config cfg, H h, inline_filter on_network_thread = nullptr, error_shaper shaper = nullptr)
      : metrics_(std::make_shared<metrics_registry>()),
        srv_(std::move(cfg), std::move(h), metrics_, std::move(shaper)) {
    if (on_network_thread) srv_.serve_inline_when(std::move(on_network_thread));
    srv_.listen();
    port_ = srv_.port();
    thread_ = std::thread([this] {
      srv_.run();
      returned_ = true;
    });
  }
  ~running_server() {
    srv_.stop();
    join();
  }
  uint16_t port() const { return port_; }
  void stop() { srv_.stop(); }
  void join() {
    if (thread_.joinable()) thread_.join();
  }
  bool returned() const { return returned_; }
  metrics_registry& metrics() { return *metrics_; }

 private:
  std::shared_ptr<metrics_registry> metrics_;
  server srv_;
  uint16_t port_ = 0;
  std::atomic<bool> returned_{false};
  std::thread thread_;
};

// ---- client -----------------------------------------------------------------------------

template <bool Tls>
class basic_client {
  using stream_type = std::conditional_t<Tls, beast::ssl_stream<beast::tcp_stream>, beast::tcp_stream>;

 public:
  explicit basic_client(uint16_t port) : stream_(make_stream()) {
    tcp::endpoint ep{net::ip::make_address("127.0.0.1"), port};
    connect_error_ = run([&](auto h) { beast::get_lowest_layer(stream_).async_connect(ep, h); });
    if constexpr (Tls)
      if (!connect_error_)
        connect_error_ = run([&](auto h) { stream_.async_handshake(net::ssl::stream_base::client, h); });
  }

  beast::error_code connect_error() const { return connect_error_; }
  stream_type& stream() { return stream_; }

  beast::error_code send(bhttp::request<bhttp::string_body> req) {
    req.prepare_payload();
    return run([&](auto h) { bhttp::async_write(stream_, req, h); });
  }

  beast::error_code write_raw(std::string_view bytes) {
    return run([&](auto h) { net::async_write(stream_, net::buffer(bytes.data(), bytes.size()), h); });
  }

  std::optional<wire_response> receive() {
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(64 * 1024 * 1024);
    auto ec = run([&](auto h) { bhttp::async_read(stream_, buffer_, parser, h); });
    if (ec) return std::nullopt;
    return parser.release();
  }

  std::optional<wire_response> get(std::string target, bool keep_alive = true) {
    bhttp::request<bhttp::string_body> req{bhttp::verb::get, target, 11};
    req.set(bhttp::field::host, "127.0.0.1");
    req.keep_alive(keep_alive);
    if (send(std::move(req))) return std::nullopt;
    return receive();
  }

  // Reads until the server closes the connection (true) or `limit` passes (false); what
  // arrived meanwhile goes to `received`.
  bool closed_by_server(std::chrono::seconds limit, std::string* received = nullptr) {
    beast::get_lowest_layer(stream_).expires_after(limit);
    for (;;) {
      std::array<char, 4096> chunk;
      std::size_t got = 0;
      beast::error_code ec = run_no_deadline([&](auto h) {
        stream_.async_read_some(net::buffer(chunk), [&got, h](beast::error_code e, std::size_t n) mutable {
          got = n;
          h(e);
        });
      });
      if (received) received->append(chunk.data(), got);
      if (ec == beast::error::timeout) return false;
      if (ec) return true;  // eof, reset, TLS short read
    }
  }

 private:
  stream_type make_stream() {
    if constexpr (Tls) {
      tls_.set_verify_mode(net::ssl::verify_none);
      return stream_type(ioc_, tls_);
    } else {
      return stream_type(ioc_);
    }
  }

  template <class Start>
  beast::error_code run(Start start) {
    beast::get_lowest_layer(stream_).expires_after(10s);
    return run_no_deadline(start);
  }

  template <class Start>
  beast::error_code run_no_deadline(Start start) {
    beast::error_code result;
    start([&result](beast::error_code ec, auto&&...) { result = ec; });
    ioc_.restart();
    ioc_.run();
    return result;
  }

  net::io_context ioc_;
  net::ssl::context tls_{net::ssl::context::tls_client};
  stream_type stream_;
  beast::flat_buffer buffer_;
  beast::error_code connect_error_;
};

using client = basic_client<false>;
using tls_client = basic_client<true>;

inline std::string header(const wire_response& r, std::string_view name) { return std::string(r[name]); }

}  // namespace atrium::http::test
