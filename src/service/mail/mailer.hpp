#pragma once
// Outbound mail (issue 5: invitations, password reset links, e-mailed one-time codes). The
// service layer only knows this interface; app/ wires cloud::smtp_mailer (RFC 5321) behind it.
// Implementations never log a message body: bodies carry single-use links and codes.
#include <string>

#include "base/result.hpp"

namespace atrium::service {

struct mail_message {
  std::string to;       // one address, already validated by the caller
  std::string subject;  // one line, no CR/LF
  std::string text;     // text/plain UTF-8 body
};

class mailer {
 public:
  virtual ~mailer() = default;
  // Delivered to the relay (250 after DATA) or an error (errc::internal) naming the relay's
  // answer without the message body.
  virtual result<void> send(const mail_message& m) = 0;
};

}  // namespace atrium::service
