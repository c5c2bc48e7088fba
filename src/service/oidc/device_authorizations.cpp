#include "service/oidc/device_authorizations.hpp"

#include <nlohmann/json.hpp>

#include "base/json_text.hpp"
#include "base/try.hpp"
#include "crypto/primitives.hpp"
#include "domain/oidc.hpp"
#include "service/oidc/secrets.hpp"
#include "store/oidc_repository.hpp"

namespace atrium::service::oidc {

namespace dom = domain::oidc;
using store::oidc_authorization_status;

namespace {

std::string new_user_code(random_source& rnd) {
  while (true) {
    std::string bytes(16, '\0');
    rnd.fill(bytes.data(), bytes.size());
    if (auto code = dom::user_code_from(bytes)) return *code;
  }
}

std::string user_code_id(std::string_view letters) { return crypto::sha256_hex(letters); }

result<pending_device> not_pending() {
  return std::unexpected(error{errc::not_found, "That code is not valid, has expired or was used already.", "UserCode", ""});
}

}  // namespace

std::string normalized_start_url(std::string_view url) {
  while (!url.empty() && (url.back() == '/' || url.back() == '#')) url.remove_suffix(1);
  return std::string(url);
}

device_authorizations::device_authorizations(audited_store& store, client_registry& clients, code_attempts& attempts,
                                             const clock& clk, random_source& rnd, std::string start_url)
    : store_(store), clients_(clients), attempts_(attempts), clock_(clk), random_(rnd),
      start_url_(normalized_start_url(start_url)) {}

void device_authorizations::set_start_url(std::string url) { start_url_ = normalized_start_url(url); }

oauth_result<device_start> device_authorizations::start(const call_context& ctx, std::string_view client_id,
                                                        std::string_view client_secret, std::string_view start_url) {
  if (start_url.size() > dom::max_uri_length || normalized_start_url(start_url) != start_url_)
    return oauth_fail(oauth_errc::invalid_request, "startUrl is not this deployment's start URL (" + start_url_ + ").");
  std::optional<oauth_error> refused;
  device_start out;
  auto now = clock_.now();
  auto written = store_.write<device_start>(
      ctx,
      [&](store::transaction& tx) -> result<device_start> {
        auto client = clients_.authenticate(tx, client_id, client_secret);
        if (!client) {
          refused = client.error();
          return fail(errc::unauthenticated, client.error().description);
        }
        if (!client_registry::allows_grant(*client, dom::device_code_grant)) {
          refused = oauth_error{oauth_errc::unauthorized_client, "The client did not register the device code grant."};
          return fail(errc::access_denied, refused->description);
        }
        store::oidc_authorization_record a;
        a.kind = store::oidc_authorization_kind::device;
        a.client_id = client->id;
        a.start_url = start_url_;
        a.scopes = client->scopes;
        a.created_at = now;
        a.expires_at = now + dom::device_code_lifetime;
        a.interval_seconds = dom::poll_interval.count();
        // A user code that collides with a pending one (one in 2^34) is drawn again.
        for (int attempt = 0;; ++attempt) {
          out.device_code = new_secret(random_, secret_kind::device_code);
          auto letters = new_user_code(random_);
          a.id = secret_id(out.device_code);
          a.user_code_hash = user_code_id(letters);
          auto ins = tx.oidc().insert_authorization(a);
          if (ins) {
            out.user_code = dom::format_user_code(letters);
            break;
          }
          if (ins.error().code != errc::conflict || attempt == 3) return std::unexpected(ins.error());
        }
        out.expires_in = dom::device_code_lifetime.count();
        out.interval = a.interval_seconds;
        return out;
      },
      json_text_of([](const device_start& d) {
        // RFC 8628 §3.2 members; both codes are secrets of the client (the guide's records hide them).
        return nlohmann::json{{"deviceCode", "HIDDEN_DUE_TO_SECURITY_REASONS"},
                              {"userCode", "HIDDEN_DUE_TO_SECURITY_REASONS"},
                              {"expiresIn", d.expires_in}, {"interval", d.interval}};
      }));
  if (refused) return std::unexpected(*refused);
  if (!written) return oauth_internal(written.error());
  return out;
}

result<store::oidc_authorization_record> device_authorizations::pending_of(store::transaction& tx,
                                                                           std::string_view typed_code) {
  auto letters = dom::normalize_user_code(typed_code);
  if (!letters) return std::unexpected(not_pending().error());
  TRY(a, tx.oidc().find_by_user_code(user_code_id(*letters)));
  if (!a || a->status != oidc_authorization_status::pending || a->expires_at <= clock_.now())
    return std::unexpected(not_pending().error());
  return std::move(*a);
}

result<pending_device> device_authorizations::lookup(const approver& who, std::string_view typed_code) {
  TRY_VOID(attempts_.admit(who.session_id, who.source_ip));
  pending_device out;
  auto r = store_.db().read([&](store::transaction& tx) -> result<void> {
    TRY(a, pending_of(tx, typed_code));
    TRY(client, tx.oidc().get_client(a.client_id));
    if (!client) return std::unexpected(not_pending().error());
    out = {dom::format_user_code(*dom::normalize_user_code(typed_code)), client->name, a.scopes, a.expires_at};
    return {};
  });
  if (!r) {
    if (r.error().code == errc::not_found) TRY_VOID(attempts_.failure(who.session_id, who.source_ip));
    return std::unexpected(r.error());
  }
  return out;
}

result<pending_device> device_authorizations::decide(const call_context& ctx, const approver& who,
                                                     std::string_view typed_code, bool approve) {
  TRY_VOID(attempts_.admit(who.session_id, who.source_ip));
  auto r = store_.write<pending_device>(
      ctx,
      [&](store::transaction& tx) -> result<pending_device> {
        TRY(a, pending_of(tx, typed_code));
        TRY(client, tx.oidc().get_client(a.client_id));
        if (!client) return not_pending();
        a.status = approve ? oidc_authorization_status::approved : oidc_authorization_status::denied;
        a.user_id = who.user_id;
        a.session_id = who.session_id;
        TRY_VOID(tx.oidc().update_authorization(a));
        return pending_device{dom::format_user_code(*dom::normalize_user_code(typed_code)), client->name, a.scopes,
                              a.expires_at};
      },
      json_text_of([approve](const pending_device& p) {
        return nlohmann::json{{"clientName", p.client_name}, {"decision", approve ? "APPROVED" : "DENIED"}};
      }));
  if (!r && r.error().code == errc::not_found) TRY_VOID(attempts_.failure(who.session_id, who.source_ip));
  return r;
}

}  // namespace atrium::service::oidc
