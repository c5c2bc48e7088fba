// password_detail: the helpers password_service and email_codes share — audit contexts,
// unbiased random digits, users' addresses, the dummy hash for unknown users, generated
// one-time passwords and the texts of the mails.
#include "service/signin/password_detail.hpp"

#include <map>
#include <mutex>
#include <utility>

#include "base/strings.hpp"
#include "crypto/primitives.hpp"
#include "domain/password_policy.hpp"

namespace atrium::service {

namespace password_detail {

call_context as_event(const call_context& ctx, const char* event, std::string params) {
  call_context c = ctx;
  c.event_source = "sso-directory.amazonaws.com";
  c.event_name = event;
  c.read_only = false;
  c.request_parameters = std::move(params);
  return c;
}

uint32_t uniform(random_source& rnd, uint32_t upper) {
  // libsodium's randombytes_uniform method: drop the values below 2^32 mod upper so that what
  // remains is a whole number of copies of [0, upper) and `% upper` is unbiased.
  uint32_t min = (1U + ~upper) % upper;
  uint32_t r = 0;
  do {
    rnd.fill(&r, sizeof r);
  } while (r < min);
  return r % upper;
}

std::optional<std::string> email_of(const domain::user& u) {
  const domain::email* pick = nullptr;
  for (const auto& e : u.emails)
    if (e.value && !e.value->empty() && (!pick || e.primary.value_or(false))) pick = &e;
  if (!pick) return std::nullopt;
  return *pick->value;
}

result<domain::user> load_user(store::transaction& tx, const std::string& id) {
  auto u = tx.users().get(id);
  if (!u) return std::unexpected(u.error());
  if (!*u) return not_found("USER", id);
  return std::move(**u);
}

sys_time plus(sys_time t, std::chrono::minutes d) { return t + std::chrono::duration_cast<std::chrono::milliseconds>(d); }

std::string greeting(const domain::user& u) {
  if (u.display_name && !u.display_name->empty()) return "Hello " + *u.display_name + ",";
  return "Hello,";
}

crypto::argon2_cost cost_of(const password_settings& s) { return {s.argon2_memory_kib, s.argon2_iterations}; }

const std::string& dummy_hash(const password_settings& s) {
  static std::mutex mu;
  static std::map<std::pair<uint64_t, uint32_t>, std::string> made;  // one per configured cost
  std::lock_guard lock(mu);
  auto key = std::make_pair(s.argon2_memory_kib, s.argon2_iterations);
  auto it = made.find(key);
  if (it != made.end()) return it->second;
  crypto::sodium_random rnd;
  auto h = crypto::hash_password(rnd.hex(16), cost_of(s));
  return made.emplace(key, h ? *h : std::string("$argon2id$unusable")).first->second;
}

std::string one_time_password(random_source& rnd) {
  static constexpr std::string_view lower = "abcdefghijkmnopqrstuvwxyz";  // no l: reads like 1
  static constexpr std::string_view upper = "ABCDEFGHJKLMNPQRSTUVWXYZ";   // no I, O
  static constexpr std::string_view digits = "23456789";                  // no 0, 1
  static constexpr std::string_view symbols = "!#$%*+-=?@^_";
  const std::string all = std::string(lower) + std::string(upper) + std::string(digits) + std::string(symbols);
  auto pick = [&](std::string_view from) { return from[uniform(rnd, static_cast<uint32_t>(from.size()))]; };
  std::string p = {pick(lower), pick(upper), pick(digits), pick(symbols)};
  while (p.size() < 16) p.push_back(pick(all));
  for (std::size_t i = p.size() - 1; i > 0; --i)  // Fisher-Yates with unbiased indexes
    std::swap(p[i], p[uniform(rnd, static_cast<uint32_t>(i + 1))]);
  return p;
}

mail_message link_mail(const domain::user& u, const std::string& to, const password_settings& s,
                       const std::string& token, store::token_kind kind, sys_time expires) {
  std::string link = s.portal_url + "/set-password?token=" + token;
  bool invitation = kind == store::token_kind::invitation;
  mail_message m;
  m.to = to;
  m.subject = invitation ? "Invitation to join the Atrium user portal" : "Reset your Atrium password";
  m.text = greeting(u) + "\n\n";
  if (invitation)
    m.text += "You have been invited to the Atrium user portal with the user name " + u.user_name +
              ".\nTo accept the invitation, choose a password here:\n\n";
  else
    m.text += "A password reset was requested for your Atrium user " + u.user_name +
              ".\nTo choose a new password, open this link:\n\n";
  m.text += link + "\n\nThe link can be used once and expires at " + iso8601(expires, false) +
            ".\n\nPasswords need " + domain::password_rules_text() + ".\n";
  if (!invitation) m.text += "\nIf you did not ask for this, ignore this message; your password stays as it is.\n";
  return m;
}

result<void> deliver(audited_store& store, mailer& mail, const call_context& ctx, const mail_message& m) {
  auto sent = mail.send(m);
  if (!sent) store.record_failure(ctx, call_failure{"MailDeliveryFailed", sent.error().message});
  return sent;
}

}  // namespace password_detail

}  // namespace atrium::service
