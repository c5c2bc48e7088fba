// Security keys and built-in authenticators (WebAuthn L2): the relying party's half that needs
// state — challenges, the user's credentials, credential-id uniqueness and signature counters.
// Message checks are crypto/webauthn's.
#include <algorithm>

#include "base/json_text.hpp"
#include "base/strings.hpp"
#include "crypto/webauthn.hpp"
#include "service/signin/mfa_internal.hpp"
#include "service/signin/mfa_service.hpp"

namespace atrium::service {

namespace {

using nlohmann::json;
namespace wa = crypto::webauthn;

constexpr std::size_t challenge_bytes = 32;  // §13.4.3: at least 16 random bytes

// A base64url field of the browser's PublicKeyCredential JSON, bounded before decoding.
result<std::string> b64_field(const json& obj, const char* key, std::size_t max_bytes, bool required = true) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) {
    if (!required) return std::string();
    return fail(errc::validation, std::string("The credential lacks ") + key + ".");
  }
  if (!it->is_string() || it->get_ref<const std::string&>().size() > (max_bytes * 4) / 3 + 4)
    return fail(errc::validation, std::string("The credential's ") + key + " is not a base64url string of the right size.");
  auto raw = base64url_decode(it->get<std::string>());
  if (!raw) return fail(errc::validation, std::string("The credential's ") + key + " is not base64url.");
  return *raw;
}

// {id, rawId, type: "public-key", response: {...}}: the response object and the raw id.
result<std::pair<json, std::string>> credential_parts(const json& cred) {
  if (!cred.is_object() || cred.value("type", "") != "public-key" || !cred.contains("response") ||
      !cred["response"].is_object())
    return fail(errc::validation, "The credential is not a PublicKeyCredential of type public-key.");
  auto raw_id = b64_field(cred, cred.contains("rawId") ? "rawId" : "id", wa::max_credential_id);
  if (!raw_id) return std::unexpected(raw_id.error());
  if (raw_id->empty()) return fail(errc::validation, "The credential id is empty.");
  return std::pair{cred["response"], std::move(*raw_id)};
}

json cred_descriptor(const std::string& credential_id_b64) {
  return {{"type", "public-key"}, {"id", credential_id_b64}};
}

// Takes the pending challenge of `user_id` out of `m` (single use), if it has not expired.
template <class Map>
std::optional<std::string> take(Map& m, const std::string& user_id, sys_time now) {
  auto it = m.find(user_id);
  if (it == m.end()) return std::nullopt;
  auto c = std::move(it->second);
  m.erase(it);
  if (c.expires <= now) return std::nullopt;
  return std::move(c.challenge);
}

}  // namespace

result<std::string> mfa_service::begin_webauthn_registration(const std::string& user_id, std::string_view user_name,
                                                      std::string_view display_name) {
  std::vector<store::mfa_device_record> existing;
  auto r = p_->store.db().read([&](store::transaction& tx) -> result<void> {
    if (auto u = p_->user_exists(tx, user_id); !u) return u;
    auto s = p_->settings_in(tx);
    if (!s) return std::unexpected(s.error());
    if (!s->webauthn_allowed) return fail(errc::access_denied, "Security keys are not an allowed MFA type.");
    auto rows = tx.mfa_devices().list_for_user(user_id);
    if (!rows) return std::unexpected(rows.error());
    existing = std::move(*rows);
    return {};
  });
  if (!r) return std::unexpected(r.error());
  long keys = std::count_if(existing.begin(), existing.end(), [](const auto& d) { return d.kind == "webauthn"; });
  if (keys >= p_->opt.max_webauthn_devices)
    return fail(errc::quota_exceeded, "A user can register at most " + std::to_string(p_->opt.max_webauthn_devices) + " security keys.");
  std::string challenge(challenge_bytes, '\0');
  p_->rnd.fill(challenge.data(), challenge.size());
  json exclude = json::array();
  for (const auto& d : existing)
    if (d.kind == "webauthn") exclude.push_back(cred_descriptor(d.credential_id));
  auto ttl_ms = std::chrono::duration_cast<std::chrono::milliseconds>(p_->opt.challenge_ttl).count();
  // §5.4: ES256 first (every authenticator), then EdDSA and RS256 (Windows Hello).
  json options = {
      {"challenge", base64url_encode(challenge)},
      {"rp", {{"id", p_->opt.rp_id}, {"name", p_->opt.rp_name}}},
      {"user", {{"id", base64url_encode(user_id)}, {"name", std::string(user_name)},
                {"displayName", std::string(display_name.empty() ? user_name : display_name)}}},
      {"pubKeyCredParams", json::array({{{"type", "public-key"}, {"alg", -7}},
                                        {{"type", "public-key"}, {"alg", -8}},
                                        {{"type", "public-key"}, {"alg", -257}}})},
      {"timeout", ttl_ms},
      {"excludeCredentials", exclude},
      {"authenticatorSelection", {{"residentKey", "discouraged"}, {"userVerification", "preferred"}}},
      // Attestation is not evaluated against a trust store, so none is asked for (§5.4.7).
      {"attestation", "none"}};
  auto now = p_->clk.now();
  std::lock_guard lock(p_->mu);
  if (auto room = p_->make_room(now); !room) return std::unexpected(room.error());
  p_->registrations[user_id] = {std::move(challenge), now + p_->opt.challenge_ttl};
  return to_json_text(options);
}

result<mfa_device> mfa_service::finish_webauthn_registration(const call_context& ctx, const std::string& user_id,
                                                             std::string_view credential_json, std::string_view name) {
  auto credential = from_json_text(credential_json);
  auto n = device_name(name);
  if (!n) return std::unexpected(n.error());
  auto parts = credential_parts(credential);
  if (!parts) return std::unexpected(parts.error());
  const auto& [resp, raw_id] = *parts;
  auto cdj = b64_field(resp, "clientDataJSON", wa::max_client_data_json);
  if (!cdj) return std::unexpected(cdj.error());
  auto att = b64_field(resp, "attestationObject", wa::max_attestation_object);
  if (!att) return std::unexpected(att.error());
  auto now = p_->clk.now();
  std::optional<std::string> challenge;
  {
    std::lock_guard lock(p_->mu);
    challenge = take(p_->registrations, user_id, now);
  }
  if (!challenge) return fail(errc::validation, "The security key registration has expired; start again.");
  auto reg = wa::verify_registration(*cdj, *att, {*challenge, p_->opt.origin, p_->opt.rp_id, false});
  if (!reg) return std::unexpected(reg.error());
  if (reg->credential_id != raw_id) return fail(errc::validation, "The credential id does not match the authenticator data.");
  store::mfa_device_record rec;
  rec.id = "mfa-" + p_->rnd.hex(16);
  rec.user_id = user_id;
  rec.kind = "webauthn";
  rec.name = *n;
  rec.credential_id = base64url_encode(reg->credential_id);
  rec.public_key = base64url_encode(reg->public_key);
  rec.sign_count = reg->sign_count;
  rec.aaguid = hex_encode(reg->aaguid);
  rec.attestation_format = reg->format;
  rec.created = now;
  // §7.1 step 22: a credential id registered anywhere (this user or another) is refused; the
  // UNIQUE column makes the check and the insert one step.
  return p_->add_device(ctx, "CompleteWebAuthnDeviceRegistration", std::move(rec));
}

result<std::string> mfa_service::begin_webauthn_assertion(const std::string& user_id) {
  json allow = json::array();
  auto r = p_->store.db().read([&](store::transaction& tx) -> result<void> {
    auto rows = tx.mfa_devices().list_for_user(user_id);
    if (!rows) return std::unexpected(rows.error());
    for (const auto& d : *rows)
      if (d.kind == "webauthn") allow.push_back(cred_descriptor(d.credential_id));
    return {};
  });
  if (!r) return std::unexpected(r.error());
  if (allow.empty()) return fail(errc::validation, "The user has no security key.");
  std::string challenge(challenge_bytes, '\0');
  p_->rnd.fill(challenge.data(), challenge.size());
  auto ttl_ms = std::chrono::duration_cast<std::chrono::milliseconds>(p_->opt.challenge_ttl).count();
  json options = {{"challenge", base64url_encode(challenge)}, {"rpId", p_->opt.rp_id}, {"timeout", ttl_ms},
                  {"allowCredentials", allow}, {"userVerification", "preferred"}};
  auto now = p_->clk.now();
  std::lock_guard lock(p_->mu);
  if (auto room = p_->make_room(now); !room) return std::unexpected(room.error());
  p_->assertions[user_id] = {std::move(challenge), now + p_->opt.challenge_ttl};
  return to_json_text(options);
}

result<bool> mfa_service::finish_webauthn_assertion(const call_context& ctx, const std::string& user_id,
                                                    std::string_view credential_json) {
  auto credential = from_json_text(credential_json);
  auto parts = credential_parts(credential);
  if (!parts) return std::unexpected(parts.error());
  const auto& [resp, raw_id] = *parts;
  auto cdj = b64_field(resp, "clientDataJSON", wa::max_client_data_json);
  auto ad = b64_field(resp, "authenticatorData", wa::max_authenticator_data);
  auto sig = b64_field(resp, "signature", wa::max_signature);
  auto handle = b64_field(resp, "userHandle", 64, false);
  for (const auto* f : {&cdj, &ad, &sig, &handle})
    if (!*f) return std::unexpected(f->error());
  auto now = p_->clk.now();
  std::optional<std::string> challenge;
  {
    std::lock_guard lock(p_->mu);
    challenge = take(p_->assertions, user_id, now);  // one try per challenge
  }
  if (!challenge) return false;
  // §7.2 steps 5-6: the credential is one of this user's, and the user handle (if any) is his.
  std::optional<store::mfa_device_record> dev;
  bool webauthn_allowed = false;
  auto r = p_->store.db().read([&](store::transaction& tx) -> result<void> {
    auto s = p_->settings_in(tx);
    if (!s) return std::unexpected(s.error());
    webauthn_allowed = s->webauthn_allowed;
    auto d = tx.mfa_devices().find_by_credential(base64url_encode(raw_id));
    if (!d) return std::unexpected(d.error());
    dev = std::move(*d);
    return {};
  });
  if (!r) return std::unexpected(r.error());
  if (!webauthn_allowed || !dev || dev->user_id != user_id || dev->kind != "webauthn") return false;
  if (!handle->empty() && *handle != user_id) return false;
  auto key = base64url_decode(dev->public_key);
  if (!key) return fail(errc::internal, "A stored credential public key is unreadable.");
  auto a = wa::verify_assertion(*cdj, *ad, *sig, *key, {*challenge, p_->opt.origin, p_->opt.rp_id, false});
  if (!a) {
    if (a.error().code == errc::unauthenticated) return false;
    return std::unexpected(a.error());
  }
  // §7.2 step 21, checked again inside the write so that two assertions cannot both move the
  // counter from the same stored value.
  bool ok = false;
  auto w = p_->store.db().write([&](store::transaction& tx) -> result<void> {
    auto cur = tx.mfa_devices().get(dev->id);
    if (!cur) return std::unexpected(cur.error());
    if (!*cur) return {};
    if (!wa::sign_count_ok(static_cast<uint32_t>((*cur)->sign_count), a->sign_count)) {
      // A possible clone: the device is flagged for administrators and this sign-in refused.
      auto f = tx.mfa_devices().flag(dev->id, now);
      if (!f) return std::unexpected(f.error());
      return {};
    }
    auto u = tx.mfa_devices().record_assertion(dev->id, a->sign_count, now);
    if (!u) return std::unexpected(u.error());
    ok = *u;
    return {};
  });
  if (!w) return std::unexpected(w.error());
  return ok;
}

}  // namespace atrium::service
