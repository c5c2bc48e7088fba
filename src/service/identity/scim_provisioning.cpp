#include "service/identity/scim_provisioning.hpp"

#include "base/json_text.hpp"
#include "base/strings.hpp"
#include "crypto/primitives.hpp"

namespace atrium::service {

namespace {

constexpr std::string_view token_id_prefix = "scimtok-";
constexpr std::size_t secret_bytes = 32;
constexpr std::size_t max_bearer_length = 256;

scim_token_info info_of(const store::scim_token_record& r) {
  return {r.id, r.created_at, r.expires_at, r.last_used_at, r.created_by};
}

result<bool> is_enabled(store::transaction& tx) {
  auto v = tx.settings().get(provisioning_setting);
  if (!v) return std::unexpected(v.error());
  return *v && **v == "enabled";
}

nlohmann::json token_json(const scim_token_info& t) {
  return {{"tokenId", t.id}, {"createdAt", iso8601(t.created_at)}, {"expiresAt", iso8601(t.expires_at)}};
}

std::unexpected<error> unauthenticated() {
  return std::unexpected(error{errc::unauthenticated, "The bearer token is missing, invalid or expired.", {}, {}});
}

}  // namespace

scim_provisioning::scim_provisioning(audited_store& store, const clock& clk, random_source& rnd,
                                     token_policy policy)
    : store_(store), clock_(clk), random_(rnd), policy_(policy) {}

result<issued_token> scim_provisioning::issue(store::transaction& tx, const call_context& ctx) {
  auto existing = tx.scim_tokens().list();
  if (!existing) return std::unexpected(existing.error());
  if (static_cast<int>(existing->size()) >= policy_.max_tokens)
    return fail(errc::quota_exceeded, "At most " + std::to_string(policy_.max_tokens) +
                                          " SCIM access tokens may exist at a time; delete one first.");
  std::string secret(secret_bytes, '\0');
  random_.fill(secret.data(), secret.size());
  std::string secret_text = base64url_encode(secret);
  store::scim_token_record rec;
  rec.id = std::string(token_id_prefix) + random_.hex(8);
  rec.secret_hash = crypto::sha256_hex(secret_text);
  rec.created_at = clock_.now();
  rec.expires_at = rec.created_at + std::chrono::duration_cast<std::chrono::milliseconds>(policy_.validity);
  rec.created_by = ctx.who.arn;
  if (auto r = tx.scim_tokens().insert(rec); !r) return std::unexpected(r.error());
  return issued_token{info_of(rec), rec.id + "." + secret_text};
}

result<issued_token> scim_provisioning::enable(const call_context& ctx) {
  return store_.write<issued_token>(
      ctx,
      [&](store::transaction& tx) -> result<issued_token> {
        auto on = is_enabled(tx);
        if (!on) return std::unexpected(on.error());
        if (*on) return fail(errc::conflict, "Automatic provisioning is already enabled.");
        if (auto r = tx.settings().put(provisioning_setting, "enabled"); !r) return std::unexpected(r.error());
        return issue(tx, ctx);
      },
      json_text_of([](const issued_token& t) { return token_json(t.info); }));
}

result<std::monostate> scim_provisioning::disable(const call_context& ctx) {
  return store_.write<std::monostate>(
      ctx,
      [&](store::transaction& tx) -> result<std::monostate> {
        auto on = is_enabled(tx);
        if (!on) return std::unexpected(on.error());
        if (!*on) return fail(errc::conflict, "Automatic provisioning is not enabled.");
        auto tokens = tx.scim_tokens().list();
        if (!tokens) return std::unexpected(tokens.error());
        if (!tokens->empty())
          return fail(errc::conflict, "Delete the SCIM access tokens first (" + std::to_string(tokens->size()) +
                                          " remain); then disable automatic provisioning.");
        if (auto r = tx.settings().put(provisioning_setting, "disabled"); !r) return std::unexpected(r.error());
        return std::monostate{};
      },
      json_text_of([](const std::monostate&) { return nlohmann::json(nullptr); }));
}

result<provisioning_status> scim_provisioning::describe(const call_context& ctx) {
  return store_.read<provisioning_status>(ctx, [&](store::transaction& tx) -> result<provisioning_status> {
    provisioning_status out;
    auto on = is_enabled(tx);
    if (!on) return std::unexpected(on.error());
    out.enabled = *on;
    auto tokens = tx.scim_tokens().list();
    if (!tokens) return std::unexpected(tokens.error());
    for (const auto& t : *tokens) out.tokens.push_back(info_of(t));
    return out;
  });
}

result<issued_token> scim_provisioning::create_token(const call_context& ctx) {
  return store_.write<issued_token>(
      ctx,
      [&](store::transaction& tx) -> result<issued_token> {
        auto on = is_enabled(tx);
        if (!on) return std::unexpected(on.error());
        if (!*on) return fail(errc::conflict, "Enable automatic provisioning before creating access tokens.");
        return issue(tx, ctx);
      },
      json_text_of([](const issued_token& t) { return token_json(t.info); }));
}

result<std::monostate> scim_provisioning::delete_token(const call_context& ctx, const std::string& token_id) {
  return store_.write<std::monostate>(
      ctx,
      [&](store::transaction& tx) -> result<std::monostate> {
        auto removed = tx.scim_tokens().remove(token_id);
        if (!removed) return std::unexpected(removed.error());
        if (!*removed) return not_found("SCIM_ACCESS_TOKEN", token_id.substr(0, 64));
        return std::monostate{};
      },
      json_text_of([](const std::monostate&) { return nlohmann::json(nullptr); }));
}

result<scim_token_info> scim_provisioning::authenticate(std::string_view bearer) {
  if (bearer.empty() || bearer.size() > max_bearer_length) return unauthenticated();
  auto dot = bearer.find('.');
  if (dot == std::string_view::npos || !starts_with(bearer, token_id_prefix)) return unauthenticated();
  std::string id(bearer.substr(0, dot));
  std::string presented_hash = crypto::sha256_hex(bearer.substr(dot + 1));
  std::optional<store::scim_token_record> rec;
  auto r = store_.db().read([&](store::transaction& tx) -> result<void> {
    auto t = tx.scim_tokens().get(id);
    if (!t) return std::unexpected(t.error());
    rec = std::move(*t);
    return {};
  });
  if (!r) return std::unexpected(r.error());
  // Compare even when the id is unknown, so that timing does not tell ids apart.
  std::string stored = rec ? rec->secret_hash : std::string(presented_hash.size(), '0');
  bool same = crypto::constant_time_equal(stored, presented_hash);
  auto now = clock_.now();
  if (!rec || !same || now >= rec->expires_at) return unauthenticated();
  if (!rec->last_used_at || now - *rec->last_used_at >= policy_.last_used_resolution) {
    store_.db().write_detached([id, now](store::transaction& tx) { return tx.scim_tokens().touch(id, now); });
    rec->last_used_at = now;
  }
  return info_of(*rec);
}

bool scim_provisioning::expires_soon(const scim_token_info& t) const {
  return t.expires_at - clock_.now() <= std::chrono::duration_cast<std::chrono::milliseconds>(policy_.warn_before);
}

}  // namespace atrium::service
