#include "service/oidc/authorization_requests.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "base/json_text.hpp"
#include "base/strings.hpp"
#include "base/try.hpp"
#include "domain/oidc.hpp"
#include "service/oidc/client_registry.hpp"
#include "service/oidc/secrets.hpp"
#include "store/oidc_repository.hpp"

namespace atrium::service::oidc {

namespace dom = domain::oidc;
using store::oidc_authorization_status;

namespace {

result<pending_request> request_gone() {
  return std::unexpected(error{errc::not_found, "This sign-in request is not valid, has expired or was used already.",
                               "AuthorizationRequest", ""});
}

// The registered URI the presented one matches, if any (RFC 8252 §7.3: any port on loopback).
bool registered_uri(const store::oidc_client_record& c, std::string_view uri) {
  return std::any_of(c.redirect_uris.begin(), c.redirect_uris.end(),
                     [&](const std::string& r) { return dom::redirect_matches(r, uri); });
}

}  // namespace

std::string with_query(std::string_view base, const std::vector<std::pair<std::string, std::string>>& params) {
  std::string out(base);
  char sep = out.find('?') == std::string::npos ? '?' : '&';
  for (const auto& [k, v] : params) {
    out += sep + url_encode(k) + "=" + url_encode(v);
    sep = '&';
  }
  return out;
}

oauth_result<std::string> authorization_requests::begin(const call_context& ctx, const authorize_request& r) {
  std::optional<oauth_error> refused;
  auto refuse = [&](oauth_errc code, std::string why) -> result<std::string> {
    refused = oauth_error{code, why};
    return invalid(std::move(why));
  };
  std::string request_id = new_secret(random_, secret_kind::request_id);
  auto now = clock_.now();
  auto written = store_.write<std::string>(
      ctx,
      [&](store::transaction& tx) -> result<std::string> {
        if (r.client_id.empty() || r.client_id.size() > 64) return refuse(oauth_errc::invalid_client, "Unknown client.");
        TRY(client, tx.oidc().get_client(r.client_id));
        if (!client || client->expires_at <= now) return refuse(oauth_errc::invalid_client, "Unknown client.");
        if (!registered_uri(*client, r.redirect_uri))
          return refuse(oauth_errc::invalid_redirect_uri, "redirect_uri is not a loopback URI the client registered.");
        // From here on errors go back to the client through its redirect URI.
        if (r.response_type != "code") return refuse(oauth_errc::invalid_request, "response_type must be code.");
        if (!client_registry::allows_grant(*client, dom::authorization_code_grant))
          return refuse(oauth_errc::unauthorized_client, "The client did not register the authorization_code grant.");
        if (r.code_challenge_method != "S256" || !dom::valid_s256_challenge(r.code_challenge))
          return refuse(oauth_errc::invalid_request, "PKCE is required: code_challenge_method S256 and a code_challenge.");
        if (r.state.size() > dom::max_state_length) return refuse(oauth_errc::invalid_request, "state is too long.");
        auto scopes = r.scopes.empty() ? client->scopes : r.scopes;
        if (!dom::scopes_within(scopes, client->scopes))
          return refuse(oauth_errc::invalid_scope, "The request asks for scopes the client did not register.");
        store::oidc_authorization_record a;
        a.id = secret_id(request_id);
        a.kind = store::oidc_authorization_kind::code;
        a.client_id = client->id;
        a.scopes = scopes;
        a.redirect_uri = r.redirect_uri;
        a.state = r.state;
        a.code_challenge = r.code_challenge;
        a.created_at = now;
        a.expires_at = now + dom::authorization_request_lifetime;
        a.interval_seconds = 0;
        TRY_VOID(tx.oidc().insert_authorization(a));
        return request_id;
      },
      json_text_of([](const std::string&) { return nlohmann::json(nullptr); }));
  if (refused) return std::unexpected(*refused);
  if (!written) return oauth_internal(written.error());
  return request_id;
}

result<pending_request> authorization_requests::lookup(std::string_view request_id) {
  if (!parse_secret(request_id, secret_kind::request_id)) return request_gone();
  pending_request out;
  auto now = clock_.now();
  TRY_VOID(store_.db().read([&](store::transaction& tx) -> result<void> {
    TRY(a, tx.oidc().get_authorization(secret_id(request_id)));
    if (!a || a->kind != store::oidc_authorization_kind::code || a->status != oidc_authorization_status::pending ||
        a->expires_at <= now)
      return std::unexpected(request_gone().error());
    TRY(client, tx.oidc().get_client(a->client_id));
    if (!client) return std::unexpected(request_gone().error());
    out = {client->name, a->scopes, a->redirect_uri, a->expires_at};
    return {};
  }));
  return out;
}

result<std::string> authorization_requests::decide(const call_context& ctx, const approver& who,
                                                   std::string_view request_id, bool approve) {
  if (!parse_secret(request_id, secret_kind::request_id)) return std::unexpected(request_gone().error());
  auto now = clock_.now();
  std::string code = new_secret(random_, secret_kind::authorization_code);
  std::string client_name;
  return store_.write<std::string>(
      ctx,
      [&](store::transaction& tx) -> result<std::string> {
        TRY(a, tx.oidc().get_authorization(secret_id(request_id)));
        if (!a || a->kind != store::oidc_authorization_kind::code || a->status != oidc_authorization_status::pending ||
            a->expires_at <= now)
          return std::unexpected(request_gone().error());
        TRY(client, tx.oidc().get_client(a->client_id));
        client_name = client ? client->name : "";
        a->user_id = who.user_id;
        a->session_id = who.session_id;
        if (!approve) {
          a->status = oidc_authorization_status::denied;
          TRY_VOID(tx.oidc().update_authorization(*a));
          return with_query(a->redirect_uri, {{"error", "access_denied"}, {"state", a->state}});
        }
        a->status = oidc_authorization_status::approved;
        a->code_hash = secret_id(code);
        a->expires_at = now + dom::authorization_code_lifetime;
        TRY_VOID(tx.oidc().update_authorization(*a));
        return with_query(a->redirect_uri, {{"code", code}, {"state", a->state}});
      },
      json_text_of([&client_name, approve](const std::string&) {
        return nlohmann::json{{"clientName", client_name}, {"decision", approve ? "APPROVED" : "DENIED"}};
      }));
}

}  // namespace atrium::service::oidc
