#include <utility>  // before Asio (Boost 1.74; architecture guide "Platform notes")

#include "cloud/smtp_mailer.hpp"

#include <openssl/ssl.h>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <cctype>
#include <optional>
#include <vector>

#include "base/strings.hpp"
#include "cloud/await_error.hpp"

namespace atrium::cloud {

namespace net = boost::asio;
namespace ssl = net::ssl;
namespace beast = boost::beast;
using tcp = net::ip::tcp;

namespace {

constexpr std::size_t max_reply_bytes = 64 * 1024;


struct reply {
  int code = 0;
  std::vector<std::string> lines;  // text after "NNN-" / "NNN "
  std::string first() const { return lines.empty() ? std::string() : lines.front(); }
};

// What EHLO told us (RFC 5321 §4.1.1.1: one keyword per line after the greeting line).
struct extensions {
  bool starttls = false, eight_bit = false, auth_plain = false, auth_login = false;
};

extensions parse_ehlo(const reply& r) {
  extensions e;
  for (std::size_t i = 1; i < r.lines.size(); ++i) {
    auto words = split(trim(r.lines[i]), ' ');
    if (words.empty()) continue;
    auto kw = to_lower_ascii(words[0]);
    if (kw == "starttls") e.starttls = true;
    else if (kw == "8bitmime") e.eight_bit = true;
    else if (kw == "auth")
      for (std::size_t w = 1; w < words.size(); ++w) {
        auto m = to_lower_ascii(words[w]);
        if (m == "plain") e.auth_plain = true;
        if (m == "login") e.auth_login = true;
      }
  }
  return e;
}

class conversation {
 public:
  conversation(const smtp_settings& s, std::string where) : s_(s), where_(std::move(where)) {}

  // One reply, possibly multi-line (RFC 5321 §4.2.1).
  template <class Stream>
  net::awaitable<result<reply>> read_reply(Stream& st, beast::tcp_stream& lowest) {
    reply r;
    while (true) {
      beast::error_code ec;
      lowest.expires_after(s_.command_timeout);
      std::size_t n = co_await net::async_read_until(st, net::dynamic_buffer(buf_, max_reply_bytes), "\r\n", await_error(ec));
      if (ec) co_return fail(errc::internal, "SMTP relay " + where_ + ": reading its answer failed: " + ec.message());
      std::string line = buf_.substr(0, n - 2);
      buf_.erase(0, n);
      if (line.size() < 3 || !std::isdigit(static_cast<unsigned char>(line[0])) ||
          !std::isdigit(static_cast<unsigned char>(line[1])) || !std::isdigit(static_cast<unsigned char>(line[2])))
        co_return fail(errc::internal, "SMTP relay " + where_ + ": not an SMTP reply");
      int code = std::stoi(line.substr(0, 3));
      if (r.code != 0 && code != r.code) co_return fail(errc::internal, "SMTP relay " + where_ + ": inconsistent reply codes");
      r.code = code;
      r.lines.push_back(line.size() > 4 ? line.substr(4) : std::string());
      if (line.size() == 3 || line[3] != '-') co_return r;
    }
  }

  template <class Stream>
  net::awaitable<result<void>> write(Stream& st, beast::tcp_stream& lowest, std::string_view data) {
    beast::error_code ec;
    lowest.expires_after(s_.command_timeout);
    co_await net::async_write(st, net::buffer(data.data(), data.size()), await_error(ec));
    if (ec) co_return fail(errc::internal, "SMTP relay " + where_ + ": sending failed: " + ec.message());
    co_return result<void>{};
  }

  // Sends one command line and expects a reply whose first digit is `expect` (2: done, 3: go on).
  // `shown` names the step in errors instead of the line (AUTH lines carry the password).
  // `for_this_message`: a 5yz answer refuses this message for good (see refusal()).
  template <class Stream>
  net::awaitable<result<reply>> command(Stream& st, beast::tcp_stream& lowest, const std::string& line, int expect,
                                        std::string_view shown, bool for_this_message = false) {
    if (auto w = co_await write(st, lowest, line + "\r\n"); !w) co_return std::unexpected(w.error());
    auto r = co_await read_reply(st, lowest);
    if (!r) co_return r;
    if (r->code / 100 != expect) co_return refusal(*r, "refused " + std::string(shown), for_this_message);
    co_return r;
  }

  // A refusal of this message for good (refuses_for_good: an unknown mailbox at RCPT TO, refused
  // content after DATA) is errc::validation, which the outbox drops at once instead of retrying
  // for hours; anything else (AUTH, MAIL FROM, "relay access denied", 4yz) is errc::internal,
  // retried: it may be the relay's settings, which an administrator may fix meanwhile.
  std::unexpected<error> refusal(const reply& r, const std::string& what, bool for_this_message, bool after_data = false) {
    bool permanent = for_this_message && refuses_for_good(r.code, r.first(), after_data);
    return fail(permanent ? errc::validation : errc::internal,
                "SMTP relay " + where_ + " " + what + ": " + std::to_string(r.code) + " " + r.first());
  }

  // After EHLO (and STARTTLS): AUTH, the envelope, the message, QUIT.
  template <class Stream>
  net::awaitable<result<void>> deliver(Stream& st, beast::tcp_stream& lowest, const extensions& ext, bool tls,
                                       const std::string& from, const std::string& to, const std::string& message) {
    if (!s_.username.empty()) {
      if (!tls && s_.starttls != starttls_mode::never)
        co_return fail(errc::internal, "SMTP relay " + where_ + " offers no STARTTLS; not sending the password in the clear "
                                       "(set mail.starttls=never to allow it)");
      if (auto a = co_await authenticate(st, lowest, ext); !a) co_return a;
    }
    std::string mail_from = "MAIL FROM:<" + from + ">" + (ext.eight_bit ? " BODY=8BITMIME" : "");
    if (auto r = co_await command(st, lowest, mail_from, 2, "MAIL FROM"); !r) co_return std::unexpected(r.error());
    if (auto r = co_await command(st, lowest, "RCPT TO:<" + to + ">", 2, "RCPT TO", true); !r)
      co_return std::unexpected(r.error());
    if (auto r = co_await command(st, lowest, "DATA", 3, "DATA"); !r) co_return std::unexpected(r.error());
    if (auto w = co_await write(st, lowest, dot_stuff(message) + ".\r\n"); !w) co_return w;
    auto done = co_await read_reply(st, lowest);
    if (!done) co_return std::unexpected(done.error());
    if (done->code / 100 != 2) co_return refusal(*done, "refused the message", true, true);
    (void)co_await command(st, lowest, "QUIT", 2, "QUIT");  // delivered already; a rude close is fine
    co_return result<void>{};
  }

  template <class Stream>
  net::awaitable<result<void>> authenticate(Stream& st, beast::tcp_stream& lowest, const extensions& ext) {
    if (ext.auth_plain) {  // RFC 4616: authzid NUL authcid NUL passwd
      std::string token = base64_encode(std::string(1, '\0') + s_.username + std::string(1, '\0') + s_.password);
      auto r = co_await command(st, lowest, "AUTH PLAIN " + token, 2, "AUTH PLAIN");
      if (!r) co_return std::unexpected(r.error());
      co_return result<void>{};
    }
    if (ext.auth_login) {
      if (auto r = co_await command(st, lowest, "AUTH LOGIN", 3, "AUTH LOGIN"); !r) co_return std::unexpected(r.error());
      if (auto r = co_await command(st, lowest, base64_encode(s_.username), 3, "AUTH LOGIN user name"); !r)
        co_return std::unexpected(r.error());
      if (auto r = co_await command(st, lowest, base64_encode(s_.password), 2, "AUTH LOGIN password"); !r)
        co_return std::unexpected(r.error());
      co_return result<void>{};
    }
    co_return fail(errc::internal, "SMTP relay " + where_ + " offers neither AUTH PLAIN nor AUTH LOGIN");
  }

 private:
  const smtp_settings& s_;
  std::string where_;
  std::string buf_;  // bytes read past the current line
};

result<ssl::context> tls_context(const smtp_settings& s) {
  ssl::context ctx(ssl::context::tls_client);
  ctx.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                  ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
  if (!s.verify_tls) {
    ctx.set_verify_mode(ssl::verify_none);
    return ctx;
  }
  beast::error_code ec;
  if (!s.ca_file.empty()) ctx.load_verify_file(s.ca_file.string(), ec);
  else ctx.set_default_verify_paths(ec);
  if (ec) return fail(errc::internal, "cannot load trusted certificates: " + ec.message());
  ctx.set_verify_mode(ssl::verify_peer);
  ctx.set_verify_callback(ssl::host_name_verification(s.host));
  return ctx;
}

net::awaitable<void> session(const smtp_settings& s, std::string from, std::string to, std::string message_id,
                             const service::mail_message& m, sys_time now, result<void>& out) {
  auto exec = co_await net::this_coro::executor;
  std::string where = s.host + ":" + s.port;
  beast::error_code ec;
  tcp::resolver resolver(exec);
  auto addrs = co_await resolver.async_resolve(s.host, s.port, await_error(ec));
  if (ec) co_return void(out = fail(errc::internal, "SMTP relay " + where + ": cannot resolve: " + ec.message()));
  beast::tcp_stream plain(exec);
  plain.expires_after(s.connect_timeout);
  co_await plain.async_connect(addrs, await_error(ec));
  if (ec) co_return void(out = fail(errc::internal, "SMTP relay " + where + ": cannot connect: " + ec.message()));
  conversation c(s, where);
  auto greeting = co_await c.read_reply(plain, plain);
  if (!greeting) co_return void(out = std::unexpected(greeting.error()));
  if (greeting->code != 220)
    co_return void(out = fail(errc::internal, "SMTP relay " + where + " greeted with " + std::to_string(greeting->code) +
                                                  " " + greeting->first()));
  auto ehlo = co_await c.command(plain, plain, "EHLO " + s.helo_name, 2, "EHLO");
  if (!ehlo) co_return void(out = std::unexpected(ehlo.error()));
  auto ext = parse_ehlo(*ehlo);
  bool use_tls = s.starttls == starttls_mode::always || (s.starttls == starttls_mode::automatic && ext.starttls);
  if (s.starttls == starttls_mode::always && !ext.starttls)
    co_return void(out = fail(errc::internal, "SMTP relay " + where + " does not offer STARTTLS (mail.starttls=always)"));
  // The message is formatted once we know whether the relay takes 8-bit bodies.
  auto message = [&](const extensions& e) { return format_message(s.from, m, now, message_id, e.eight_bit); };
  if (!use_tls) {
    out = co_await c.deliver(plain, plain, ext, false, from, to, message(ext));
    co_return;
  }
  if (auto r = co_await c.command(plain, plain, "STARTTLS", 2, "STARTTLS"); !r) co_return void(out = std::unexpected(r.error()));
  auto ctx = tls_context(s);
  if (!ctx) co_return void(out = std::unexpected(ctx.error()));
  ssl::stream<beast::tcp_stream&> tls(plain, *ctx);
  SSL_set_tlsext_host_name(tls.native_handle(), s.host.c_str());
  plain.expires_after(s.command_timeout);
  co_await tls.async_handshake(ssl::stream_base::client, await_error(ec));
  if (ec) co_return void(out = fail(errc::internal, "SMTP relay " + where + ": TLS handshake failed: " + ec.message()));
  // RFC 3207 §4.2: forget what the relay said before TLS and ask again.
  conversation secured(s, where);
  auto ehlo2 = co_await secured.command(tls, plain, "EHLO " + s.helo_name, 2, "EHLO");
  if (!ehlo2) co_return void(out = std::unexpected(ehlo2.error()));
  auto ext2 = parse_ehlo(*ehlo2);
  out = co_await secured.deliver(tls, plain, ext2, true, from, to, message(ext2));
}

}  // namespace

smtp_mailer::smtp_mailer(smtp_settings s, const clock& clk, random_source& rnd)
    : s_(std::move(s)), clk_(clk), rnd_(rnd) {}

result<void> smtp_mailer::send(const service::mail_message& m) {
  auto from = mailbox_address(s_.from);
  if (!from) return fail(errc::internal, "mail.from: " + from.error().message);
  auto to = mailbox_address(m.to);
  if (!to) return std::unexpected(to.error());
  if (m.subject.find_first_of("\r\n") != std::string::npos) return fail(errc::validation, "mail subject: CR or LF");
  std::string domain = from->substr(from->rfind('@') + 1);
  std::string message_id = rnd_.uuid4() + "@" + domain;
  result<void> out = fail(errc::internal, "SMTP relay " + s_.host + ":" + s_.port + ": the exchange did not complete");
  net::io_context ioc;
  net::co_spawn(ioc, session(s_, *from, *to, message_id, m, clk_.now(), out), net::detached);
  ioc.run();
  return out;
}

}  // namespace atrium::cloud
