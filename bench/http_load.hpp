#pragma once
// Pieces shared by the load generators: one keep-alive HTTP/1.1 client connection (TLS or plain)
// driven by C++20 coroutines, and latency percentiles. All clients of a generator run on one
// thread so that the generator takes at most one of the machine's cores.
#include <utility>  // before Asio (Boost 1.74)

#include <algorithm>
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace atrium::bench {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = net::ip::tcp;

struct endpoint {
  std::string host = "127.0.0.1", port = "8443";
  bool tls = false;
};

// "host:port" -> endpoint.
inline endpoint parse_endpoint(const std::string& host_port, bool tls) {
  auto colon = host_port.rfind(':');
  return {host_port.substr(0, colon), host_port.substr(colon + 1), tls};
}

struct reply {
  int status = 0;
  std::string body;
};

class http_client {
 public:
  http_client(net::io_context& ioc, net::ssl::context& tls_ctx, const endpoint& ep)
      : ep_(ep), ioc_(ioc), tls_ctx_(tls_ctx) {}

  net::awaitable<void> connect() {
    tcp::resolver resolver(co_await net::this_coro::executor);
    auto eps = co_await resolver.async_resolve(ep_.host, ep_.port, net::use_awaitable);
    tcp_.emplace(ioc_);
    tls_.emplace(ioc_, tls_ctx_);
    if (ep_.tls) {
      co_await beast::get_lowest_layer(*tls_).async_connect(eps, net::use_awaitable);
      beast::get_lowest_layer(*tls_).socket().set_option(tcp::no_delay(true));
      co_await tls_->async_handshake(net::ssl::stream_base::client, net::use_awaitable);
    } else {
      co_await tcp_->async_connect(eps, net::use_awaitable);
      tcp_->socket().set_option(tcp::no_delay(true));
    }
    connected_ = true;
  }

  std::string host_header() const { return ep_.host + ":" + ep_.port; }

  // After a transport failure: the next send opens a new connection.
  void drop() { connected_ = false; }

  // Sends `req` (Host and Content-Length are set here) and reads the whole answer. Reconnects
  // first when the server closed the last connection (moto's development server answers every
  // request with Connection: close). A transport failure throws: it ends the run.
  net::awaitable<reply> send(bhttp::request<bhttp::string_body>& req,
                             std::chrono::seconds timeout = std::chrono::seconds(60)) {
    if (!connected_) co_await connect();
    req.set(bhttp::field::host, host_header());
    req.prepare_payload();
    beast::flat_buffer buf;
    // A large answer (a group with all its members) may exceed Beast's 8 MB default.
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(256u << 20);
    beast::get_lowest_layer(*tls_).expires_after(timeout);
    tcp_->expires_after(timeout);
    if (ep_.tls) {
      co_await bhttp::async_write(*tls_, req, net::use_awaitable);
      co_await bhttp::async_read(*tls_, buf, parser, net::use_awaitable);
    } else {
      co_await bhttp::async_write(*tcp_, req, net::use_awaitable);
      co_await bhttp::async_read(*tcp_, buf, parser, net::use_awaitable);
    }
    auto res = parser.release();
    if (!res.keep_alive()) connected_ = false;
    co_return reply{static_cast<int>(res.result_int()), std::move(res.body())};
  }

 private:
  const endpoint& ep_;
  net::io_context& ioc_;
  net::ssl::context& tls_ctx_;
  std::optional<beast::tcp_stream> tcp_;
  std::optional<beast::ssl_stream<beast::tcp_stream>> tls_;
  bool connected_ = false;
};

// Client-side TLS that accepts the servers' self-signed certificates.
inline net::ssl::context insecure_tls_client() {
  net::ssl::context tls(net::ssl::context::tls_client);
  tls.set_verify_mode(net::ssl::verify_none);
  return tls;
}

// The p-quantile (0..1) by rank; reorders v.
inline double percentile(std::vector<double>& v, double p) {
  if (v.empty()) return 0;
  std::size_t k = static_cast<std::size_t>(p * static_cast<double>(v.size() - 1));
  std::nth_element(v.begin(), v.begin() + static_cast<long>(k), v.end());
  return v[k];
}

inline double ms_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace atrium::bench
