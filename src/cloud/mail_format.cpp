// The RFC 5322 side of smtp_mailer: addresses, headers, body encodings, dot-stuffing; and the
// log_mailer. Pure functions (no I/O).
#include <ctime>

#include "base/strings.hpp"
#include "cloud/smtp_mailer.hpp"

namespace atrium::cloud {

namespace {

bool ascii_only(std::string_view s) {
  for (unsigned char c : s)
    if (c >= 0x80) return false;
  return true;
}

bool has_long_line(std::string_view s) {
  std::size_t run = 0;
  for (char c : s) {
    run = (c == '\n') ? 0 : run + 1;
    if (run > 998) return true;  // RFC 5322 §2.1.1
  }
  return false;
}

// Any line end (LF, CRLF, lone CR) becomes CRLF.
std::string crlf(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 40);
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '\r') {
      if (i + 1 < text.size() && text[i + 1] == '\n') ++i;
      out += "\r\n";
    } else if (c == '\n') {
      out += "\r\n";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

// RFC 2047 encoded-word for a header value that is not ASCII.
std::string header_text(std::string_view v) {
  if (ascii_only(v)) return std::string(v);
  return "=?utf-8?B?" + base64_encode(v) + "?=";
}

// RFC 5322 §3.3 date-time, always in UTC.
std::string rfc5322_date(sys_time t) {
  std::time_t secs = std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S +0000", &tm);  // C locale names
  return buf;
}

}  // namespace

result<std::string> mailbox_address(std::string_view v) {
  v = trim(v);
  if (auto lt = v.rfind('<'); lt != std::string_view::npos) {
    if (v.back() != '>') return fail(errc::validation, "mail address: unbalanced angle brackets");
    v = v.substr(lt + 1, v.size() - lt - 2);
  }
  if (v.empty() || v.size() > 254) return fail(errc::validation, "mail address: empty or longer than 254 characters");
  if (v.find('@') == std::string_view::npos || v.front() == '@' || v.back() == '@')
    return fail(errc::validation, "mail address: not of the form local@domain");
  for (unsigned char c : v)
    if (c <= ' ' || c == '<' || c == '>' || c == 0x7f || c == ',' || c == ';')
      return fail(errc::validation, "mail address: contains a space, control character or separator");
  return std::string(v);
}

std::string quoted_printable(std::string_view text) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string body = crlf(text), out;
  std::size_t col = 0;
  auto put = [&](std::string_view piece) {
    if (col + piece.size() > 75) {  // soft line break keeps encoded lines at <= 76
      out += "=\r\n";
      col = 0;
    }
    out += piece;
    col += piece.size();
  };
  for (std::size_t i = 0; i < body.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(body[i]);
    if (c == '\r' && i + 1 < body.size() && body[i + 1] == '\n') {
      out += "\r\n";
      col = 0;
      ++i;
      continue;
    }
    bool line_end_next = i + 1 == body.size() || body[i + 1] == '\r';
    // Space and tab are literal except at a line end, where transports may strip them.
    bool literal = (c >= 33 && c <= 126 && c != '=') || ((c == ' ' || c == '\t') && !line_end_next);
    // A '.' at the start of a line is encoded too, so the text survives relays that do not
    // undo dot-stuffing properly.
    if (c == '.' && col == 0) literal = false;
    if (literal) {
      put(std::string_view(&body[i], 1));
    } else {
      char enc[3] = {'=', hex[c >> 4], hex[c & 15]};
      put(std::string_view(enc, 3));
    }
  }
  return out;
}

std::string format_message(std::string_view from, const service::mail_message& m, sys_time date,
                           std::string_view message_id, bool eight_bit) {
  std::string body = crlf(m.text);
  if (!body.ends_with("\r\n")) body += "\r\n";
  std::string encoding = "7bit";
  if (!ascii_only(body) || has_long_line(body)) {
    if (eight_bit && !has_long_line(body)) {
      encoding = "8bit";
    } else {
      encoding = "quoted-printable";
      body = quoted_printable(m.text);
      if (!body.ends_with("\r\n")) body += "\r\n";
    }
  }
  std::string h;
  h += "Date: " + rfc5322_date(date) + "\r\n";
  h += "From: " + header_text(from) + "\r\n";
  h += "To: " + m.to + "\r\n";
  h += "Subject: " + header_text(m.subject) + "\r\n";
  h += "Message-ID: <" + std::string(message_id) + ">\r\n";
  h += "MIME-Version: 1.0\r\n";
  h += "Content-Type: text/plain; charset=utf-8\r\n";
  h += "Content-Transfer-Encoding: " + encoding + "\r\n";
  h += "Auto-Submitted: auto-generated\r\n";  // RFC 3834: no vacation replies to a robot
  return h + "\r\n" + body;
}

std::string dot_stuff(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 8);
  bool line_start = true;
  for (char c : text) {
    if (line_start && c == '.') out.push_back('.');
    out.push_back(c);
    line_start = c == '\n';
  }
  if (!out.ends_with("\r\n")) out += "\r\n";
  return out;
}

result<void> log_mailer::send(const service::mail_message& m) {
  if (log_) log_("mail to " + m.to + " subject " + m.subject + " (body withheld)");
  return {};
}

bool refuses_for_good(int code, std::string_view text, bool after_data) {
  if (code / 100 != 5) return false;
  auto word = text.substr(0, text.find(' '));
  auto starts = [&](std::string_view p) { return word.substr(0, p.size()) == p; };
  if (word.size() < 5 || word.find_first_not_of("0123456789.") != std::string_view::npos) return false;
  return starts("5.1.") || (after_data && (starts("5.6.") || word == "5.3.4"));
}

}  // namespace atrium::cloud
