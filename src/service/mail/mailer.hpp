#pragma once
// Outbound mail (issue 5: invitations, password reset links, e-mailed one-time codes). The
// service layer only knows this interface; app/ wires cloud::smtp_mailer (RFC 5321) behind it.
// Implementations never log a message body: bodies carry single-use links and codes.
#include <string>
#include <string_view>

#include "base/result.hpp"
#include "store/repositories.hpp"

namespace atrium::service {

struct mail_message {
  std::string to;       // one address, already validated by the caller
  std::string subject;  // one line, no CR/LF
  std::string text;     // text/plain UTF-8 body
};

class mailer {
 public:
  virtual ~mailer() = default;
  // Delivered to the relay (250 after DATA) or an error naming the relay's answer without the
  // message body: errc::validation when this message can never be delivered as it is (the relay
  // refused its recipient or content for good, RFC 5321 §4.2.1 5yz; a subject with CR/LF),
  // errc::internal for everything worth trying again (4yz, network, TLS, the relay's settings).
  virtual result<void> send(const mail_message& m) = 0;
  // Queues `m` inside the caller's write transaction, so that it is sent if and only if that
  // transaction commits (issue 13 item 2: a committed reset request always has its mail queued,
  // whichever node then dies). False from a mailer without a store (a relay used directly, the
  // tests' recorders): the caller then calls send() after its commit. `event` names the call.
  virtual result<bool> queue(store::transaction& tx, std::string_view event, const mail_message& m) {
    (void)tx, (void)event, (void)m;
    return false;
  }
  // After the commit of a transaction that queued: the sender may start at once.
  virtual void queued() {}
};

}  // namespace atrium::service
