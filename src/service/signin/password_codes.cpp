// password_service: e-mailed one-time sign-in codes, generated one-time passwords, the dummy
// hash for unknown users, and the texts of the mails.
#include <algorithm>
#include <map>
#include <mutex>
#include <utility>

#include "base/strings.hpp"
#include "base/json_text.hpp"
#include "crypto/primitives.hpp"
#include "domain/password_policy.hpp"
#include "service/signin/password_internal.hpp"

namespace atrium::service {

namespace pw = password_detail;

namespace {

constexpr int code_digits = 6;
constexpr int max_code_attempts = 5;  // then the code is spent; the user asks for a new one

// The stored form of an e-mailed code: a 6-digit code has only 10^6 values, so its hash is
// bound to the user (the same code of two users hashes differently and never collides).
std::string code_hash(const std::string& user_id, std::string_view code) {
  return crypto::sha256_hex(user_id + ":" + std::string(code));
}

bool six_digits(std::string_view code) {
  return code.size() == code_digits && std::all_of(code.begin(), code.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::string greeting(const domain::user& u) {
  if (u.display_name && !u.display_name->empty()) return "Hello " + *u.display_name + ",";
  return "Hello,";
}

}  // namespace

namespace password_detail {

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

}  // namespace password_detail

result<void> password_service::send_email_code(const call_context& ctx, const std::string& user_id) {
  std::string code;
  for (int i = 0; i < code_digits; ++i) code.push_back(static_cast<char>('0' + pw::uniform(rnd_, 10)));
  store::one_time_token t{"ott-" + rnd_.hex(8), store::token_kind::email_code, user_id, code_hash(user_id, code),
                          clk_.now(), {}, {}, 0};
  t.expires_at = pw::plus(t.created_at, s_.email_code_ttl);
  auto c = pw::as_event(ctx, "SendEmailVerificationCode", to_json_text({{"userId", user_id}}));
  mail_message m;
  auto w = store_.write<std::monostate>(
      c,
      [&](store::transaction& tx) -> result<std::monostate> {
        auto u = pw::load_user(tx, user_id);
        if (!u) return std::unexpected(u.error());
        if (!u->active) return fail(errc::validation, "The user is disabled.");
        auto to = pw::email_of(*u);
        if (!to) return fail(errc::validation, "The user has no e-mail address.");
        // A new code replaces the previous one (used or not).
        if (auto rm = tx.credentials().remove_tokens(user_id, store::token_kind::email_code); !rm)
          return std::unexpected(rm.error());
        if (auto i = tx.credentials().insert_token(t); !i) return std::unexpected(i.error());
        m.to = *to;
        m.subject = "Your Atrium verification code";
        m.text = greeting(*u) + "\n\nYour verification code is " + code + "\n\nIt can be used once and expires in " +
                 std::to_string(s_.email_code_ttl.count()) + " minutes.\n";
        return std::monostate{};
      },
      json_text_of([&](const std::monostate&) {
        return nlohmann::json{{"userId", user_id}, {"tokenId", t.id}, {"expiresAt", iso8601(t.expires_at, false)}};
      }));
  if (!w) return std::unexpected(w.error());
  return deliver(c, m);
}

result<bool> password_service::verify_email_code(const call_context& ctx, const std::string& user_id,
                                                 std::string_view code) {
  std::string presented = code_hash(user_id, code);
  bool ok = false;
  auto now = clk_.now();
  // One write: the attempt count and the single use must not race with a concurrent guess.
  auto r = store_.db().write([&](store::transaction& tx) -> result<void> {
    auto t = tx.credentials().latest_token(user_id, store::token_kind::email_code);
    if (!t) return std::unexpected(t.error());
    if (!*t || (*t)->used_at || now >= (*t)->expires_at || (*t)->attempts >= max_code_attempts) return {};
    bool same = crypto::constant_time_equal((*t)->secret_hash, presented) && six_digits(code);
    if (!same) return tx.credentials().count_attempt((*t)->id);
    auto used = tx.credentials().mark_used((*t)->id, now);
    if (!used) return std::unexpected(used.error());
    ok = *used;
    return {};
  });
  if (!r) return std::unexpected(r.error());
  (void)ctx;  // recorded by the sign-in's CredentialVerification event
  return ok;
}

}  // namespace atrium::service
