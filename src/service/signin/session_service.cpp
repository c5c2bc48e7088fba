#include "service/signin/session_service.hpp"

#include "service/signin/portal_session_settings.hpp"

#include "base/json_text.hpp"
#include "base/strings.hpp"
#include "base/try.hpp"
#include "crypto/primitives.hpp"

namespace atrium::service {

namespace {

constexpr std::size_t session_token_bytes = 32;
constexpr std::size_t max_user_agent = 512;

std::string new_token(random_source& rnd) {
  std::string raw(session_token_bytes, '\0');
  rnd.fill(raw.data(), raw.size());
  return base64url_encode(raw);
}

// Tokens are base64url of 32 bytes (43 characters); anything else is not worth a lookup.
bool plausible_token(std::string_view t) { return t.size() == 43; }

std::string id_of(std::string_view token) { return crypto::sha256_hex(token); }

}  // namespace

std::string bounded_user_agent(std::string_view ua) { return std::string(ua.substr(0, max_user_agent)); }

session_service::session_service(audited_store& store, const clock& clk, random_source& rnd, session_settings s)
    : store_(store), db_(store.db()), clock_(clk), random_(rnd), s_(s) {}

// The CSRF token is an HMAC of the session token: the server can give it again on a page
// reload (GET /portal/api/session) without storing it, and it is useless without the cookie.
std::string session_service::csrf_of(std::string_view token) {
  return base64url_encode(crypto::hmac_sha256(token, "atrium-portal-csrf-v1"));
}

bool session_service::csrf_matches(const store::session_record& s, std::string_view header_value) {
  if (header_value.empty() || header_value.size() > 128) return false;
  return crypto::constant_time_equal(crypto::sha256_hex(header_value), s.csrf_hash);
}

result<issued_session> session_service::create(store::transaction& tx, const std::string& user_id,
                                               std::string_view source_ip, std::string_view user_agent) {
  auto u = tx.users().get(user_id);
  if (!u) return std::unexpected(u.error());
  if (!*u || !(*u)->active) return fail(errc::unauthenticated, "The user cannot sign in.");
  issued_session out;
  out.token = new_token(random_);
  out.csrf_token = csrf_of(out.token);
  auto now = clock_.now();
  // The administrator's session duration (AtriumAdmin.UpdatePortalSessionSettings), read in this
  // transaction so that every node uses the stored value; the configuration's otherwise.
  auto lifetime = portal_session_settings::current(tx, s_.lifetime);
  if (!lifetime) return std::unexpected(lifetime.error());
  out.record = {id_of(out.token), user_id, now, now + *lifetime, now, std::string(source_ip),
                bounded_user_agent(user_agent), crypto::sha256_hex(out.csrf_token)};
  if (auto r = tx.sessions().insert_session(out.record); !r) return std::unexpected(r.error());
  return out;
}

result<std::optional<valid_session>> session_service::validate(std::string_view token) {
  if (!plausible_token(token)) return std::optional<valid_session>();
  session_lookup found;
  auto r = db_.read([&](store::transaction& tx) -> result<void> {
    TRY(f, look_up(tx, token));
    found = std::move(f);
    return {};
  });
  if (!r) return std::unexpected(r.error());
  settle(found);
  return std::move(found.session);
}

result<session_lookup> session_service::look_up(store::transaction& tx, std::string_view token) const {
  session_lookup out;
  if (!plausible_token(token)) return out;
  out.id = id_of(token);
  auto s = tx.sessions().get_session(out.id);
  if (!s) return std::unexpected(s.error());
  if (!*s || (*s)->expires_at <= clock_.now()) return out;
  auto u = tx.users().get((*s)->user_id);
  if (!u) return std::unexpected(u.error());
  if (!*u || !(*u)->active) {
    out.stale_user = true;  // disabled: the session ends now, whatever its expiry says
    return out;
  }
  out.session = valid_session{std::move(**s), std::move(**u), csrf_of(token)};
  return out;
}

void session_service::settle(session_lookup& found) {
  auto now = clock_.now();
  if (found.stale_user) {
    db_.write_detached([id = found.id](store::transaction& tx) -> result<void> {
      auto gone = tx.sessions().remove_session(id);
      if (!gone) return std::unexpected(gone.error());
      return {};
    });
  } else if (found.session && now - found.session->record.last_seen_at >= s_.touch_interval) {
    found.session->record.last_seen_at = now;
    db_.write_detached([id = found.id, now](store::transaction& tx) { return tx.sessions().touch_session(id, now); });
  }
}

result<bool> session_service::end(const call_context& ctx, std::string_view token) {
  if (!plausible_token(token)) return false;
  return store_.write<bool>(
      ctx, [&](store::transaction& tx) { return tx.sessions().remove_session(id_of(token)); },
      json_text_of([](const bool&) { return nlohmann::json(nullptr); }));
}

result<int64_t> session_service::end_all_of(const std::string& user_id) {
  int64_t n = 0;
  auto r = db_.write([&](store::transaction& tx) -> result<void> {
    auto gone = tx.sessions().remove_sessions_of(user_id);
    if (!gone) return std::unexpected(gone.error());
    n = *gone;
    return {};
  });
  if (!r) return std::unexpected(r.error());
  return n;
}

result<std::string> session_service::trust(store::transaction& tx, const std::string& user_id,
                                           std::string_view source_ip, std::string_view user_agent) {
  std::string token = new_token(random_);
  auto now = clock_.now();
  store::trusted_device_record d{id_of(token), user_id, crypto::sha256_hex(bounded_user_agent(user_agent)),
                                 std::string(source_ip), now, now + s_.trusted_device_lifetime};
  if (auto r = tx.sessions().insert_trusted_device(d); !r) return std::unexpected(r.error());
  return token;
}

bool session_service::is_trusted(store::transaction& tx, std::string_view device_token, const std::string& user_id,
                                 std::string_view source_ip, std::string_view user_agent) {
  if (!plausible_token(device_token)) return false;
  auto d = tx.sessions().get_trusted_device(id_of(device_token));
  if (!d || !*d) return false;
  const auto& rec = **d;
  return rec.user_id == user_id && clock_.now() < rec.expires_at && rec.source_ip == source_ip &&
         crypto::constant_time_equal(rec.ua_fingerprint, crypto::sha256_hex(bounded_user_agent(user_agent)));
}

void session_service::purge_expired() {
  auto now = clock_.now();
  int64_t now_ms = epoch_millis(now);
  int64_t last = last_purge_ms_.load();
  if (now_ms - last < 10 * 60 * 1000) return;
  if (!last_purge_ms_.compare_exchange_strong(last, now_ms)) return;  // another thread does it
  db_.write_detached([now](store::transaction& tx) -> result<void> {
    auto n = tx.sessions().remove_expired(now);
    if (!n) return std::unexpected(n.error());
    return {};
  });
}

}  // namespace atrium::service
