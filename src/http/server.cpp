// Beast server: one coroutine per connection on its own strand, explicit limits on every read,
// handlers on a worker pool, graceful shutdown (Boost.Beast examples' shape, C++20 coroutines).
#include <utility>  // before Asio: Boost 1.74's awaitable.hpp needs it (architecture guide)

#include "http/server.hpp"

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <atomic>
#include <csignal>
#include <thread>

#include "base/strings.hpp"
#include "crypto/primitives.hpp"

namespace atrium::http {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;

const std::string* request::header(std::string_view name) const {
  for (const auto& [k, v] : headers)
    if (iequals_ascii(k, name)) return &v;
  return nullptr;
}

struct server::impl {
  server_config cfg;
  handler handle;
  std::shared_ptr<metrics_registry> metrics;
  net::io_context ioc;
  net::ssl::context tls{net::ssl::context::tls_server};
  net::thread_pool workers;
  tcp::acceptor acceptor{ioc};
  net::signal_set signals{ioc, SIGINT, SIGTERM};
  std::atomic<bool> stopping{false};
  std::atomic<int> in_flight{0};
  std::atomic<std::size_t> connections{0};
  crypto::sodium_random ids;
  std::vector<std::thread> threads;

  impl(server_config c, handler h, std::shared_ptr<metrics_registry> m)
      : cfg(std::move(c)), handle(std::move(h)), metrics(std::move(m)),
        ioc(cfg.network_threads), workers(static_cast<std::size_t>(cfg.worker_threads)) {}

  net::awaitable<void> accept_loop();
  template <class Stream>
  net::awaitable<void> session(Stream& stream, std::string remote_ip);
  net::awaitable<bhttp::response<bhttp::string_body>> dispatch(bhttp::request<bhttp::string_body>& req,
                                                               const std::string& remote_ip);
  net::awaitable<void> shutdown_watch();
  void begin_shutdown();
};

namespace {

bhttp::response<bhttp::string_body> plain_error(unsigned status, const std::string& type, const std::string& msg) {
  bhttp::response<bhttp::string_body> res{static_cast<bhttp::status>(status), 11};
  res.set(bhttp::field::content_type, "application/json");
  res.body() = nlohmann::json{{"__type", type}, {"message", msg}}.dump();
  res.keep_alive(false);
  res.prepare_payload();
  return res;
}

void log_request(const request& r, int status, double ms, const std::string& op, const std::string& err) {
  nlohmann::json j = {{"msg", "request"}, {"request_id", r.request_id}, {"method", r.method},
                      {"path", r.target.substr(0, r.target.find('?'))}, {"status", status},
                      {"duration_ms", ms}, {"operation", op}, {"remote_ip", r.remote_ip}};
  if (!err.empty()) j["error_code"] = err;
  auto s = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  spdlog::info("{}", std::string_view(s).substr(1, s.size() - 2));
}

}  // namespace

net::awaitable<bhttp::response<bhttp::string_body>> server::impl::dispatch(
    bhttp::request<bhttp::string_body>& raw, const std::string& remote_ip) {
  auto start = std::chrono::steady_clock::now();
  request req;
  req.method = std::string(raw.method_string());
  req.target = std::string(raw.target());
  for (const auto& f : raw) req.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
  req.body = std::move(raw.body());
  req.remote_ip = remote_ip;
  req.request_id = ids.uuid4();

  response res;
  std::string path = req.target.substr(0, req.target.find('?'));
  if (req.method == "GET" && path == "/healthz") {
    res.body = R"({"status":"ok"})";
    res.operation = "healthz";
  } else if (req.method == "GET" && path == "/metrics") {
    res.body = metrics->render();
    res.content_type = "text/plain; version=0.0.4";
    res.operation = "metrics";
  } else {
    // The handler may block (database, hashing): run it on the worker pool and await it.
    res = co_await net::co_spawn(
        workers,
        [this, &req]() -> net::awaitable<response> {
          try {
            co_return handle(req);
          } catch (const std::exception& e) {
            spdlog::error(R"("msg":"handler exception","request_id":"{}")", req.request_id);
            response r;
            r.status = 500;
            r.body = R"({"__type":"InternalServerException","message":"Internal server error"})";
            r.error_code = "InternalServerException";
            co_return r;
          }
        },
        net::use_awaitable);
  }
  auto micros = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - start);
  std::string op = res.operation.empty() ? "other" : res.operation;
  metrics->observe(op, res.status, micros);
  log_request(req, res.status, static_cast<double>(micros.count()) / 1000.0, op, res.error_code);

  bhttp::response<bhttp::string_body> out{static_cast<bhttp::status>(res.status), raw.version()};
  out.set(bhttp::field::server, "Atrium");
  out.set(bhttp::field::content_type, res.content_type);
  out.set("x-amzn-RequestId", req.request_id);
  for (const auto& [k, v] : res.headers) out.set(k, v);
  out.body() = std::move(res.body);
  out.keep_alive(raw.keep_alive() && !stopping.load());
  out.prepare_payload();
  co_return out;
}

template <class Stream>
net::awaitable<void> server::impl::session(Stream& stream, std::string remote_ip) {
  beast::flat_buffer buffer;
  bool first = true;
  while (!stopping.load()) {
    bhttp::request_parser<bhttp::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(cfg.lim.header_bytes));
    parser.body_limit(cfg.lim.body_bytes);
    beast::error_code ec;
    beast::get_lowest_layer(stream).expires_after(first ? cfg.lim.read_timeout : cfg.lim.idle_timeout);
    co_await bhttp::async_read_header(stream, buffer, parser, net::redirect_error(net::use_awaitable, ec));
    if (!ec && !parser.is_done()) {
      beast::get_lowest_layer(stream).expires_after(cfg.lim.read_timeout);
      co_await bhttp::async_read(stream, buffer, parser, net::redirect_error(net::use_awaitable, ec));
    }
    first = false;
    if (ec) {
      std::optional<bhttp::response<bhttp::string_body>> err;
      if (ec == bhttp::error::body_limit) err = plain_error(413, "RequestEntityTooLarge", "The request body is too large.");
      else if (ec == bhttp::error::header_limit) err = plain_error(431, "RequestHeaderFieldsTooLarge", "The request headers are too large.");
      else if (ec != bhttp::error::end_of_stream && ec != beast::error::timeout && ec != net::error::operation_aborted &&
               ec != net::error::eof && ec != net::error::connection_reset && ec.category() == bhttp::make_error_code(bhttp::error::end_of_stream).category())
        err = plain_error(400, "BadRequest", "The request could not be parsed.");
      if (err) {
        beast::get_lowest_layer(stream).expires_after(cfg.lim.read_timeout);
        co_await bhttp::async_write(stream, *err, net::redirect_error(net::use_awaitable, ec));
      }
      break;
    }
    ++in_flight;
    auto req = parser.release();
    auto res = co_await dispatch(req, remote_ip);
    beast::get_lowest_layer(stream).expires_after(cfg.lim.read_timeout);
    co_await bhttp::async_write(stream, res, net::redirect_error(net::use_awaitable, ec));
    --in_flight;
    if (ec || !res.keep_alive()) break;
  }
  beast::error_code ignored;
  if constexpr (!std::is_same_v<Stream, beast::tcp_stream>) {
    beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(2));
    co_await stream.async_shutdown(net::redirect_error(net::use_awaitable, ignored));
  }
  beast::get_lowest_layer(stream).socket().shutdown(tcp::socket::shutdown_both, ignored);
}

net::awaitable<void> server::impl::accept_loop() {
  while (!stopping.load()) {
    beast::error_code ec;
    auto socket = co_await acceptor.async_accept(net::make_strand(ioc), net::redirect_error(net::use_awaitable, ec));
    if (ec) {
      if (stopping.load() || ec == net::error::operation_aborted) co_return;
      continue;
    }
    if (connections.load() >= cfg.lim.max_connections) {
      socket.close(ec);
      continue;
    }
    // Small responses go out at once: without this, a response written in two pieces (header,
    // body) waits for the peer's delayed ACK (~40 ms) under Nagle's algorithm.
    socket.set_option(tcp::no_delay(true), ec);
    std::string remote = socket.remote_endpoint(ec).address().to_string();
    auto exec = socket.get_executor();
    ++connections;
    net::co_spawn(
        exec,
        [this, s = std::move(socket), remote]() mutable -> net::awaitable<void> {
          beast::tcp_stream tcp_stream(std::move(s));
          if (cfg.tls) {
            beast::ssl_stream<beast::tcp_stream> tls_stream(std::move(tcp_stream), tls);
            beast::error_code hec;
            beast::get_lowest_layer(tls_stream).expires_after(cfg.lim.handshake_timeout);
            co_await tls_stream.async_handshake(net::ssl::stream_base::server, net::redirect_error(net::use_awaitable, hec));
            if (!hec) co_await session(tls_stream, remote);
          } else {
            co_await session(tcp_stream, remote);
          }
          --connections;
        },
        net::detached);
  }
}

void server::impl::begin_shutdown() {
  if (stopping.exchange(true)) return;
  net::post(ioc, [this] {
    beast::error_code ec;
    acceptor.close(ec);
    signals.cancel(ec);
  });
  net::co_spawn(ioc, shutdown_watch(), net::detached);
}

// In-flight requests finish (up to the grace period), then the loop stops; idle keep-alive
// connections are closed when the io_context goes away.
net::awaitable<void> server::impl::shutdown_watch() {
  auto deadline = std::chrono::steady_clock::now() + cfg.shutdown_grace;
  net::steady_timer timer(ioc);
  while (in_flight.load() > 0 && std::chrono::steady_clock::now() < deadline) {
    timer.expires_after(std::chrono::milliseconds(20));
    beast::error_code ec;
    co_await timer.async_wait(net::redirect_error(net::use_awaitable, ec));
  }
  spdlog::info(R"("msg":"shutdown","in_flight_left":{})", in_flight.load());
  ioc.stop();
}

server::server(server_config cfg, handler h, std::shared_ptr<metrics_registry> metrics)
    : impl_(std::make_unique<impl>(std::move(cfg), std::move(h), std::move(metrics))) {
  crypto::init();
  if (impl_->cfg.tls) {
    auto& t = impl_->tls;
    t.set_options(net::ssl::context::default_workarounds | net::ssl::context::no_sslv2 |
                  net::ssl::context::no_sslv3 | net::ssl::context::no_tlsv1 | net::ssl::context::no_tlsv1_1 |
                  net::ssl::context::single_dh_use);
    t.use_certificate_chain_file(impl_->cfg.cert_file.string());
    t.use_private_key_file(impl_->cfg.key_file.string(), net::ssl::context::pem);
  }
}

server::~server() {
  stop();
  for (auto& t : impl_->threads)
    if (t.joinable()) t.join();
  impl_->workers.join();
}

void server::listen() {
  auto& s = *impl_;
  auto addr = net::ip::make_address(s.cfg.bind_address);
  tcp::endpoint ep{addr, s.cfg.port};
  s.acceptor.open(ep.protocol());
  s.acceptor.set_option(net::socket_base::reuse_address(true));
  s.acceptor.bind(ep);
  s.acceptor.listen(net::socket_base::max_listen_connections);
}

uint16_t server::port() const { return impl_->acceptor.local_endpoint().port(); }

void server::run() {
  auto& s = *impl_;
  s.signals.async_wait([this](const beast::error_code& ec, int) {
    if (!ec) impl_->begin_shutdown();
  });
  net::co_spawn(s.ioc, s.accept_loop(), net::detached);
  for (int i = 1; i < s.cfg.network_threads; ++i) s.threads.emplace_back([&s] { s.ioc.run(); });
  s.ioc.run();
  for (auto& t : s.threads)
    if (t.joinable()) t.join();
  s.threads.clear();
}

void server::stop() { impl_->begin_shutdown(); }

}  // namespace atrium::http
