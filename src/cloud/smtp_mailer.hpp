#pragma once
// Outbound mail (service::mailer) over SMTP, RFC 5321: EHLO, STARTTLS (RFC 3207) when the relay
// offers it and mail.starttls allows, AUTH PLAIN/LOGIN (RFC 4954/4616) when credentials are
// configured, MAIL FROM, RCPT TO, DATA with dot-stuffing (§4.5.2), QUIT; one connection per
// message (invitations and resets are rare), every step under a timeout. The message is
// RFC 5322 text/plain UTF-8 with Date, From, To, Subject, Message-ID and MIME-Version; the
// body goes as 7bit when it is ASCII, 8bit when the relay offers 8BITMIME (RFC 6152), else
// quoted-printable (RFC 2045 §6.7). Bodies are never logged.
//
// log_mailer is what runs when no relay is configured: it logs one line per message, "mail to
// <addr> subject <subject> (body withheld)", and nothing leaves the machine.
#include <chrono>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>

#include "base/clock.hpp"
#include "base/random.hpp"
#include "service/mail/mailer.hpp"

namespace atrium::cloud {

enum class starttls_mode { automatic, always, never };

struct smtp_settings {
  std::string host;
  std::string port = "25";
  std::string from;             // "Atrium <atrium@example.com>" or a bare address
  starttls_mode starttls = starttls_mode::automatic;
  std::string username, password;  // both empty: no AUTH
  std::string helo_name = "localhost";
  std::chrono::milliseconds connect_timeout{10'000};
  std::chrono::milliseconds command_timeout{60'000};  // per reply (RFC 5321 §4.5.3.2 allows more)
  bool verify_tls = true;                              // false only for tests against a local relay
  std::filesystem::path ca_file;                       // trust only this CA (PEM) when set
};

class smtp_mailer final : public service::mailer {
 public:
  // clk: the Date header; rnd: Message-ID.
  smtp_mailer(smtp_settings s, const clock& clk, random_source& rnd);
  result<void> send(const service::mail_message& m) override;

 private:
  smtp_settings s_;
  const clock& clk_;
  random_source& rnd_;
};

class log_mailer final : public service::mailer {
 public:
  explicit log_mailer(std::function<void(const std::string&)> log) : log_(std::move(log)) {}
  result<void> send(const service::mail_message& m) override;

 private:
  std::function<void(const std::string&)> log_;
};

// Pure pieces, exposed for tests.
// The bare address of "Name <addr>" or "addr"; errc::validation when it is not one address
// (CR, LF, spaces, angle brackets, no '@', longer than 254).
result<std::string> mailbox_address(std::string_view from_or_to);
// RFC 5322 message with CRLF line ends (headers, blank line, encoded body). `eight_bit`: the
// relay offered 8BITMIME.
std::string format_message(std::string_view from, const service::mail_message& m, sys_time date,
                           std::string_view message_id, bool eight_bit);
// RFC 5321 §4.5.2: a line starting with '.' gets another '.'; the result ends in CRLF.
std::string dot_stuff(std::string_view crlf_text);
// RFC 2045 §6.7 quoted-printable of UTF-8 text (LF or CRLF line ends become CRLF).
std::string quoted_printable(std::string_view text);
// Whether a relay's negative reply refuses this message for good, so that retrying it is
// useless: a 5yz (RFC 5321 §4.2.1) whose enhanced status code (RFC 3463, the reply text's first
// word) blames the recipient's address (5.1.x) or, after DATA, the message (5.6.x content, 5.3.4
// too big). Everything else - 4yz, a 5yz without an enhanced code, 5.7.x ("relay access denied":
// the relay's settings, which an administrator may fix) - is worth trying again.
bool refuses_for_good(int code, std::string_view text, bool after_data);

}  // namespace atrium::cloud
