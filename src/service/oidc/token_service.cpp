#include "service/oidc/token_service.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "base/json_text.hpp"
#include "base/strings.hpp"
#include "base/try.hpp"
#include "crypto/primitives.hpp"
#include "domain/oidc.hpp"
#include "service/audit/event_sources.hpp"
#include "service/oidc/secrets.hpp"
#include "store/session_repository.hpp"

namespace atrium::service::oidc {

namespace dom = domain::oidc;
using store::oidc_authorization_kind;
using store::oidc_authorization_status;

struct token_service::grant_outcome {
  std::optional<oauth_error> refused;  // the call fails, but what the transaction did is kept
  issued_tokens tokens;
  domain::user user;
  std::string grant_id;  // the grant a device or authorization code produced
};

namespace {

constexpr std::string_view hidden = "HIDDEN_DUE_TO_SECURITY_REASONS";

result<void> refuse_with(std::optional<oauth_error>& slot, oauth_errc code, std::string why) {
  slot = oauth_error{code, std::move(why)};
  return {};
}

// RFC 7636 §4.6: BASE64URL-ENCODE(SHA256(ASCII(code_verifier))) == code_challenge.
bool pkce_matches(std::string_view verifier, std::string_view challenge) {
  if (!dom::valid_code_verifier(verifier)) return false;
  return crypto::constant_time_equal(base64url_encode(crypto::sha256(verifier)), challenge);
}

std::string response_text(const issued_tokens& t) {
  nlohmann::json j = {{"accessToken", hidden}, {"tokenType", "Bearer"}, {"expiresIn", t.expires_in}};
  if (!t.refresh_token.empty()) j["refreshToken"] = hidden;
  return to_json_text(j);
}

}  // namespace

token_service::token_service(audited_store& store, client_registry& clients, const clock& clk, random_source& rnd,
                             token_settings s)
    : store_(store), clients_(clients), clock_(clk), random_(rnd), s_(std::move(s)) {}

principal token_service::user_principal(const domain::user& u) const {
  principal p;
  p.type = "Unknown";
  p.principal_id = u.id;
  p.account_id = s_.account_id;
  p.user_name = u.user_name;
  return p;
}

oauth_result<issued_tokens> token_service::create(const call_context& ctx, const token_request& r) {
  if (r.grant_type != dom::device_code_grant && r.grant_type != dom::refresh_token_grant &&
      r.grant_type != dom::authorization_code_grant)
    return oauth_fail(oauth_errc::unsupported_grant_type, "Unsupported grant type.");
  grant_outcome out;
  call_context audited = ctx;
  auto status = store_.write_with_records([&](store::transaction& tx, std::vector<store::audit_record>& records) -> result<void> {
    out = {};
    auto client = clients_.authenticate(tx, r.client_id, r.client_secret);
    if (!client) return refuse_with(out.refused, client.error().code, client.error().description);
    if (!client_registry::allows_grant(*client, r.grant_type))
      return refuse_with(out.refused, oauth_errc::unauthorized_client, "The client did not register this grant type.");
    if (!dom::scopes_within(r.scopes, client->scopes))
      return refuse_with(out.refused, oauth_errc::invalid_scope, "The request asks for scopes the client did not register.");
    TRY_VOID(run_grant(tx, *client, r, out));
    if (out.refused) return {};
    // The guide's CreateToken record names the user who signed in.
    audited.who = user_principal(out.user);
    records.push_back(store_.events().make(audited, response_text(out.tokens), nullptr));
    return {};
  });
  if (!status) return oauth_internal(status.error());
  if (out.refused) return std::unexpected(*out.refused);
  return out.tokens;
}

result<void> token_service::run_grant(store::transaction& tx, const store::oidc_client_record& client,
                                      const token_request& r, grant_outcome& out) {
  if (r.grant_type == dom::device_code_grant) return device_grant(tx, client, r, out);
  if (r.grant_type == dom::authorization_code_grant) return code_grant(tx, client, r, out);
  return refresh_grant(tx, client, r, out);
}

// RFC 8628 §3.4-3.5.
result<void> token_service::device_grant(store::transaction& tx, const store::oidc_client_record& client,
                                         const token_request& r, grant_outcome& out) {
  auto now = clock_.now();
  if (!parse_secret(r.device_code, secret_kind::device_code))
    return refuse_with(out.refused, oauth_errc::invalid_grant, "Invalid device code.");
  TRY(a, tx.oidc().get_authorization(secret_id(r.device_code)));
  if (!a || a->kind != oidc_authorization_kind::device || a->client_id != client.id)
    return refuse_with(out.refused, oauth_errc::invalid_grant, "Invalid device code.");
  if (a->status == oidc_authorization_status::consumed)
    return refuse_with(out.refused, oauth_errc::invalid_grant, "The device code was used already.");
  if (a->expires_at <= now) return refuse_with(out.refused, oauth_errc::expired_token, "The device code expired.");
  if (a->status == oidc_authorization_status::denied)
    return refuse_with(out.refused, oauth_errc::access_denied, "The user denied the request.");
  if (a->status == oidc_authorization_status::pending) {
    // Polled sooner than the interval after the previous poll: slow_down, and the interval grows
    // for this and every later request (§3.5). A poll at the interval or later never slows down.
    bool early = a->last_polled_at && now - *a->last_polled_at < std::chrono::seconds(a->interval_seconds);
    if (early) a->interval_seconds += dom::slow_down_step.count();
    a->last_polled_at = now;
    TRY_VOID(tx.oidc().update_authorization(*a));
    if (early) return refuse_with(out.refused, oauth_errc::slow_down, "Polled faster than the interval.");
    return refuse_with(out.refused, oauth_errc::authorization_pending, "The user has not decided yet.");
  }
  a->status = oidc_authorization_status::consumed;
  TRY_VOID(issue_for(tx, client, a->user_id, a->session_id, a->scopes, out));
  if (out.refused) return {};
  a->grant_id = out.grant_id;
  return tx.oidc().update_authorization(*a);
}

// RFC 6749 §4.1.3 and RFC 7636 §4.6.
result<void> token_service::code_grant(store::transaction& tx, const store::oidc_client_record& client,
                                       const token_request& r, grant_outcome& out) {
  auto now = clock_.now();
  if (!parse_secret(r.code, secret_kind::authorization_code))
    return refuse_with(out.refused, oauth_errc::invalid_grant, "Invalid authorization code.");
  TRY(a, tx.oidc().find_by_code(secret_id(r.code)));
  if (!a || a->kind != oidc_authorization_kind::code || a->client_id != client.id)
    return refuse_with(out.refused, oauth_errc::invalid_grant, "Invalid authorization code.");
  if (a->status == oidc_authorization_status::consumed) {
    // A code used twice was stolen or replayed: what the first use produced is revoked (§4.1.2).
    if (!a->grant_id.empty()) TRY_VOID(tx.oidc().remove_grant(a->grant_id));
    return refuse_with(out.refused, oauth_errc::invalid_grant, "The authorization code was used already.");
  }
  if (a->status != oidc_authorization_status::approved || a->expires_at <= now)
    return refuse_with(out.refused, oauth_errc::invalid_grant, "The authorization code expired.");
  if (r.redirect_uri != a->redirect_uri)
    return refuse_with(out.refused, oauth_errc::invalid_grant, "redirectUri differs from the authorization request's.");
  if (!pkce_matches(r.code_verifier, a->code_challenge))
    return refuse_with(out.refused, oauth_errc::invalid_grant, "The code verifier does not match the code challenge.");
  TRY_VOID(issue_for(tx, client, a->user_id, a->session_id, a->scopes, out));
  if (out.refused) return {};
  a->status = oidc_authorization_status::consumed;
  a->grant_id = out.grant_id;
  return tx.oidc().update_authorization(*a);
}

// RFC 6749 §6 with rotation; reuse of a spent refresh token revokes the family.
result<void> token_service::refresh_grant(store::transaction& tx, const store::oidc_client_record& client,
                                          const token_request& r, grant_outcome& out) {
  auto now = clock_.now();
  if (!parse_secret(r.refresh_token, secret_kind::refresh_token))
    return refuse_with(out.refused, oauth_errc::invalid_grant, "Invalid refresh token.");
  auto id = secret_id(r.refresh_token);
  TRY(t, tx.oidc().get_token(id));
  if (!t || t->kind != store::oidc_token_kind::refresh)
    return refuse_with(out.refused, oauth_errc::invalid_grant, "Invalid refresh token.");
  TRY(grant, tx.oidc().get_grant(t->grant_id));
  if (!grant || grant->client_id != client.id)
    return refuse_with(out.refused, oauth_errc::invalid_grant, "Invalid refresh token.");
  auto revoke_family = [&]() -> result<void> {
    TRY_VOID(tx.oidc().remove_grant(grant->id));
    return refuse_with(out.refused, oauth_errc::invalid_grant,
                  "The refresh token was used already; every token of this sign-in is revoked.");
  };
  if (t->used_at) return revoke_family();
  if (grant->expires_at <= now) return refuse_with(out.refused, oauth_errc::invalid_grant, "The sign-in session ended.");
  TRY(session, tx.sessions().get_session(grant->session_id));
  TRY(user, tx.users().get(grant->user_id));
  if (!session || session->expires_at <= now || !user || !user->active)
    return refuse_with(out.refused, oauth_errc::invalid_grant, "The sign-in session ended.");
  // Spent exactly once, even when two exchanges race (the second finds used_at set).
  TRY(spent_now, tx.oidc().use_token(id, now));
  if (!spent_now) return revoke_family();
  out.user = std::move(*user);
  return issue_tokens(tx, client, *grant, out);
}

result<void> token_service::issue_for(store::transaction& tx, const store::oidc_client_record& client,
                                      const std::string& user_id, const std::string& session_id,
                                      const std::vector<std::string>& scopes, grant_outcome& out) {
  auto now = clock_.now();
  TRY(session, tx.sessions().get_session(session_id));
  TRY(user, tx.users().get(user_id));
  if (!session || session->expires_at <= now)
    return refuse_with(out.refused, oauth_errc::invalid_grant, "The portal session the request was approved in ended.");
  if (!user || !user->active) return refuse_with(out.refused, oauth_errc::access_denied, "The user cannot sign in.");
  out.user = std::move(*user);
  store::oidc_grant_record g{random_.uuid7(now), client.id, user_id, session_id, scopes, now, session->expires_at};
  TRY_VOID(tx.oidc().insert_grant(g));
  out.grant_id = g.id;
  return issue_tokens(tx, client, g, out);
}

result<void> token_service::issue_tokens(store::transaction& tx, const store::oidc_client_record& client,
                                         const store::oidc_grant_record& grant, grant_outcome& out) {
  auto now = clock_.now();
  out.tokens.access_token = new_secret(random_, secret_kind::access_token);
  out.tokens.expires_in = std::chrono::duration_cast<std::chrono::seconds>(grant.expires_at - now).count();
  TRY_VOID(tx.oidc().insert_token({secret_id(out.tokens.access_token), grant.id, store::oidc_token_kind::access, now,
                                   grant.expires_at, std::nullopt}));
  // Clients that registered scopes (sso-session profiles, the authorization code flow) refresh;
  // legacy registrations sign in again, as with the service.
  if (!client.scopes.empty() && client_registry::allows_grant(client, dom::refresh_token_grant)) {
    out.tokens.refresh_token = new_secret(random_, secret_kind::refresh_token);
    TRY_VOID(tx.oidc().insert_token({secret_id(out.tokens.refresh_token), grant.id, store::oidc_token_kind::refresh,
                                     now, grant.expires_at, std::nullopt}));
  }
  return {};
}

result<bearer> token_service::authenticate(std::string_view header_value) {
  auto token = parse_secret(trim(header_value), secret_kind::access_token);
  if (!token) return refused("Session token not found or invalid");
  auto now = clock_.now();
  std::optional<bearer> out;
  TRY_VOID(store_.db().read([&](store::transaction& tx) -> result<void> {
    TRY(t, tx.oidc().get_token(secret_id(*token)));
    if (!t || t->kind != store::oidc_token_kind::access || t->expires_at <= now) return {};
    TRY(grant, tx.oidc().get_grant(t->grant_id));
    if (!grant || grant->expires_at <= now) return {};
    TRY(session, tx.sessions().get_session(grant->session_id));
    if (!session || session->expires_at <= now) return {};
    TRY(user, tx.users().get(grant->user_id));
    if (!user || !user->active) return {};
    out = bearer{std::move(*user), std::move(*grant)};
    return {};
  }));
  if (!out) return refused("Session token not found or invalid");
  return std::move(*out);
}

result<void> token_service::logout(const call_context& ctx, const bearer& b) {
  auto done = store_.write<bool>(
      ctx, [&](store::transaction& tx) { return tx.sessions().remove_session(b.grant.session_id); },
      json_text_of([](const bool&) { return nlohmann::json(nullptr); }));
  if (!done) return std::unexpected(done.error());
  return {};
}

void token_service::purge_expired() {
  auto now = clock_.now();
  int64_t now_ms = epoch_millis(now);
  int64_t last = last_purge_ms_.load();
  if (now_ms - last < 10 * 60 * 1000) return;
  if (!last_purge_ms_.compare_exchange_strong(last, now_ms)) return;  // another thread does it
  store_.db().write_detached([now](store::transaction& tx) -> result<void> {
    TRY_VOID(tx.oidc().remove_expired(now, now - std::chrono::hours(1)));
    return {};
  });
}

}  // namespace atrium::service::oidc
