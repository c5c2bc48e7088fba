#pragma once
// Passwords of built-in identity-store users (issue 5 item 2; guide "Password requirements",
// "Reset a user password"): argon2id hashes (libsodium, crypto/password_hash), the guide's
// policy (8-64 characters, four character classes, none of the last three reusable), and the
// single-use, short-lived tokens behind invitation links, reset links and e-mailed one-time
// sign-in codes. Only hashes of passwords and tokens are stored; comparisons are constant-time.
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "base/clock.hpp"
#include "base/random.hpp"
#include "base/result.hpp"
#include "service/audit/audited_store.hpp"
#include "service/audit/call_context.hpp"
#include "service/mail/mailer.hpp"
#include "service/signin/email_codes.hpp"
#include "store/credential_repository.hpp"

namespace atrium::service {

struct password_settings {
  uint64_t argon2_memory_kib = 19456;  // OWASP minimum: m=19 MiB, t=2, p=1
  uint32_t argon2_iterations = 2;
  int history = 3;                     // the last N passwords cannot be reused
  std::chrono::minutes reset_link_ttl{60};
  std::chrono::hours invitation_ttl{24 * 7};   // the guide: invitations are valid for 7 days
  std::chrono::minutes email_code_ttl{10};
  std::string portal_url;              // https://host:port/portal, links are built from it
};

// The sign-in's password check: whether the password is right and, read from the same row in the
// same transaction, whether the user must choose a new one (an administrator's one-time password).
struct password_check {
  bool ok = false;
  bool must_change = false;
};

class password_service {
 public:
  password_service(audited_store& store, mailer& mail, const clock& clk, random_source& rnd,
                   password_settings s);

  // Sign-in check. Unknown users and users without a password still cost one hash (a dummy
  // verify), so that neither the answer nor its timing tells whether the user exists.
  result<bool> verify(const std::string& user_id, std::string_view password);
  // verify() and must_change() with one read of the password row (the sign-in's password step).
  result<password_check> check(const std::string& user_id, std::string_view password);
  // check() in two halves, for the password step that reads its workflow, throttle counters,
  // password row and MFA settings in one snapshot (issue 18 item 6): the row read in the
  // caller's transaction, then the hash (the dummy one when there is no row) outside it.
  static result<std::optional<store::password_record>> password_row(store::transaction& tx, const std::string& user_id);
  password_check check_row(const std::optional<store::password_record>& row, const std::string& user_id,
                           std::string_view password);
  // True when the user signed in with an administrator's one-time password and must choose a
  // new one before anything else.
  result<bool> must_change(const std::string& user_id);

  // The user chooses a password through an invitation or reset link. Consumes the token
  // (single use, expiry checked), applies the policy and the history; returns the user id.
  // A bad, used or expired token: errc::validation with one message for all three.
  result<std::string> set_with_token(const call_context& ctx, std::string_view token,
                                     std::string_view new_password);
  // A signed-in user changes their password (the current one is checked first).
  result<void> change(const call_context& ctx, const std::string& user_id, std::string_view current,
                      std::string_view next);

  // Administrator actions ("Reset a user password"): e-mail a reset link, or generate a
  // one-time password that is returned exactly once and must be changed at the next sign-in.
  result<void> send_reset_link(const call_context& ctx, const std::string& user_id);
  result<std::string> generate_one_time_password(const call_context& ctx, const std::string& user_id);
  // The invitation e-mail sent when a user is created ("accept invitation / set password").
  result<void> send_invitation(const call_context& ctx, const std::string& user_id);
  // The invitation of a user being created, inside the create's own transaction (issue 13 item
  // 2): the token, the queued mail and the SendInvitation record commit with the user, so a
  // committed create with an address always has its invitation, whichever node dies next.
  // Nothing when none applies (no address, a disabled user, passwords at the external IdP);
  // only a store error fails (and so rolls back the create). invited() after the commit.
  struct link_made {
    store::one_time_token token;
    mail_message mail;
    bool queued = false;  // in the store's outbox; else sent by after_link()
  };
  struct invitation {
    call_context ctx;
    store::audit_record record;
    link_made link;
  };
  result<std::optional<invitation>> invite_in(store::transaction& tx, const call_context& ctx, const domain::user& u);
  void invited(const invitation& inv);
  // "Forgot password": mails a reset link when the user exists and has an e-mail address;
  // answers the same way whether or not it does (no enumeration).
  result<void> forgot(const call_context& ctx, std::string_view user_name);

  // E-mailed one-time sign-in codes (MFA "send a one-time password by e-mail" when a user has
  // no device), valid for settings().email_code_ttl.
  class email_codes& codes() { return codes_; }

  const password_settings& settings() const { return s_; }

 private:
  // Policy, history (each remembered hash verified), hash, then one audited write that checks
  // the stored hash is still `seen` and runs `also` (e.g. consuming a token) in the same
  // transaction.
  result<void> store_new_password(const call_context& ctx, const std::string& user_id, std::string_view next,
                                  const std::optional<store::password_record>& seen,
                                  const std::function<result<void>(store::transaction&)>& also);
  // Makes a link token of `kind` (replacing earlier ones), audits under ctx, then mails it.
  result<void> send_link(const call_context& ctx, const std::string& user_id, store::token_kind kind);
  // The token of a link and its mail, queued in tx when the mailer has a store.
  result<link_made> make_link(store::transaction& tx, const call_context& ctx, const domain::user& u,
                              const std::string& to, store::token_kind kind);
  static std::string link_response(const link_made& l);
  // After the commit: wake the outbox's sender, or send now (a mailer without a store).
  result<void> after_link(const call_context& ctx, const link_made& l);
  // Sends; a refused message is audited under ctx with errorCode MailDeliveryFailed.
  result<void> deliver(const call_context& ctx, const mail_message& m);

  audited_store& store_;
  mailer& mail_;
  const clock& clk_;
  random_source& rnd_;
  password_settings s_;
  class email_codes codes_;
};

}  // namespace atrium::service
