// Beast server: one coroutine per connection on its own strand, explicit limits on every read,
// handlers on a worker pool, graceful shutdown through cancellation with a grace period
// (Boost.Beast examples' shape, C++20 coroutines). The pure parts (conversions, built-in
// routes, error answers, the access-log line) live in http/exchange.
#include <utility>  // before Asio: Boost 1.74's awaitable.hpp needs it (architecture guide)

#include "http/server.hpp"

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <nlohmann/json.hpp>
#include <openssl/ssl.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <condition_variable>
#include <csignal>
#include <limits>
#include <map>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>

#include "base/strings.hpp"
#include "crypto/primitives.hpp"
#include "http/exchange.hpp"

namespace atrium::http {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;
using steady = std::chrono::steady_clock;

namespace {

constexpr auto tls_close_wait = std::chrono::milliseconds(500);  // for the peer's close_notify
constexpr auto linger_wait = std::chrono::seconds(1);            // after an error answer
constexpr std::size_t linger_bytes = 1 << 20;
constexpr auto connection_close_wait = std::chrono::seconds(1);  // at shutdown, once in-flight is 0
constexpr auto shutdown_poll = std::chrono::milliseconds(10);
constexpr auto accept_backoff = std::chrono::milliseconds(50);   // after EMFILE and friends
constexpr std::size_t first_read_bytes = 8192;

using request_parser = bhttp::request_parser<bhttp::string_body>;

auto redirect(beast::error_code& ec) { return net::redirect_error(net::use_awaitable, ec); }

template <class Stream>
constexpr bool is_tls = !std::is_same_v<Stream, beast::tcp_stream>;

std::chrono::microseconds since(steady::time_point start) {
  return std::chrono::duration_cast<std::chrono::microseconds>(steady::now() - start);
}

std::string json_string(std::string_view s) {
  return nlohmann::json(s).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// A request is in flight from its first byte until its response is written.
class in_flight_guard {
 public:
  explicit in_flight_guard(std::atomic<int>& n) : n_(n) { ++n_; }
  ~in_flight_guard() { --n_; }
  in_flight_guard(const in_flight_guard&) = delete;
  in_flight_guard& operator=(const in_flight_guard&) = delete;

 private:
  std::atomic<int>& n_;
};

enum class outcome { keep_alive, close, rejected };

bool expects_continue(const beast_request& req) {
  auto it = req.find(bhttp::field::expect);
  return req.version() >= 11 && it != req.end() && iequals_ascii(trim(it->value()), "100-continue");
}

std::uint32_t header_limit(const limits& lim) {
  return static_cast<std::uint32_t>(std::min<std::size_t>(lim.header_bytes, std::numeric_limits<std::uint32_t>::max()));
}

// Reads and discards what the peer still sends, for a short while: closing a socket with
// unread bytes sends a reset, which can destroy an error answer before the client reads it.
net::awaitable<void> drain(beast::tcp_stream& tcp) {
  tcp.expires_after(linger_wait);
  std::array<char, 4096> sink;
  std::size_t total = 0;
  beast::error_code ec;
  while (!ec && total < linger_bytes) total += co_await tcp.async_read_some(net::buffer(sink), redirect(ec));
}

template <class Done>
net::awaitable<void> wait_until(Done done, steady::time_point deadline) {
  net::steady_timer timer(co_await net::this_coro::executor);
  while (!done() && steady::now() < deadline) {
    timer.expires_after(shutdown_poll);
    beast::error_code ec;
    co_await timer.async_wait(redirect(ec));
  }
}

void configure_tls(net::ssl::context& ctx, const server_config& cfg) {
  ctx.set_options(net::ssl::context::default_workarounds | net::ssl::context::no_sslv2 |
                  net::ssl::context::no_sslv3 | net::ssl::context::no_tlsv1 |
                  net::ssl::context::no_tlsv1_1 | net::ssl::context::single_dh_use);
  SSL_CTX_set_min_proto_version(ctx.native_handle(), TLS1_2_VERSION);
  SSL_CTX_set_options(ctx.native_handle(), SSL_OP_NO_RENEGOTIATION);
  try {
    ctx.use_certificate_chain_file(cfg.cert_file.string());
    ctx.use_private_key_file(cfg.key_file.string(), net::ssl::context::pem);
  } catch (const boost::system::system_error& e) {
    throw std::runtime_error("cannot load TLS certificate " + cfg.cert_file.string() + " and key " +
                             cfg.key_file.string() + ": " + e.what());
  }
}

// Guards what completions reach from other threads (the store's writer, the workers): the
// worker pool and the connections' strands, which die with the server. Closed before they do;
// a completion after that is dropped. Counts the responders alive, so that the server's
// destructor can wait for the writes they wait for (issue 18 item 3).
struct completion_gate {
  std::mutex mu;
  std::condition_variable cv;
  bool open = true;
  int responders = 0;
};

// One responder alive, counted by its gate.
class gate_ticket {
 public:
  explicit gate_ticket(std::shared_ptr<completion_gate> g) : g_(std::move(g)) {
    std::lock_guard lock(g_->mu);
    ++g_->responders;
  }
  ~gate_ticket() {
    {
      std::lock_guard lock(g_->mu);
      --g_->responders;
    }
    g_->cv.notify_all();
  }
  gate_ticket(const gate_ticket&) = delete;
  gate_ticket& operator=(const gate_ticket&) = delete;

 private:
  std::shared_ptr<completion_gate> g_;
};

// The answer of one request as its connection's coroutine waits for it. An answer given while
// the handler had not yet returned is taken as the handler's result (no extra hand-off); a
// later one is posted to the connection's strand, where it sets `late` and wakes the timer.
struct pending_answer {
  explicit pending_answer(net::any_io_executor strand) : wake(std::move(strand)) {}
  net::steady_timer wake;       // strand only
  std::optional<response> late;  // strand only
  std::mutex mu;
  bool handler_returned = false;
  std::optional<response> early;

  std::optional<response> take_early() {
    std::lock_guard lock(mu);
    handler_returned = true;
    return std::move(early);
  }
};

std::shared_ptr<spdlog::logger> atrium_logger() {
  auto log = spdlog::get("atrium");
  return log ? log : spdlog::default_logger();
}

}  // namespace

struct server::impl {
  // One accepted connection as the shutdown sees it. stream and idle are read and written only
  // on the connection's strand (executor); the registry holds it under conns_mu_.
  struct connection {
    std::uint64_t id = 0;
    net::any_io_executor executor;
    std::string remote_ip;
    beast::tcp_stream* stream = nullptr;  // while the session runs
    bool idle = true;  // in the TLS handshake or waiting for a request: the shutdown may cancel
  };

  impl(server_config c, async_handler h, std::shared_ptr<metrics_registry> m, error_shaper shaper);
  ~impl();

  void listen();
  uint16_t port() const;
  void run();
  void begin_shutdown();
  void join_workers() { workers_.join(); }
  void drain_responders();
  void serve_inline_when(inline_filter f) { inline_ = std::move(f); }

 private:
  void run_loop();
  net::awaitable<void> accept_loop();
  std::shared_ptr<connection> admit(tcp::socket& socket);
  void forget(std::uint64_t id);
  std::size_t connection_count();
  void cancel_idle_connections();
  net::awaitable<void> shutdown_watch();

  net::awaitable<void> run_connection(tcp::socket socket, std::shared_ptr<connection> conn);
  template <class Stream>
  net::awaitable<void> session(Stream& stream, connection& conn);
  template <class Stream>
  net::awaitable<outcome> serve_requests(Stream& stream, connection& conn);
  template <class Stream>
  net::awaitable<bool> await_request(Stream& stream, beast::flat_buffer& buffer, connection& conn,
                                     std::chrono::seconds timeout);
  template <class Stream>
  net::awaitable<outcome> serve_one(Stream& stream, beast::flat_buffer& buffer, connection& conn);
  template <class Stream>
  net::awaitable<beast::error_code> read_request(Stream& stream, beast::flat_buffer& buffer, request_parser& parser);
  template <class Stream>
  net::awaitable<outcome> reject(Stream& stream, const request_parser& parser, connection& conn, beast::error_code ec);
  template <class Stream>
  net::awaitable<void> close(Stream& stream, bool linger);

  net::awaitable<response> respond(const request& req);
  responder responder_for(const std::shared_ptr<pending_answer>& waiting);
  void call_handler(const request& req, responder later);
  beast_response finish(const request& req, response res, unsigned version, bool keep_alive,
                        std::chrono::microseconds took);

  // Connection coroutines still suspended when run() returns are destroyed with ioc_; their
  // guards use the members above it, so those are declared first. The I/O objects bound to
  // ioc_ are declared after it, so that they go first.
  server_config cfg_;
  async_handler handler_;
  std::shared_ptr<completion_gate> gate_ = std::make_shared<completion_gate>();
  error_shaper shaper_;
  inline_filter inline_;  // set before run(), read-only afterwards
  std::shared_ptr<metrics_registry> metrics_;
  std::shared_ptr<spdlog::logger> log_ = atrium_logger();
  net::ssl::context tls_{net::ssl::context::tls_server};
  crypto::sodium_random ids_;
  std::atomic<bool> stopping_{false};
  std::atomic<int> in_flight_{0};
  std::mutex conns_mu_;
  std::map<std::uint64_t, std::shared_ptr<connection>> conns_;
  std::uint64_t next_conn_id_ = 0;
  net::thread_pool workers_;
  net::io_context ioc_;
  net::strand<net::io_context::executor_type> accept_strand_{ioc_.get_executor()};
  tcp::acceptor acceptor_{accept_strand_};
  net::signal_set signals_{accept_strand_, SIGINT, SIGTERM};
  std::vector<std::thread> threads_;
};

server::impl::impl(server_config c, async_handler h, std::shared_ptr<metrics_registry> m, error_shaper shaper)
    : cfg_(std::move(c)),
      handler_(std::move(h)),
      shaper_(std::move(shaper)),
      metrics_(m ? std::move(m) : std::make_shared<metrics_registry>()),
      workers_(static_cast<std::size_t>(std::max(1, cfg_.worker_threads))),
      ioc_(std::max(1, cfg_.network_threads)) {
  crypto::init();
  if (cfg_.tls) configure_tls(tls_, cfg_);
}

// Nothing from another thread may reach the strands or the pool once they start to go.
server::impl::~impl() {
  std::lock_guard lock(gate_->mu);
  gate_->open = false;
}

// Responders still alive wait for writes queued in the store: give them the grace period to
// finish their work (the audit line, the invitation's mail) before the store closes, then drop
// what comes later.
void server::impl::drain_responders() {
  std::unique_lock lock(gate_->mu);
  if (!gate_->cv.wait_for(lock, cfg_.shutdown_grace, [&] { return gate_->responders == 0; }))
    log_->warn(R"("msg":"shutdown","unanswered_responders":{})", gate_->responders);
  gate_->open = false;
}

// ---- lifecycle ---------------------------------------------------------------------------

void server::impl::listen() {
  tcp::endpoint ep{net::ip::make_address(cfg_.bind_address), cfg_.port};
  try {
    acceptor_.open(ep.protocol());
    acceptor_.set_option(net::socket_base::reuse_address(true));
    acceptor_.bind(ep);
    acceptor_.listen(net::socket_base::max_listen_connections);
  } catch (const boost::system::system_error& e) {
    throw std::runtime_error("cannot listen on " + cfg_.bind_address + ":" + std::to_string(cfg_.port) +
                             ": " + e.what());
  }
}

uint16_t server::impl::port() const {
  beast::error_code ec;
  auto ep = acceptor_.local_endpoint(ec);
  return ec ? 0 : ep.port();
}

void server::impl::run() {
  signals_.async_wait([this](const beast::error_code& ec, int) {
    if (!ec) begin_shutdown();
  });
  net::co_spawn(accept_strand_, accept_loop(), net::detached);
  for (int i = 1; i < std::max(1, cfg_.network_threads); ++i) threads_.emplace_back([this] { run_loop(); });
  run_loop();
  for (auto& t : threads_) t.join();
  threads_.clear();
}

// Nothing should throw out of a handler here (coroutines are detached and catch their own),
// but a network thread must not die of it if something does.
void server::impl::run_loop() {
  for (;;) {
    try {
      ioc_.run();
      return;
    } catch (const std::exception& e) {
      log_->error(R"("msg":"network thread caught an exception","error":{})", json_string(e.what()));
    }
  }
}

// Stop accepting, cancel the reads of idle keep-alive connections (requests being handled
// finish and are answered with Connection: close), then wait for in-flight requests.
void server::impl::begin_shutdown() {
  if (stopping_.exchange(true)) return;
  net::post(accept_strand_, [this] {
    beast::error_code ec;
    acceptor_.close(ec);
    signals_.cancel(ec);
  });
  cancel_idle_connections();
  net::co_spawn(ioc_, shutdown_watch(), net::detached);
}

// In-flight requests get shutdown_grace to finish; connections then get a moment to close
// cleanly (close_notify, FIN); then the loop stops. A handler still running after the grace
// period keeps its worker thread: the server's destructor waits for it.
net::awaitable<void> server::impl::shutdown_watch() {
  auto deadline = steady::now() + cfg_.shutdown_grace;
  co_await wait_until([this] { return in_flight_.load() == 0; }, deadline);
  int unfinished = in_flight_.load();
  co_await wait_until([this] { return connection_count() == 0; },
                      std::min(deadline, steady::now() + connection_close_wait));
  log_->info(R"("msg":"shutdown","unfinished_requests":{},"open_connections":{})", unfinished,
             connection_count());
  ioc_.stop();
}

// ---- connections -------------------------------------------------------------------------

net::awaitable<void> server::impl::accept_loop() {
  net::steady_timer backoff(accept_strand_);
  while (!stopping_) {
    beast::error_code ec;
    tcp::socket socket(net::make_strand(ioc_));
    co_await acceptor_.async_accept(socket, redirect(ec));
    if (ec) {
      if (stopping_ || ec == net::error::operation_aborted) co_return;
      log_->warn(R"("msg":"accept failed","error":{})", json_string(ec.message()));
      backoff.expires_after(accept_backoff);
      co_await backoff.async_wait(redirect(ec));
      continue;
    }
    auto conn = admit(socket);
    if (!conn) {
      socket.close(ec);  // over max_connections
      continue;
    }
    auto exec = socket.get_executor();
    net::co_spawn(exec, run_connection(std::move(socket), std::move(conn)), net::detached);
  }
}

std::shared_ptr<server::impl::connection> server::impl::admit(tcp::socket& socket) {
  std::lock_guard lock(conns_mu_);
  if (conns_.size() >= cfg_.lim.max_connections) return nullptr;
  auto conn = std::make_shared<connection>();
  conn->id = next_conn_id_++;
  conn->executor = socket.get_executor();
  beast::error_code ec;
  auto remote = socket.remote_endpoint(ec);
  if (!ec) conn->remote_ip = remote.address().to_string();
  conns_.emplace(conn->id, conn);
  return conn;
}

void server::impl::forget(std::uint64_t id) {
  std::lock_guard lock(conns_mu_);
  conns_.erase(id);
}

std::size_t server::impl::connection_count() {
  std::lock_guard lock(conns_mu_);
  return conns_.size();
}

void server::impl::cancel_idle_connections() {
  std::lock_guard lock(conns_mu_);
  for (const auto& entry : conns_)
    net::post(entry.second->executor, [conn = entry.second] {
      if (conn->stream && conn->idle) conn->stream->cancel();
    });
}

net::awaitable<void> server::impl::run_connection(tcp::socket socket, std::shared_ptr<connection> conn) {
  struct registration {
    impl& s;
    std::uint64_t id;
    ~registration() { s.forget(id); }
  } reg{*this, conn->id};
  beast::error_code ec;
  // Small responses go out at once: with Nagle's algorithm a response written in two pieces
  // (header, body) waits for the peer's delayed ACK (~40 ms).
  socket.set_option(tcp::no_delay(true), ec);
  try {
    beast::tcp_stream plain(std::move(socket));
    if (cfg_.tls) {
      beast::ssl_stream<beast::tcp_stream> secure(std::move(plain), tls_);
      co_await session(secure, *conn);
    } else {
      co_await session(plain, *conn);
    }
  } catch (const std::exception& e) {
    log_->error(R"("msg":"connection failed","remote_ip":{},"error":{})", json_string(conn->remote_ip),
                json_string(e.what()));
  }
}

// One connection, plain or TLS: handshake, requests until one side closes, polite close.
template <class Stream>
net::awaitable<void> server::impl::session(Stream& stream, connection& conn) {
  auto& tcp = beast::get_lowest_layer(stream);
  conn.stream = &tcp;
  struct unbind {
    connection& c;
    ~unbind() { c.stream = nullptr; }
  } unbind_guard{conn};
  if (stopping_) co_return;
  if constexpr (is_tls<Stream>) {
    beast::error_code ec;
    tcp.expires_after(cfg_.lim.handshake_timeout);
    co_await stream.async_handshake(net::ssl::stream_base::server, redirect(ec));
    if (ec) co_return;
  }
  auto last = co_await serve_requests(stream, conn);
  co_await close(stream, last == outcome::rejected);
}

template <class Stream>
net::awaitable<outcome> server::impl::serve_requests(Stream& stream, connection& conn) {
  beast::flat_buffer buffer;
  auto wait = cfg_.lim.read_timeout;  // a new connection must start its request promptly
  for (;;) {
    if (!co_await await_request(stream, buffer, conn, wait)) co_return outcome::close;
    in_flight_guard busy(in_flight_);
    auto result = co_await serve_one(stream, buffer, conn);
    if (result != outcome::keep_alive) co_return result;
    wait = cfg_.lim.idle_timeout;
  }
}

// Waits for the first byte of the next request. Meanwhile the connection is idle, and the
// shutdown cancels this read. False when the peer closed or timed out, or on shutdown.
template <class Stream>
net::awaitable<bool> server::impl::await_request(Stream& stream, beast::flat_buffer& buffer, connection& conn,
                                                 std::chrono::seconds timeout) {
  conn.idle = true;
  struct busy_again {
    connection& c;
    ~busy_again() { c.idle = false; }
  } guard{conn};
  if (stopping_) co_return false;
  if (buffer.size() > 0) co_return true;  // pipelined: the next request is already here
  beast::error_code ec;
  beast::get_lowest_layer(stream).expires_after(timeout);
  auto n = co_await stream.async_read_some(buffer.prepare(first_read_bytes), redirect(ec));
  if (ec) co_return false;
  buffer.commit(n);
  co_return true;
}

template <class Stream>
net::awaitable<outcome> server::impl::serve_one(Stream& stream, beast::flat_buffer& buffer, connection& conn) {
  request_parser parser;
  parser.header_limit(header_limit(cfg_.lim));
  parser.body_limit(cfg_.lim.body_bytes);
  auto ec = co_await read_request(stream, buffer, parser);
  if (ec) co_return co_await reject(stream, parser, conn, ec);

  unsigned version = parser.get().version();
  bool wants_keep_alive = parser.get().keep_alive();
  auto req = to_request(parser.release(), conn.remote_ip, ids_.uuid4());
  auto start = steady::now();
  auto res = co_await respond(req);
  bool keep = wants_keep_alive && !asks_to_close(res) && !stopping_;
  auto out = finish(req, std::move(res), version, keep, since(start));
  beast::get_lowest_layer(stream).expires_after(cfg_.lim.read_timeout);
  co_await bhttp::async_write(stream, out, redirect(ec));
  co_return !ec && keep ? outcome::keep_alive : outcome::close;
}

// One whole request within read_timeout of its first byte. "Expect: 100-continue" is answered
// once the header is within limits, before the body is read (RFC 9110 §10.1.1).
template <class Stream>
net::awaitable<beast::error_code> server::impl::read_request(Stream& stream, beast::flat_buffer& buffer,
                                                             request_parser& parser) {
  beast::error_code ec;
  beast::get_lowest_layer(stream).expires_after(cfg_.lim.read_timeout);
  co_await bhttp::async_read_header(stream, buffer, parser, redirect(ec));
  if (ec || parser.is_done()) co_return ec;
  if (expects_continue(parser.get())) {
    bhttp::response<bhttp::empty_body> go_on{bhttp::status::continue_, 11};
    co_await bhttp::async_write(stream, go_on, redirect(ec));
    if (ec) co_return ec;
  }
  co_await bhttp::async_read(stream, buffer, parser, redirect(ec));
  co_return ec;
}

// A request that could not be read: answer 413/431/400 and close, or just close when the
// peer is gone or too slow.
template <class Stream>
net::awaitable<outcome> server::impl::reject(Stream& stream, const request_parser& parser, connection& conn,
                                             beast::error_code ec) {
  auto res = read_error_response(ec);
  if (!res) co_return outcome::close;
  request req;
  req.remote_ip = conn.remote_ip;
  req.request_id = ids_.uuid4();
  // The request line is stored as soon as it is parsed, before the headers are done: a
  // Content-Length over the body limit fails inside the header, with the target known.
  req.method = std::string(parser.get().method_string());
  req.target = std::string(parser.get().target());
  if (shaper_) {
    try {
      res = shaper_(req, std::move(*res));
    } catch (...) {
      res = internal_error_response();
    }
  }
  auto out = finish(req, std::move(*res), 11, false, std::chrono::microseconds(0));
  beast::get_lowest_layer(stream).expires_after(cfg_.lim.read_timeout);
  co_await bhttp::async_write(stream, out, redirect(ec));
  co_return outcome::rejected;
}

// Ends a connection politely: TLS close_notify (without waiting long for the peer's), FIN,
// and after an error answer a short lingering read (see drain).
template <class Stream>
net::awaitable<void> server::impl::close(Stream& stream, bool linger) {
  auto& tcp = beast::get_lowest_layer(stream);
  beast::error_code ec;
  if constexpr (is_tls<Stream>) {
    tcp.expires_after(tls_close_wait);
    co_await stream.async_shutdown(redirect(ec));
  }
  if (!tcp.socket().is_open()) co_return;
  tcp.socket().shutdown(tcp::socket::shutdown_send, ec);
  if (linger) co_await drain(tcp);
  tcp.socket().close(ec);
}

// ---- requests ----------------------------------------------------------------------------

net::awaitable<response> server::impl::respond(const request& req) {
  if (auto builtin = builtin_route(req, *metrics_)) co_return std::move(*builtin);
  // Named locals only around co_await: g++ 12 may destroy a temporary with a destructor in a
  // co_await expression twice (a responder released twice freed its state under a worker).
  auto strand = co_await net::this_coro::executor;
  auto waiting = std::make_shared<pending_answer>(strand);
  auto later = responder_for(waiting);
  // A point read runs here, on the connection's strand: the worker pool round trip (two
  // thread hand-offs, two wake-ups) cost more than the read itself (issue 18 item 3).
  if (inline_ && inline_(req)) {
    metrics_->count_on_network_thread();
    call_handler(req, std::move(later));
  } else {
    // Any other handler may block (database, password hashing): it runs on the worker pool
    // while this coroutine waits without holding a network thread. The worker takes the
    // responder out of this frame: none is left here while the answer is pending.
    auto on_worker = [this, &req, &later]() -> net::awaitable<void> {
      call_handler(req, std::move(later));
      co_return;
    };
    co_await net::co_spawn(workers_, on_worker, net::use_awaitable);
  }
  if (auto early = waiting->take_early()) co_return std::move(*early);
  // Answered later (a write's group commit): the worker is free meanwhile. No responder is held
  // here, so a dropped one answers 500 instead of leaving this wait for ever.
  waiting->wake.expires_at(steady::time_point::max());
  while (!waiting->late) {
    beast::error_code ec;
    co_await waiting->wake.async_wait(redirect(ec));
  }
  co_return std::move(*waiting->late);
}

// The answer reaches the request's strand, unless the server is going away; the work a
// completion posts runs on the worker pool. Both only while the gate is open.
responder server::impl::responder_for(const std::shared_ptr<pending_answer>& waiting) {
  auto ticket = std::make_shared<gate_ticket>(gate_);
  // No copy of the strand here: a responder may outlive the server, and a strand executor
  // destroyed after its io_context touches the freed strand service (UBSan saw it). The strand
  // is taken from the waiting answer, only while the gate is open (the io_context alive).
  auto answer = [gate = gate_, ticket, weak = std::weak_ptr<pending_answer>(waiting)](std::optional<response> r) {
    response res = r ? std::move(*r) : internal_error_response();
    std::lock_guard lock(gate->mu);
    if (!gate->open) return;
    auto w = weak.lock();
    if (!w) return;
    {
      std::lock_guard early(w->mu);
      if (!w->handler_returned) {
        w->early = std::move(res);
        return;
      }
    }
    net::post(w->wake.get_executor(), [weak, res = std::move(res)]() mutable {
      if (auto p = weak.lock()) {
        p->late = std::move(res);
        p->wake.cancel();
      }
    });
  };
  auto post = [gate = gate_, pool = workers_.get_executor(), log = log_](std::function<void()> work) {
    std::unique_lock lock(gate->mu);
    if (!gate->open) {
      lock.unlock();
      return;  // `work` (and any responder in it) goes here, outside the lock
    }
    net::post(pool, [work = std::move(work), log] {
      try {
        work();
      } catch (...) {
        log->error(R"("msg":"completion threw")");
      }
    });
  };
  return responder(std::move(answer), std::move(post));
}

void server::impl::call_handler(const request& req, responder later) {
  try {
    handler_(req, std::move(later));
  } catch (...) {
    // Not what(): exception messages may quote request bytes, and bodies are never logged.
    // An unanswered responder answers 500 when it is dropped.
    log_->error(R"("msg":"handler threw","request_id":{})", json_string(req.request_id));
  }
}

// Records metrics, logs the access line and builds the Beast response.
beast_response server::impl::finish(const request& req, response res, unsigned version, bool keep_alive,
                                    std::chrono::microseconds took) {
  std::string operation = res.operation.empty() ? "other" : std::move(res.operation);
  std::string error_code = std::move(res.error_code);
  auto out = to_beast(std::move(res), req.request_id, version, keep_alive);
  int status = static_cast<int>(out.result_int());
  metrics_->observe(operation, status, took);
  // The access line's fields are built only when it is written (log_level=warn skips it).
  if (log_->should_log(spdlog::level::info))
    log_->info("{}", access_log_fields({.request_id = req.request_id,
                                        .method = req.method,
                                        .target = req.target,
                                        .remote_ip = req.remote_ip,
                                        .operation = operation,
                                        .error_code = error_code,
                                        .status = status,
                                        .duration_ms = static_cast<double>(took.count()) / 1000.0}));
  return out;
}

// ---- server ------------------------------------------------------------------------------

server::server(server_config cfg, handler h, std::shared_ptr<metrics_registry> metrics, error_shaper shaper)
    : server(std::move(cfg),
             async_handler([h = std::move(h)](const request& req, responder later) { later(h(req)); }),
             std::move(metrics), std::move(shaper)) {}

server::server(server_config cfg, async_handler h, std::shared_ptr<metrics_registry> metrics, error_shaper shaper)
    : impl_(std::make_unique<impl>(std::move(cfg), std::move(h), std::move(metrics), std::move(shaper))) {}

// run() has returned (or never ran); completions still due are given the grace period, and a
// handler that outlived it is waited for.
server::~server() {
  impl_->begin_shutdown();
  impl_->drain_responders();
  impl_->join_workers();
}

void server::serve_inline_when(inline_filter f) { impl_->serve_inline_when(std::move(f)); }
void server::listen() { impl_->listen(); }
uint16_t server::port() const { return impl_->port(); }
void server::run() { impl_->run(); }
void server::stop() { impl_->begin_shutdown(); }

}  // namespace atrium::http
