// smtp_mailer against an in-test fake relay on 127.0.0.1 (one scripted connection per test):
// the RFC 5321 exchange, RFC 5322 headers, dot-stuffing, body encodings, AUTH, refusals and
// timeouts; and the pure formatting helpers. The real relay (aiosmtpd) is exercised by
// tests/integration/test_passwords_mail.py.
#include <utility>  // before Asio (Boost 1.74)

#include "cloud/smtp_mailer.hpp"

#include <gtest/gtest.h>

#include <boost/asio.hpp>
#include <atomic>
#include <chrono>
#include <thread>

#include "base/strings.hpp"

namespace atrium::cloud {
namespace {

namespace net = boost::asio;
using tcp = net::ip::tcp;

struct relay_script {
  std::string ehlo_extensions = "250-8BITMIME\r\n250-AUTH PLAIN LOGIN\r\n250 SIZE 10240000\r\n";
  std::string rcpt_reply = "250 2.1.5 OK\r\n";
  std::string data_reply = "250 2.0.0 queued as 1234\r\n";  // after the message's final dot
  bool silent = false;  // accept, then say nothing (timeout test)
};

class fake_relay {
 public:
  explicit fake_relay(relay_script s) : script_(std::move(s)), acceptor_(ioc_, {net::ip::address_v4::loopback(), 0}) {
    thread_ = std::thread([this] { serve(); });
  }
  ~fake_relay() {
    if (!accepted_) {  // a test that never connected: wake the blocking accept
      boost::system::error_code ec;
      tcp::socket poke(ioc_);
      poke.connect(acceptor_.local_endpoint(), ec);
      poke.close(ec);
    }
    thread_.join();
  }
  std::string port() const { return std::to_string(acceptor_.local_endpoint().port()); }

  std::vector<std::string> commands;  // every command line received (AUTH lines included)
  std::string data;                   // the DATA payload as received, up to and without "\r\n.\r\n"

 private:
  void serve() {
    boost::system::error_code ec;
    tcp::socket s(ioc_);
    acceptor_.accept(s, ec);
    accepted_ = true;
    if (ec) return;
    if (script_.silent) {
      char c;
      s.read_some(net::buffer(&c, 1), ec);  // until the client gives up and closes
      return;
    }
    std::string buf;
    auto say = [&](const std::string& t) { net::write(s, net::buffer(t), ec); };
    say("220 fake.relay ESMTP\r\n");
    while (!ec) {
      std::size_t n = net::read_until(s, net::dynamic_buffer(buf), "\r\n", ec);
      if (ec) return;
      std::string line = buf.substr(0, n - 2);
      buf.erase(0, n);
      commands.push_back(line);
      auto verb = to_lower_ascii(line.substr(0, 4));
      if (verb == "ehlo") say("250-fake.relay\r\n" + script_.ehlo_extensions);
      else if (verb == "auth") say("235 2.7.0 Authentication successful\r\n");
      else if (verb == "mail") say("250 2.1.0 OK\r\n");
      else if (verb == "rcpt") say(script_.rcpt_reply);
      else if (verb == "data") {
        say("354 End data with <CR><LF>.<CR><LF>\r\n");
        std::size_t end = net::read_until(s, net::dynamic_buffer(buf), "\r\n.\r\n", ec);
        if (ec) return;
        data = buf.substr(0, end - 5);
        buf.erase(0, end);
        say(script_.data_reply);
      } else if (verb == "quit") {
        say("221 2.0.0 bye\r\n");
        return;
      } else {
        say("502 5.5.2 not implemented\r\n");
      }
    }
  }

  relay_script script_;
  std::atomic<bool> accepted_{false};
  net::io_context ioc_;
  tcp::acceptor acceptor_;
  std::thread thread_;
};

struct SmtpFixture : ::testing::Test {
  manual_clock clk{from_epoch_millis(1'795'000'000'000)};  // Wed, 18 Nov 2026 11:06:40 UTC
  seeded_random rnd{3};
  smtp_settings settings(const fake_relay& r) {
    smtp_settings s;
    s.host = "127.0.0.1";
    s.port = r.port();
    s.from = "Atrium <atrium@example.com>";
    s.command_timeout = std::chrono::milliseconds(3000);
    return s;
  }
  service::mail_message msg(std::string text = "Hello\n.a line that starts with a dot\nbye\n") {
    return {"alice@example.com", "Reset your Atrium password", std::move(text)};
  }
};

TEST_F(SmtpFixture, delivers_with_envelope_headers_and_dot_stuffing) {
  fake_relay relay({});
  smtp_mailer m(settings(relay), clk, rnd);
  auto r = m.send(msg());
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_GE(relay.commands.size(), 5u);
  EXPECT_EQ(relay.commands[0], "EHLO localhost");
  EXPECT_EQ(relay.commands[1], "MAIL FROM:<atrium@example.com> BODY=8BITMIME");
  EXPECT_EQ(relay.commands[2], "RCPT TO:<alice@example.com>");
  EXPECT_EQ(relay.commands[3], "DATA");
  EXPECT_EQ(relay.commands.back(), "QUIT");
  const auto& d = relay.data;
  EXPECT_NE(d.find("Date: Wed, 18 Nov 2026 11:06:40 +0000"), std::string::npos) << d;
  EXPECT_NE(d.find("From: Atrium <atrium@example.com>\r\n"), std::string::npos);
  EXPECT_NE(d.find("To: alice@example.com\r\n"), std::string::npos);
  EXPECT_NE(d.find("Subject: Reset your Atrium password\r\n"), std::string::npos);
  EXPECT_NE(d.find("Message-ID: <"), std::string::npos);
  EXPECT_NE(d.find("@example.com>\r\n"), std::string::npos);
  EXPECT_NE(d.find("MIME-Version: 1.0\r\n"), std::string::npos);
  EXPECT_NE(d.find("Content-Type: text/plain; charset=utf-8\r\n"), std::string::npos);
  EXPECT_NE(d.find("Content-Transfer-Encoding: 7bit\r\n"), std::string::npos);
  EXPECT_NE(d.find("\r\n\r\nHello\r\n..a line that starts with a dot\r\nbye"), std::string::npos) << d;
}

TEST_F(SmtpFixture, utf8_goes_8bit_when_offered_and_quoted_printable_otherwise) {
  std::string text = "Gr\xc3\xbc\xc3\x9f" "e\n";
  {
    fake_relay relay({});
    ASSERT_TRUE(smtp_mailer(settings(relay), clk, rnd).send(msg(text)));
    EXPECT_NE(relay.data.find("Content-Transfer-Encoding: 8bit"), std::string::npos);
    EXPECT_NE(relay.data.find("Gr\xc3\xbc\xc3\x9f" "e"), std::string::npos);
  }
  relay_script plain;
  plain.ehlo_extensions = "250 SIZE 1000\r\n";
  fake_relay relay(plain);
  ASSERT_TRUE(smtp_mailer(settings(relay), clk, rnd).send(msg(text)));
  EXPECT_EQ(relay.commands[1], "MAIL FROM:<atrium@example.com>");
  EXPECT_NE(relay.data.find("Content-Transfer-Encoding: quoted-printable"), std::string::npos);
  EXPECT_NE(relay.data.find("Gr=C3=BC=C3=9Fe"), std::string::npos) << relay.data;
}

// Only a refusal that blames the recipient (5.1.x at RCPT TO) or the message (5.6.x, 5.3.4
// after DATA) is permanent (errc::validation: the outbox drops it); 4yz, a 5yz without an
// enhanced code and "relay access denied" (5.7.1: the relay's settings) are retried.
TEST_F(SmtpFixture, an_unknown_mailbox_is_a_permanent_error_naming_the_answer_not_the_body) {
  relay_script s;
  s.rcpt_reply = "550 5.1.1 no such user\r\n";
  fake_relay relay(s);
  auto r = smtp_mailer(settings(relay), clk, rnd).send(msg("secret-link-token\n"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, errc::validation);
  EXPECT_NE(r.error().message.find("RCPT TO: 550 5.1.1 no such user"), std::string::npos) << r.error().message;
  EXPECT_EQ(r.error().message.find("secret-link-token"), std::string::npos);
}

TEST_F(SmtpFixture, a_recipient_refused_for_now_or_for_the_relays_settings_is_retried) {
  for (const char* answer : {"451 4.7.1 greylisted, try again later\r\n", "554 5.7.1 Relay access denied\r\n",
                             "550 Relay access denied\r\n"}) {
    relay_script s;
    s.rcpt_reply = answer;
    fake_relay relay(s);
    auto r = smtp_mailer(settings(relay), clk, rnd).send(msg());
    ASSERT_FALSE(r) << answer;
    EXPECT_EQ(r.error().code, errc::internal) << answer;
    EXPECT_NE(r.error().message.find(std::string(answer).substr(0, 8)), std::string::npos) << r.error().message;
  }
}

TEST_F(SmtpFixture, a_message_refused_after_its_data_is_permanent_only_when_the_content_is_blamed) {
  for (auto [answer, code] : {std::pair{"554 5.6.0 message refused\r\n", errc::validation},
                              std::pair{"552 5.3.4 message too big\r\n", errc::validation},
                              std::pair{"554 5.7.1 sender not authorised\r\n", errc::internal},
                              std::pair{"452 4.3.1 insufficient system storage\r\n", errc::internal}}) {
    relay_script s;
    s.data_reply = answer;
    fake_relay relay(s);
    auto r = smtp_mailer(settings(relay), clk, rnd).send(msg());
    ASSERT_FALSE(r) << answer;
    EXPECT_EQ(r.error().code, code) << answer;
    EXPECT_NE(r.error().message.find("refused the message: " + std::string(answer).substr(0, 3)), std::string::npos)
        << r.error().message;
  }
}

TEST(MailFormat, only_a_5yz_blaming_the_address_or_the_content_refuses_for_good) {
  EXPECT_TRUE(refuses_for_good(550, "5.1.1 <a@example.com>: Recipient address rejected", false));
  EXPECT_TRUE(refuses_for_good(553, "5.1.3 bad address syntax", false));
  EXPECT_FALSE(refuses_for_good(550, "5.6.0 content", false)) << "content is judged after DATA only";
  EXPECT_TRUE(refuses_for_good(554, "5.6.0 content", true));
  EXPECT_TRUE(refuses_for_good(552, "5.3.4 too big", true));
  EXPECT_FALSE(refuses_for_good(552, "5.3.4 too big", false));
  EXPECT_FALSE(refuses_for_good(554, "5.7.1 Relay access denied", false));
  EXPECT_FALSE(refuses_for_good(550, "Relay access denied", false));
  EXPECT_FALSE(refuses_for_good(550, "", false));
  EXPECT_FALSE(refuses_for_good(450, "4.1.1 mailbox busy", false));
  EXPECT_FALSE(refuses_for_good(550, "5.1.x nonsense", false));
}

TEST_F(SmtpFixture, auth_plain_when_configured_and_allowed_in_the_clear) {
  fake_relay relay({});
  auto s = settings(relay);
  s.username = "mailer";
  s.password = "p@ss";
  s.starttls = starttls_mode::never;
  ASSERT_TRUE(smtp_mailer(s, clk, rnd).send(msg()));
  EXPECT_EQ(relay.commands[1], "AUTH PLAIN " + base64_encode(std::string("\0mailer\0p@ss", 12)));
}

TEST_F(SmtpFixture, no_password_in_the_clear_unless_starttls_is_never) {
  relay_script s;
  s.ehlo_extensions = "250 AUTH PLAIN\r\n";
  fake_relay relay(s);
  auto st = settings(relay);
  st.username = "mailer";
  st.password = "p@ss";
  auto r = smtp_mailer(st, clk, rnd).send(msg());
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("offers no STARTTLS"), std::string::npos);
  for (const auto& c : relay.commands) EXPECT_EQ(c.find("AUTH"), std::string::npos);
}

TEST_F(SmtpFixture, starttls_always_needs_the_relay_to_offer_it) {
  fake_relay relay({});
  auto s = settings(relay);
  s.starttls = starttls_mode::always;
  auto r = smtp_mailer(s, clk, rnd).send(msg());
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("does not offer STARTTLS"), std::string::npos);
}

TEST_F(SmtpFixture, a_silent_relay_times_out) {
  relay_script s;
  s.silent = true;
  fake_relay relay(s);
  auto st = settings(relay);
  st.command_timeout = std::chrono::milliseconds(300);
  auto start = std::chrono::steady_clock::now();
  auto r = smtp_mailer(st, clk, rnd).send(msg());
  ASSERT_FALSE(r);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(3));
}

TEST_F(SmtpFixture, header_injection_through_an_address_or_subject_is_refused) {
  fake_relay relay({});
  smtp_mailer m(settings(relay), clk, rnd);
  auto bad_to = m.send({"alice@example.com\r\nBcc: eve@example.com", "s", "t"});
  ASSERT_FALSE(bad_to);
  auto bad_subject = m.send({"alice@example.com", "s\r\nBcc: eve@example.com", "t"});
  ASSERT_FALSE(bad_subject);
  ASSERT_TRUE(m.send(msg()));  // the relay's one connection is still unused
}

TEST(MailFormat, mailbox_address_takes_the_angle_part) {
  EXPECT_EQ(*mailbox_address("Atrium <atrium@example.com>"), "atrium@example.com");
  EXPECT_EQ(*mailbox_address(" bob@example.com "), "bob@example.com");
  EXPECT_FALSE(mailbox_address("no-at-sign"));
  EXPECT_FALSE(mailbox_address("a b@example.com"));
  EXPECT_FALSE(mailbox_address("a@example.com, b@example.com"));
}

TEST(MailFormat, dot_stuffing_doubles_leading_dots_only) {
  EXPECT_EQ(dot_stuff(".\r\n"), "..\r\n");
  EXPECT_EQ(dot_stuff("a.b\r\n.c\r\n"), "a.b\r\n..c\r\n");
  EXPECT_EQ(dot_stuff("x"), "x\r\n");
}

TEST(MailFormat, quoted_printable_keeps_lines_short_and_encodes_what_it_must) {
  EXPECT_EQ(quoted_printable("a=b"), "a=3Db");
  EXPECT_EQ(quoted_printable("trailing \nx"), "trailing=20\r\nx");
  std::string long_line(200, 'x');
  auto qp = quoted_printable(long_line);
  for (auto line : split(qp, '\n')) EXPECT_LE(line.size(), 77u);  // 76 + the CR
}

TEST(MailFormat, non_ascii_subjects_are_encoded_words) {
  auto m = format_message("a@example.com", {"b@example.com", "Gr\xc3\xbc\xc3\x9f" "e", "x"}, from_epoch_millis(0), "id@x", false);
  EXPECT_NE(m.find("Subject: =?utf-8?B?" + base64_encode("Gr\xc3\xbc\xc3\x9f" "e") + "?=\r\n"), std::string::npos);
  EXPECT_NE(m.find("Date: Thu, 01 Jan 1970 00:00:00 +0000\r\n"), std::string::npos);
}

TEST(MailFormat, log_mailer_withholds_the_body) {
  std::string logged;
  log_mailer m([&](const std::string& l) { logged = l; });
  ASSERT_TRUE(m.send({"a@example.com", "Subject here", "token=SECRET"}));
  EXPECT_EQ(logged, "mail to a@example.com subject Subject here (body withheld)");
}

}  // namespace
}  // namespace atrium::cloud
