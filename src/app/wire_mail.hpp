#pragma once
// The mail wing: the relay (SMTP, or the log without mail.smtp_host) behind a background
// outbox, the password service of built-in users, and the invitation queued after a user's
// creation has committed (any door; docs/sign-in.md).
#include <atomic>
#include <memory>

#include "app/core.hpp"
#include "service/identity/user_service.hpp"
#include "service/mail/mailer.hpp"
#include "service/mail/outbox.hpp"
#include "service/mail/stored_outbox.hpp"
#include "service/signin/password_service.hpp"

namespace atrium::app {

struct mail_wing {
  std::unique_ptr<service::mailer> transport;  // smtp_mailer, or log_mailer without a relay
  // With a relay: the outbox in the store (sent by any node; issue 13 item 2). Without one:
  // queued in memory for the log (nothing leaves the machine, nothing to hand over).
  std::unique_ptr<service::mailer> mail;
  service::stored_outbox* stored = nullptr;  // `mail` when it is the stored outbox
  std::unique_ptr<service::password_service> passwords;
  std::atomic<int> failures{0};  // messages the relay refused since start
  // Declared last so that its thread finishes the queued mail (which uses the password
  // service, the store and the mailer) before those go.
  std::unique_ptr<service::outbox> outbox;
};

std::unique_ptr<mail_wing> wire_mail(core& c, service::user_service& users);

}  // namespace atrium::app
