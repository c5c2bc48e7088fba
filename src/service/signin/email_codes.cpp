// email_codes: e-mailed one-time sign-in codes, stored as one-time tokens of kind email_code.
#include "service/signin/email_codes.hpp"

#include <algorithm>
#include <variant>

#include "base/json_text.hpp"
#include "base/strings.hpp"
#include "base/try.hpp"
#include "crypto/primitives.hpp"
#include "service/signin/password_detail.hpp"

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

}  // namespace

email_codes::email_codes(audited_store& store, mailer& mail, const clock& clk, random_source& rnd,
                         std::chrono::minutes ttl)
    : store_(store), mail_(mail), clk_(clk), rnd_(rnd), ttl_(ttl) {}

result<void> email_codes::send(const call_context& ctx, const std::string& user_id) {
  std::string code;
  for (int i = 0; i < code_digits; ++i) code.push_back(static_cast<char>('0' + pw::uniform(rnd_, 10)));
  store::one_time_token t{"ott-" + rnd_.hex(8), store::token_kind::email_code, user_id, code_hash(user_id, code),
                          clk_.now(), {}, {}, 0};
  t.expires_at = pw::plus(t.created_at, ttl_);
  auto c = pw::as_event(ctx, "SendEmailVerificationCode", to_json_text({{"userId", user_id}}));
  mail_message m;
  bool in_store = false;
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
        m.text = pw::greeting(*u) + "\n\nYour verification code is " + code + "\n\nIt can be used once and expires in " +
                 std::to_string(ttl_.count()) + " minutes.\n";
        TRY(q, mail_.queue(tx, c.event_name, m));  // with the code, when the mailer has a store
        in_store = q;
        return std::monostate{};
      },
      json_text_of([&](const std::monostate&) {
        return nlohmann::json{{"userId", user_id}, {"tokenId", t.id}, {"expiresAt", iso8601(t.expires_at, false)}};
      }));
  if (!w) return std::unexpected(w.error());
  if (in_store) {
    mail_.queued();
    return {};
  }
  return pw::deliver(store_, mail_, c, m);
}

result<bool> email_codes::verify(const call_context& ctx, const std::string& user_id, std::string_view code) {
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
