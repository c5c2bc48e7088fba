#include <utility>  // before Asio (Boost 1.74; architecture guide "Platform notes")

#include "cloud/http_transport.hpp"

#include <openssl/ssl.h>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <optional>

#include "base/strings.hpp"
#include "cloud/await_error.hpp"

namespace atrium::cloud {

namespace net = boost::asio;
namespace ssl = net::ssl;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = net::ip::tcp;

std::string endpoint::host_header() const {
  bool default_port = (tls && port == "443") || (!tls && port == "80");
  std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;  // IPv6 literal
  return default_port ? h : h + ":" + port;
}

result<endpoint> parse_endpoint(std::string_view url) {
  endpoint ep;
  if (url.starts_with("https://")) {
    url.remove_prefix(8);
  } else if (url.starts_with("http://")) {
    ep.tls = false;
    url.remove_prefix(7);
  } else {
    return fail(errc::validation, "endpoint URL must start with http:// or https://");
  }
  auto slash = url.find('/');
  std::string_view authority = url.substr(0, slash);
  if (slash != std::string_view::npos) ep.path = std::string(url.substr(slash));
  if (authority.find('@') != std::string_view::npos)
    return fail(errc::validation, "endpoint URL must not carry user information");
  std::string_view host = authority, port;
  if (authority.starts_with('[')) {  // [::1]:5000
    auto close = authority.find(']');
    if (close == std::string_view::npos) return fail(errc::validation, "bad IPv6 literal in endpoint URL");
    host = authority.substr(1, close - 1);
    if (close + 1 < authority.size()) {
      if (authority[close + 1] != ':') return fail(errc::validation, "bad port in endpoint URL");
      port = authority.substr(close + 2);
    }
  } else if (auto colon = authority.rfind(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
  }
  if (host.empty() || host.size() > 253) return fail(errc::validation, "endpoint URL has no host");
  for (char c : port)
    if (c < '0' || c > '9') return fail(errc::validation, "bad port in endpoint URL");
  if (port.size() > 5) return fail(errc::validation, "bad port in endpoint URL");
  ep.host = std::string(host);
  ep.port = port.empty() ? (ep.tls ? "443" : "80") : std::string(port);
  return ep;
}

std::string http_reply::header(std::string_view name) const {
  for (const auto& [n, v] : headers)
    if (iequals_ascii(n, name)) return v;
  return {};
}

namespace {


class beast_transport final : public http_transport {
 public:
  explicit beast_transport(transport_options o) : options_(std::move(o)) {}

  result<http_reply> send(const endpoint& ep, const http_request& req) override {
    std::optional<ssl::context> tls;
    if (ep.tls) {
      auto ctx = make_tls_context(ep);
      if (!ctx) return std::unexpected(ctx.error());
      tls.emplace(std::move(*ctx));
    }
    net::io_context ioc;
    result<http_reply> out = fail(errc::internal, "request to " + ep.host + " did not complete");
    net::co_spawn(ioc, run(ep, req, tls ? &*tls : nullptr, out), net::detached);
    ioc.run();
    return out;
  }

 private:
  result<ssl::context> make_tls_context(const endpoint& ep) const {
    ssl::context ctx(ssl::context::tls_client);
    ctx.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                    ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
    beast::error_code ec;
    if (!options_.verify_tls) {
      ctx.set_verify_mode(ssl::verify_none);
      return ctx;
    }
    if (!options_.ca_file.empty()) ctx.load_verify_file(options_.ca_file.string(), ec);
    else ctx.set_default_verify_paths(ec);
    if (ec) return fail(errc::internal, "cannot load trusted certificates: " + ec.message());
    ctx.set_verify_mode(ssl::verify_peer);
    ctx.set_verify_callback(ssl::host_name_verification(ep.host));
    return ctx;
  }

  template <class Stream>
  net::awaitable<void> exchange(Stream& stream, beast::tcp_stream& lowest, const endpoint& ep,
                                const http_request& req, result<http_reply>& out) {
    bhttp::request<bhttp::string_body> msg{bhttp::string_to_verb(req.method), req.target, 11};
    for (const auto& [n, v] : req.headers) msg.set(n, v);
    msg.body() = req.body;
    msg.prepare_payload();
    beast::error_code ec;
    lowest.expires_after(options_.request_timeout);
    co_await bhttp::async_write(stream, msg, await_error(ec));
    if (ec) co_return void(out = fail(errc::internal, "sending to " + ep.host + " failed: " + ec.message()));
    beast::flat_buffer buf;
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(options_.max_reply_bytes);
    co_await bhttp::async_read(stream, buf, parser, await_error(ec));
    if (ec) co_return void(out = fail(errc::internal, "reading the answer of " + ep.host + " failed: " + ec.message()));
    http_reply reply;
    reply.status = static_cast<int>(parser.get().result_int());
    for (const auto& f : parser.get()) reply.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
    reply.body = std::move(parser.get().body());
    out = std::move(reply);
  }

  net::awaitable<void> run(const endpoint& ep, const http_request& req, ssl::context* tls, result<http_reply>& out) {
    auto exec = co_await net::this_coro::executor;
    beast::error_code ec;
    tcp::resolver resolver(exec);
    auto addrs = co_await resolver.async_resolve(ep.host, ep.port, await_error(ec));
    if (ec) co_return void(out = fail(errc::internal, "cannot resolve " + ep.host + ": " + ec.message()));
    if (!tls) {
      beast::tcp_stream stream(exec);
      stream.expires_after(options_.connect_timeout);
      co_await stream.async_connect(addrs, await_error(ec));
      if (ec) co_return void(out = fail(errc::internal, "cannot connect to " + ep.host + ":" + ep.port + ": " + ec.message()));
      co_await exchange(stream, stream, ep, req, out);
      stream.socket().shutdown(tcp::socket::shutdown_both, ec);
      co_return;
    }
    beast::ssl_stream<beast::tcp_stream> stream(exec, *tls);
    auto& lowest = beast::get_lowest_layer(stream);
    lowest.expires_after(options_.connect_timeout);
    co_await lowest.async_connect(addrs, await_error(ec));
    if (ec) co_return void(out = fail(errc::internal, "cannot connect to " + ep.host + ":" + ep.port + ": " + ec.message()));
    // SNI: virtual-hosted AWS endpoints need the name to pick the certificate.
    SSL_set_tlsext_host_name(stream.native_handle(), ep.host.c_str());
    co_await stream.async_handshake(ssl::stream_base::client, await_error(ec));
    if (ec) co_return void(out = fail(errc::internal, "TLS handshake with " + ep.host + " failed: " + ec.message()));
    co_await exchange(stream, lowest, ep, req, out);
    lowest.expires_after(std::chrono::seconds(2));
    co_await stream.async_shutdown(await_error(ec));  // peers often just close; not an error
  }

  transport_options options_;
};

}  // namespace

std::shared_ptr<http_transport> make_beast_transport(transport_options options) {
  return std::make_shared<beast_transport>(std::move(options));
}

}  // namespace atrium::cloud
