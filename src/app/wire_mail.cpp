#include "app/wire_mail.hpp"

#include <spdlog/spdlog.h>

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <random>
#include <nlohmann/json.hpp>

#include "base/json_text.hpp"
#include "cloud/smtp_mailer.hpp"

namespace atrium::app {

namespace {

// mail.*: an SMTP relay, or (no mail.smtp_host) the log only: nothing leaves the machine.
std::unique_ptr<service::mailer> make_mailer(const config& cfg, const clock& clk, random_source& rnd) {
  if (cfg.mail_smtp_host.empty())
    return std::make_unique<cloud::log_mailer>([](const std::string& line) {
      spdlog::info(R"("msg":{})", nlohmann::json(line).dump());
    });
  cloud::smtp_settings s;
  s.host = cfg.mail_smtp_host;
  s.port = std::to_string(cfg.mail_smtp_port);
  s.from = cfg.mail_from;
  s.starttls = cfg.mail_starttls == "always" ? cloud::starttls_mode::always
               : cfg.mail_starttls == "never" ? cloud::starttls_mode::never
                                              : cloud::starttls_mode::automatic;
  s.username = cfg.mail_username;
  s.password = cfg.mail_password;
  if (s.password.empty())
    if (const char* env = std::getenv("ATRIUM_SMTP_PASSWORD")) s.password = env;
  s.helo_name = cfg.public_host;
  s.verify_tls = cfg.mail_tls_verify;
  s.ca_file = cfg.mail_ca_file;
  return std::make_unique<cloud::smtp_mailer>(s, clk, rnd);
}

// This process's name on the outbox rows it takes: no other node (or restart) has it. Not from
// the injected random source (seeded tests' ids stay as they were).
service::stored_outbox_settings outbox_settings(const config& cfg) {
  char host[256] = {0};
  if (::gethostname(host, sizeof host - 1) != 0) host[0] = 0;
  std::random_device rd;
  char tag[9];
  std::snprintf(tag, sizeof tag, "%08x", static_cast<unsigned>(rd()));
  service::stored_outbox_settings s;
  s.owner = std::string(host) + ":" + std::to_string(::getpid()) + ":" + tag;
  s.lease = std::chrono::seconds(cfg.mail_outbox_lease_seconds);
  s.poll = std::chrono::milliseconds(cfg.mail_outbox_poll_ms);
  s.first_backoff = std::chrono::seconds(cfg.mail_outbox_first_backoff_seconds);
  s.max_attempts = cfg.mail_outbox_max_attempts;
  s.start_delay = std::chrono::milliseconds(cfg.mail_outbox_start_delay_ms);
  return s;
}

// Mail that could not be delivered (or queued) is logged and audited; the body never is.
service::call_context mail_context(const service::call_context& base, const std::string& event) {
  service::call_context c = base;
  c.event_source = "sso-directory.amazonaws.com";
  c.event_name = event;
  return c;
}

// Only with a relay: without one the link could reach nobody (send it later with the CLI).
// The invitation is made in the create's own transaction (token, sealed mail in the outbox,
// SendInvitation record), so that it commits with the user; the relay is spoken to by the
// outbox's sender, never by the create (issue 13 item 2).
void invite_new_users(core& c, mail_wing& w, service::user_service& users) {
  if (!c.cfg.mail_invite_new_users || c.cfg.mail_smtp_host.empty()) return;
  users.on_user_created([&w](store::transaction& tx, const service::call_context& ctx,
                             const domain::user& u) -> result<service::user_service::after_commit_fn> {
    auto inv = w.passwords->invite_in(tx, ctx, u);
    if (!inv) return std::unexpected(inv.error());
    if (!*inv) return service::user_service::after_commit_fn{};
    return [&w, made = std::move(**inv)] { w.passwords->invited(made); };
  });
}

}  // namespace

std::unique_ptr<mail_wing> wire_mail(core& c, service::user_service& users) {
  const auto& cfg = c.cfg;
  auto w = std::make_unique<mail_wing>();
  w->outbox = std::make_unique<service::outbox>();
  w->transport = make_mailer(cfg, c.clk, c.rnd);
  auto refused = [&c, w = w.get()](const service::mail_message& m, const error& e) {
    ++w->failures;
    spdlog::error(R"("msg":"mail not delivered","to":{},"subject":{},"error":{})", nlohmann::json(m.to).dump(),
                  nlohmann::json(m.subject).dump(), nlohmann::json(e.message).dump());
    auto ctx = mail_context(system_context(c.ids.account_id), "SendEmail");
    ctx.request_parameters = to_json_text({{"subject", m.subject}});
    c.audited->record_failure(ctx, {"MailDeliveryFailed", e.message});
  };
  if (cfg.mail_smtp_host.empty()) {
    w->mail = std::make_unique<service::queued_mailer>(*w->transport, *w->outbox, refused);
  } else {
    auto stored = std::make_unique<service::stored_outbox>(
        *c.db, *c.box, c.clk, *w->transport,
        [refused](const service::mail_message& m, const std::string&, const error& e, bool gave_up) {
          error shown = e;
          if (gave_up) shown.message += " (last attempt: the message is dropped)";
          refused(m, shown);
        },
        outbox_settings(cfg));
    w->stored = stored.get();
    w->mail = std::move(stored);
  }
  service::password_settings ps = cfg.passwords;
  ps.portal_url = !cfg.portal_public_url.empty() ? cfg.portal_public_url : c.public_url(cfg.server.port, "/portal");
  w->passwords = std::make_unique<service::password_service>(*c.audited, *w->mail, c.clk, c.rnd, ps);
  invite_new_users(c, *w, users);
  return w;
}

}  // namespace atrium::app
