#pragma once
// The network edge: Boost.Beast HTTP/1.1 over TLS (or plain TCP when tls=false), one C++20
// coroutine per connection. http/ owns sockets, TLS, limits and timeouts; handlers are plain
// functions that take a request value and return a response value (Beast examples'
// handle_request; the pure conversions are in http/exchange.hpp). Handlers run on a worker
// pool, so they may block on the database or on password hashing; network threads never do,
// except for the point reads the application names (serve_inline_when): a prepared statement
// on a reader connection costs less than the two thread hand-offs it would take to avoid it.
// The server answers GET /healthz and GET /metrics itself, records metrics for every request
// and logs one JSON line per request to the "atrium" spdlog logger (else the default one).
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "http/metrics.hpp"
#include "proto/kit/exchange.hpp"
#include "proto/kit/responder.hpp"

namespace atrium::http {

struct limits {
  std::size_t header_bytes = 16 * 1024;          // request line + headers
  std::size_t body_bytes = 1024 * 1024;          // per request body
  std::chrono::seconds read_timeout{30};         // to read one whole request
  std::chrono::seconds idle_timeout{60};         // keep-alive between requests
  std::chrono::seconds handshake_timeout{10};    // TLS handshake
  std::size_t max_connections = 4096;
};

struct server_config {
  std::string bind_address = "127.0.0.1";
  uint16_t port = 8443;  // 0: pick a free port (tests); the chosen one is reported by port()
  bool tls = true;
  std::filesystem::path cert_file, key_file;  // PEM
  int network_threads = 2;
  int worker_threads = 8;
  std::chrono::seconds shutdown_grace{20};  // in-flight requests get this long to finish
  limits lim;
};

// The request and response values are the door kit's (proto/kit/exchange.hpp): what the
// server reads is what every door takes, and what a door answers is what the server writes.
using request = proto::request;
using response = proto::response;

// Lets the application give the server's own answers to unreadable requests (413, 431, 400)
// the error shape of the protocol the request was meant for (SCIM, AWS JSON). Gets what is
// known of the request (method and target once the headers were read; no body).
using error_shaper = std::function<response(const request& partial, response generic)>;

using handler = std::function<response(const request&)>;
// The asynchronous form (issue 18 item 3): answers through the responder, at once or later from
// any thread (a write's completion); the response is then written on the connection's strand.
// It runs where a handler runs (worker pool, or the network thread for inline requests) and
// must not block on a write: a worker is free again as soon as it returns.
using responder = proto::responder;
using async_handler = std::function<void(const request&, responder)>;
// Which requests the handler may serve on the network thread that read them (no hand-off to
// the worker pool and back): those whose work is a few cheap store reads (proto::door::
// is_point_read). Looks at the method, target and headers only.
using inline_filter = std::function<bool(const request&)>;

class server {
 public:
  // Throws when the TLS certificate or key cannot be loaded. A null metrics gets a private one.
  server(server_config cfg, handler h, std::shared_ptr<metrics_registry> metrics,
         error_shaper shaper = nullptr);
  server(server_config cfg, async_handler h, std::shared_ptr<metrics_registry> metrics,
         error_shaper shaper = nullptr);
  // Call after run() has returned (or when it never ran). Waits for a handler that outlived
  // the grace period: a blocking function cannot be interrupted. Responders still held (a write
  // not yet committed) are waited for up to shutdown_grace, so that their work is done before
  // the store closes; later answers are dropped (their connections are gone).
  ~server();
  server(const server&) = delete;
  server& operator=(const server&) = delete;

  // Before run(): the requests handled on the network thread (default: none, every handler
  // runs on the worker pool).
  void serve_inline_when(inline_filter f);
  // Binds and listens (throws on failure); after this port() is the real port (0 before).
  void listen();
  uint16_t port() const;
  // Serves until SIGTERM/SIGINT (or stop()): then stops accepting, lets in-flight requests
  // finish (up to shutdown_grace) and answers them with Connection: close, closes idle
  // keep-alive connections, and returns.
  void run();
  // Thread-safe; may be called from a handler, before run() (run() then returns at once), or
  // more than once.
  void stop();

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace atrium::http
