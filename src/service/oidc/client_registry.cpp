#include "service/oidc/client_registry.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "base/json_text.hpp"
#include "base/strings.hpp"
#include "base/try.hpp"
#include "crypto/primitives.hpp"
#include "domain/oidc.hpp"
#include "service/oidc/secrets.hpp"

namespace atrium::service::oidc {

namespace dom = domain::oidc;

namespace {

bool has_item(const std::vector<std::string>& v, std::string_view s) { return std::find(v.begin(), v.end(), s) != v.end(); }

bool plain_text(std::string_view s) { return valid_utf8(s) && !has_control_chars(s); }

}  // namespace

oauth_result<void> client_registry::check(const client_registration& r) const {
  if (r.name.empty() || utf8_length(r.name) > dom::max_client_name || !plain_text(r.name))
    return oauth_fail(oauth_errc::invalid_client_metadata, "clientName must be 1-128 characters of text.");
  if (r.type != "public")
    return oauth_fail(oauth_errc::invalid_client_metadata, "Only public clients are supported (clientType public).");
  if (r.scopes.size() > dom::max_scopes) return oauth_fail(oauth_errc::invalid_scope, "Too many scopes.");
  for (const auto& s : r.scopes)
    if (!dom::known_scope(s)) return oauth_fail(oauth_errc::invalid_scope, "Unknown scope: " + s.substr(0, 64));
  for (const auto& g : r.grant_types)
    if (g != dom::authorization_code_grant && g != dom::refresh_token_grant && g != dom::device_code_grant)
      return oauth_fail(oauth_errc::unsupported_grant_type, "Unsupported grant type: " + g.substr(0, 64));
  if (r.redirect_uris.size() > dom::max_redirect_uris)
    return oauth_fail(oauth_errc::invalid_redirect_uri, "Too many redirect URIs.");
  for (const auto& u : r.redirect_uris)
    if (!dom::parse_loopback(u))
      return oauth_fail(oauth_errc::invalid_redirect_uri,
                        "Redirect URIs must be http loopback URIs (http://127.0.0.1 or http://[::1]).");
  if (has_item(r.grant_types, dom::authorization_code_grant) && r.redirect_uris.empty())
    return oauth_fail(oauth_errc::invalid_redirect_uri, "The authorization_code grant needs redirectUris.");
  if (r.issuer_url.size() > dom::max_uri_length || !plain_text(r.issuer_url))
    return oauth_fail(oauth_errc::invalid_request, "issuerUrl is too long or not text.");
  return {};
}

oauth_result<registered_client> client_registry::register_client(const call_context& ctx, const client_registration& r) {
  if (auto ok = check(r); !ok) return std::unexpected(ok.error());
  registered_client out;
  out.client_id = new_client_id(random_);
  out.client_secret = new_secret(random_, secret_kind::client_secret);
  out.issued_at = clock_.now();
  out.expires_at = out.issued_at + dom::client_lifetime;
  store::oidc_client_record rec{out.client_id, secret_id(out.client_secret), r.name, r.type, r.scopes,
                                r.grant_types, r.redirect_uris, r.issuer_url, out.issued_at, out.expires_at};
  auto written = store_.write<registered_client>(
      ctx,
      [&](store::transaction& tx) -> result<registered_client> {
        TRY_VOID(tx.oidc().insert_client(rec));
        return out;
      },
      json_text_of([](const registered_client& c) {
        return nlohmann::json{{"clientId", c.client_id}, {"clientSecret", c.client_secret},
                              {"clientIdIssuedAt", epoch_millis(c.issued_at) / 1000},
                              {"clientSecretExpiresAt", epoch_millis(c.expires_at) / 1000}};
      }));
  if (!written) return oauth_internal(written.error());
  return out;
}

oauth_result<store::oidc_client_record> client_registry::authenticate(store::transaction& tx, std::string_view client_id,
                                                                      std::string_view client_secret) const {
  auto refused = [] { return oauth_fail(oauth_errc::invalid_client, "Invalid client credentials."); };
  if (client_id.empty() || client_id.size() > 64 || client_secret.size() > 128) return refused();
  auto c = tx.oidc().get_client(std::string(client_id));
  if (!c) return oauth_internal(c.error());
  if (!*c) return refused();
  // Hash first, compare in constant time: the stored value is a digest, so the compare never
  // leaks how much of a guessed secret was right.
  bool secret_ok = crypto::constant_time_equal(secret_id(client_secret), (*c)->secret_hash);
  if (!secret_ok) return refused();
  if ((*c)->expires_at <= clock_.now()) return oauth_fail(oauth_errc::invalid_client, "The client registration expired.");
  return std::move(**c);
}

bool client_registry::allows_grant(const store::oidc_client_record& c, std::string_view grant_type) {
  if (c.grant_types.empty()) return grant_type == dom::device_code_grant || grant_type == dom::refresh_token_grant;
  return has_item(c.grant_types, grant_type);
}

}  // namespace atrium::service::oidc
