// password_service: argon2id passwords with the guide's policy and history, and the single-use
// tokens behind invitation and reset links. E-mailed sign-in codes are email_codes'.
//
// Audit records (eventSource sso-directory.amazonaws.com; never a password, token or code):
//   UpdatePassword           a signed-in user changed their password
//   ResetPassword            a password was set through a reset link
//   AcceptInvitation         a password was set through an invitation link
//   SendPasswordResetEmail   an administrator had a reset link mailed
//   ForgotPassword           "Forgot password" (the user id when a link was made, else mailSent false)
//   GenerateOneTimePassword  an administrator generated a one-time password
//   SendInvitation           an invitation link was made and mailed
//   SendEmailVerificationCode an e-mailed sign-in code was made and mailed
// A mailer that refuses a message at once adds a record of the same name with errorCode
// MailDeliveryFailed (the queued mailer of app/ reports later refusals as SendEmail). Rehashing at sign-in and consuming an e-mailed code have no record of their
// own: they are part of the sign-in, whose CredentialVerification the sign-in service records.
//
// While the identity source is an external IdP (and the user is not a break-glass user of
// multi-IdP mode), passwords are the IdP's (guide "Password requirements"; issue 17): setting
// one by link, changing it, "Forgot password", reset and invitation links and one-time
// passwords are refused (errc::access_denied, passwords_in_idp_message) before anything changes.
#include "service/signin/password_service.hpp"

#include "base/json_text.hpp"
#include "base/strings.hpp"
#include "base/try.hpp"
#include "crypto/password_hash.hpp"
#include "crypto/primitives.hpp"
#include "domain/password_policy.hpp"
#include "service/idsource/idp_config.hpp"
#include "service/signin/password_detail.hpp"
#include "store/credential_repository.hpp"

namespace atrium::service {

namespace pw = password_detail;

namespace {

constexpr std::size_t token_bytes = 32;

std::unexpected<error> bad_link() {
  return fail(errc::validation, "This link is invalid, has expired or has already been used.");
}

std::unexpected<error> wrong_current() {
  return fail(errc::unauthenticated, "The current password is incorrect.");
}

// Guide: "The last three passwords cannot be reused" — the current one and the ones before it.
std::vector<std::string> last_hashes(const std::optional<store::password_record>& r, int n) {
  std::vector<std::string> out;
  if (!r || n <= 0) return out;
  out.push_back(r->hash);
  for (const auto& h : r->history) {
    if (static_cast<int>(out.size()) >= n) break;
    out.push_back(h);
  }
  return out;
}

}  // namespace

password_service::password_service(audited_store& store, mailer& mail, const clock& clk, random_source& rnd,
                                   password_settings s)
    : store_(store), mail_(mail), clk_(clk), rnd_(rnd), s_(std::move(s)), codes_(store, mail, clk, rnd, s_.email_code_ttl) {}

// ---- sign-in ------------------------------------------------------------------------------

result<bool> password_service::verify(const std::string& user_id, std::string_view password) {
  TRY(c, check(user_id, password));
  return c.ok;
}

result<password_check> password_service::check(const std::string& user_id, std::string_view password) {
  std::optional<store::password_record> rec;
  auto r = store_.db().read([&](store::transaction& tx) -> result<void> {
    TRY(p, password_row(tx, user_id));
    rec = std::move(p);
    return {};
  });
  if (!r) return std::unexpected(r.error());
  return check_row(rec, user_id, password);
}

result<std::optional<store::password_record>> password_service::password_row(store::transaction& tx,
                                                                              const std::string& user_id) {
  // An unknown or disabled user ("") is looked up too: the same reads before the same hash.
  return tx.credentials().get_password(user_id);
}

password_check password_service::check_row(const std::optional<store::password_record>& rec,
                                           const std::string& user_id, std::string_view password) {
  if (!rec) {
    // Same cost as a real check: the answer's timing does not tell whether the user exists.
    (void)crypto::verify_password(pw::dummy_hash(s_), password);
    return password_check{};
  }
  if (!crypto::verify_password(rec->hash, password)) return password_check{};
  if (crypto::needs_rehash(rec->hash, pw::cost_of(s_))) {
    // The configured cost changed: store a hash at the new cost now that we have the password.
    auto fresh = crypto::hash_password(password, pw::cost_of(s_));
    if (fresh) {
      std::string old = rec->hash;
      (void)store_.db().write([&](store::transaction& tx) -> result<void> {
        auto cur = tx.credentials().get_password(user_id);
        if (!cur) return std::unexpected(cur.error());
        if (!*cur || (*cur)->hash != old) return {};  // changed meanwhile: keep theirs
        (*cur)->hash = *fresh;
        return tx.credentials().put_password(**cur);
      });
    }
  }
  return password_check{true, rec->must_change};
}

result<bool> password_service::must_change(const std::string& user_id) {
  bool out = false;
  auto r = store_.db().read([&](store::transaction& tx) -> result<void> {
    auto p = tx.credentials().get_password(user_id);
    if (!p) return std::unexpected(p.error());
    out = *p && (*p)->must_change;
    return {};
  });
  if (!r) return std::unexpected(r.error());
  return out;
}

// ---- setting a password -------------------------------------------------------------------

result<void> password_service::store_new_password(const call_context& ctx, const std::string& user_id,
                                                  std::string_view next,
                                                  const std::optional<store::password_record>& seen,
                                                  const std::function<result<void>(store::transaction&)>& also) {
  if (auto p = domain::check_password(next); !p) return std::unexpected(p.error());
  // History: verify the new password against each remembered hash (each costs one argon2id).
  for (const auto& h : last_hashes(seen, s_.history))
    if (crypto::verify_password(h, next))
      return fail(errc::validation, "The password does not meet the password requirements: it must not be one of "
                                    "your last " + std::to_string(s_.history) + " passwords.");
  auto hashed = crypto::hash_password(next, pw::cost_of(s_));
  if (!hashed) return std::unexpected(hashed.error());
  auto now = clk_.now();
  auto w = store_.write<std::monostate>(
      ctx,
      [&](store::transaction& tx) -> result<std::monostate> {
        auto cur = tx.credentials().get_password(user_id);
        if (!cur) return std::unexpected(cur.error());
        // Compare-and-set: the history was checked against what we read before hashing.
        bool same = (!*cur && !seen) || (*cur && seen && (*cur)->hash == seen->hash);
        if (!same) return fail(errc::concurrent_modification, "The password was changed at the same time; try again.");
        if (also)
          if (auto a = also(tx); !a) return std::unexpected(a.error());
        store::password_record rec{user_id, *hashed, {}, now, false};
        for (const auto& h : last_hashes(*cur, std::max(0, s_.history - 1))) rec.history.push_back(h);
        if (auto w = tx.credentials().put_password(rec); !w) return std::unexpected(w.error());
        return std::monostate{};
      },
      json_text_of([&](const std::monostate&) { return nlohmann::json{{"userId", user_id}}; }));
  if (!w) return std::unexpected(w.error());
  return {};
}

result<std::string> password_service::set_with_token(const call_context& ctx, std::string_view token,
                                                     std::string_view new_password) {
  if (token.empty() || token.size() > 128) return bad_link();
  std::string hash = crypto::sha256_hex(token);
  std::optional<store::one_time_token> tok;
  std::optional<store::password_record> seen;
  bool managed_by_idp = false;
  auto now = clk_.now();
  auto r = store_.db().read([&](store::transaction& tx) -> result<void> {
    auto t = tx.credentials().find_token(hash);
    if (!t) return std::unexpected(t.error());
    if (!*t || (*t)->kind == store::token_kind::email_code || (*t)->used_at || now >= (*t)->expires_at) return {};
    auto u = tx.users().get((*t)->user_id);
    if (!u) return std::unexpected(u.error());
    if (!*u || !(*u)->active) return {};  // guide: a disabled user's password cannot be reset
    auto p = tx.credentials().get_password((*t)->user_id);
    if (!p) return std::unexpected(p.error());
    TRY(in_atrium, passwords_in_atrium(tx, (*u)->user_name));
    managed_by_idp = !in_atrium;
    tok = std::move(*t);
    seen = std::move(*p);
    return {};
  });
  if (!r) return std::unexpected(r.error());
  if (!tok || !crypto::constant_time_equal(tok->secret_hash, hash)) return bad_link();
  // The link stays unused: it works again if the source goes back to the built-in store.
  if (managed_by_idp) return fail(errc::access_denied, passwords_in_idp_message);
  bool invitation = tok->kind == store::token_kind::invitation;
  auto c = pw::as_event(ctx, invitation ? "AcceptInvitation" : "ResetPassword", to_json_text({{"userId", tok->user_id}}));
  auto done = store_new_password(c, tok->user_id, new_password, seen, [&](store::transaction& tx) -> result<void> {
    // Single use: of two concurrent uses exactly one marks the row; the other fails here.
    auto used = tx.credentials().mark_used(tok->id, clk_.now());
    if (!used) return std::unexpected(used.error());
    if (!*used) return bad_link();
    // Any other outstanding link of the user dies with this one.
    for (auto k : {store::token_kind::reset, store::token_kind::invitation})
      if (auto rm = tx.credentials().remove_tokens(tok->user_id, k); !rm) return std::unexpected(rm.error());
    return {};
  });
  if (!done) return std::unexpected(done.error());
  return tok->user_id;
}

result<void> password_service::change(const call_context& ctx, const std::string& user_id,
                                      std::string_view current, std::string_view next) {
  std::optional<store::password_record> seen;
  bool managed_by_idp = false;
  auto r = store_.db().read([&](store::transaction& tx) -> result<void> {
    TRY(u, pw::load_user(tx, user_id));
    TRY(in_atrium, passwords_in_atrium(tx, u.user_name));
    managed_by_idp = !in_atrium;
    auto p = tx.credentials().get_password(user_id);
    if (!p) return std::unexpected(p.error());
    seen = std::move(*p);
    return {};
  });
  if (!r) return std::unexpected(r.error());
  if (managed_by_idp) return fail(errc::access_denied, passwords_in_idp_message);
  bool ok = crypto::verify_password(seen ? seen->hash : pw::dummy_hash(s_), current);
  if (!seen || !ok) return wrong_current();
  return store_new_password(pw::as_event(ctx, "UpdatePassword", to_json_text({{"userId", user_id}})), user_id, next, seen, nullptr);
}

// ---- administrator actions and mails ------------------------------------------------------

result<std::string> password_service::generate_one_time_password(const call_context& ctx,
                                                                 const std::string& user_id) {
  auto otp = pw::one_time_password(rnd_);
  auto hashed = crypto::hash_password(otp, pw::cost_of(s_));
  if (!hashed) return std::unexpected(hashed.error());
  auto c = pw::as_event(ctx, "GenerateOneTimePassword", to_json_text({{"userId", user_id}}));
  auto now = clk_.now();
  auto w = store_.write<std::monostate>(
      c,
      [&](store::transaction& tx) -> result<std::monostate> {
        auto u = pw::load_user(tx, user_id);
        if (!u) return std::unexpected(u.error());
        if (!u->active) return fail(errc::validation, "The user is disabled; enable the user before resetting the password.");
        TRY(in_atrium, passwords_in_atrium(tx, u->user_name));
        if (!in_atrium) return fail(errc::access_denied, passwords_in_idp_message);
        auto cur = tx.credentials().get_password(user_id);
        if (!cur) return std::unexpected(cur.error());
        store::password_record rec{user_id, *hashed, last_hashes(*cur, std::max(0, s_.history - 1)), now, true};
        if (auto p = tx.credentials().put_password(rec); !p) return std::unexpected(p.error());
        if (auto rm = tx.credentials().remove_tokens(user_id, store::token_kind::reset); !rm) return std::unexpected(rm.error());
        return std::monostate{};
      },
      json_text_of([&](const std::monostate&) { return nlohmann::json{{"userId", user_id}, {"mustChangePassword", true}}; }));
  if (!w) return std::unexpected(w.error());
  return otp;
}

result<void> password_service::send_reset_link(const call_context& ctx, const std::string& user_id) {
  auto c = pw::as_event(ctx, "SendPasswordResetEmail", to_json_text({{"userId", user_id}}));
  return send_link(c, user_id, store::token_kind::reset);
}

result<void> password_service::send_invitation(const call_context& ctx, const std::string& user_id) {
  auto c = pw::as_event(ctx, "SendInvitation", to_json_text({{"userId", user_id}}));
  return send_link(c, user_id, store::token_kind::invitation);
}

result<password_service::link_made> password_service::make_link(store::transaction& tx, const call_context& ctx,
                                                                const domain::user& u, const std::string& to,
                                                                store::token_kind kind) {
  std::string secret(token_bytes, '\0');
  rnd_.fill(secret.data(), secret.size());
  std::string token = base64url_encode(secret);
  bool invitation = kind == store::token_kind::invitation;
  link_made made;
  made.token = store::one_time_token{"ott-" + rnd_.hex(8), kind, u.id, crypto::sha256_hex(token), clk_.now(), {}, {}, 0};
  auto& t = made.token;
  t.expires_at = invitation ? t.created_at + std::chrono::duration_cast<std::chrono::milliseconds>(s_.invitation_ttl)
                            : pw::plus(t.created_at, s_.reset_link_ttl);
  // Only the newest link of a kind works.
  if (auto rm = tx.credentials().remove_tokens(u.id, kind); !rm) return std::unexpected(rm.error());
  if (auto i = tx.credentials().insert_token(t); !i) return std::unexpected(i.error());
  made.mail = pw::link_mail(u, to, s_, token, kind, t.expires_at);
  // Queued with the token when the mailer has a store (issue 13 item 2): committed together.
  TRY(q, mail_.queue(tx, ctx.event_name, made.mail));
  made.queued = q;
  return made;
}

std::string password_service::link_response(const link_made& l) {
  return json_text_of([&](const std::monostate&) {
    return nlohmann::json{{"userId", l.token.user_id}, {"tokenId", l.token.id}, {"expiresAt", iso8601(l.token.expires_at, false)}};
  })(std::monostate{});
}

result<void> password_service::after_link(const call_context& ctx, const link_made& l) {
  if (l.queued) {
    mail_.queued();
    return {};
  }
  return deliver(ctx, l.mail);
}

result<void> password_service::send_link(const call_context& ctx, const std::string& user_id, store::token_kind kind) {
  bool invitation = kind == store::token_kind::invitation;
  std::optional<link_made> made;
  auto w = store_.write<std::monostate>(
      ctx,
      [&](store::transaction& tx) -> result<std::monostate> {
        auto u = pw::load_user(tx, user_id);
        if (!u) return std::unexpected(u.error());
        if (!u->active) return fail(errc::validation, "The user is disabled; enable the user first.");
        TRY(in_atrium, passwords_in_atrium(tx, u->user_name));
        if (!in_atrium) return fail(errc::access_denied, passwords_in_idp_message);
        auto to = pw::email_of(*u);
        if (!to) return fail(errc::validation, "The user has no e-mail address.");
        if (invitation) {
          auto p = tx.credentials().get_password(user_id);
          if (!p) return std::unexpected(p.error());
          if (*p) return fail(errc::conflict, "The user already has a password; send a password reset instead.");
        }
        TRY(l, make_link(tx, ctx, *u, *to, kind));
        made = std::move(l);
        return std::monostate{};
      },
      [&](const std::monostate&) { return link_response(*made); });
  if (!w) return std::unexpected(w.error());
  return after_link(ctx, *made);
}

result<std::optional<password_service::invitation>> password_service::invite_in(store::transaction& tx,
                                                                                const call_context& ctx,
                                                                                const domain::user& u) {
  auto to = pw::email_of(u);
  if (!to || !u.active) return std::nullopt;  // nobody to write to: the administrator sends one later
  TRY(in_atrium, passwords_in_atrium(tx, u.user_name));
  if (!in_atrium) return std::nullopt;  // the external IdP holds the passwords
  auto c = pw::as_event(ctx, "SendInvitation", to_json_text({{"userId", u.id}}));
  TRY(l, make_link(tx, c, u, *to, store::token_kind::invitation));
  invitation inv{c, store_.events().make(c, link_response(l), nullptr), std::move(l)};
  if (auto a = tx.audit().append(inv.record); !a) return std::unexpected(a.error());
  return inv;
}

void password_service::invited(const invitation& inv) {
  store_.events().export_line(inv.record);
  if (auto r = after_link(inv.ctx, inv.link); !r)
    (void)r;  // deliver() audited the refusal (MailDeliveryFailed); the create stands
}

result<void> password_service::deliver(const call_context& ctx, const mail_message& m) {
  return pw::deliver(store_, mail_, ctx, m);
}

result<void> password_service::forgot(const call_context& ctx, std::string_view user_name) {
  std::optional<std::string> user_id;
  bool managed_by_idp = false;
  auto r = store_.db().read([&](store::transaction& tx) -> result<void> {
    // Decided by the source and the typed name's domain only: the answer still tells nothing
    // about whether the user exists.
    TRY(in_atrium, passwords_in_atrium(tx, user_name));
    managed_by_idp = !in_atrium;
    if (managed_by_idp) return {};
    store::user_filter f;
    f.user_name_key = domain::fold_key(user_name);
    auto page = tx.users().list(f, {"", 1, 0});
    if (!page) return std::unexpected(page.error());
    if (!page->items.empty() && page->items[0].active && pw::email_of(page->items[0])) user_id = page->items[0].id;
    return {};
  });
  if (!r) return std::unexpected(r.error());
  if (managed_by_idp) return fail(errc::access_denied, passwords_in_idp_message);
  auto c = pw::as_event(ctx, "ForgotPassword", to_json_text({{"userName", std::string(user_name.substr(0, 128))}}));
  if (!user_id) {
    // The same one durable write as for a known user, so the answer takes as long.
    auto w = store_.write<std::monostate>(
        c, [](store::transaction&) -> result<std::monostate> { return std::monostate{}; },
        json_text_of([](const std::monostate&) { return nlohmann::json{{"mailSent", false}}; }));
    if (!w) return std::unexpected(w.error());
    return {};
  }
  (void)send_link(c, *user_id, store::token_kind::reset);  // failures are audited; the answer is the same
  return {};
}

}  // namespace atrium::service
