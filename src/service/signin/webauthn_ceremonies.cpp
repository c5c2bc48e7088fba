// webauthn_ceremonies: WebAuthn L2 registration (§7.1) and assertion (§7.2) on the relying
// party's side; the message checks are crypto/webauthn's.
#include "service/signin/webauthn_ceremonies.hpp"

#include <algorithm>

#include "base/json_text.hpp"
#include "base/strings.hpp"
#include "base/try.hpp"
#include "crypto/primitives.hpp"
#include "crypto/webauthn.hpp"
#include "service/signin/mfa_internal.hpp"
#include "store/webauthn_challenge_repository.hpp"

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

}  // namespace

webauthn_ceremonies::webauthn_ceremonies(audited_store& store, const crypto::secret_box& box, const clock& clk,
                                         random_source& rnd, const mfa_options& opt)
    : store_(store), box_(box), clk_(clk), rnd_(rnd), opt_(opt) {}

result<void> webauthn_ceremonies::remember(const std::string& user_id, const char* ceremony,
                                           const std::string& challenge) {
  auto now = clk_.now();
  store::webauthn_challenge_record rec{user_id, ceremony, box_.seal(challenge), now, now + opt_.challenge_ttl};
  // Not audited: a challenge changes nothing a user or administrator owns (the device it may
  // lead to is: CompleteWebAuthnDeviceRegistration).
  return store_.db().write([&](store::transaction& tx) -> result<void> {
    TRY_VOID(tx.webauthn_challenges().remove_expired(now));
    return tx.webauthn_challenges().put(rec);
  });
}

result<std::optional<std::string>> webauthn_ceremonies::take(const std::string& user_id, const char* ceremony) {
  std::optional<store::webauthn_challenge_record> rec;
  auto r = store_.db().write([&](store::transaction& tx) -> result<void> {
    TRY(row, tx.webauthn_challenges().take(user_id, ceremony, clk_.now()));
    rec = std::move(row);
    return {};
  });
  if (!r) return std::unexpected(r.error());
  if (!rec) return std::optional<std::string>();
  auto challenge = box_.open(rec->sealed_challenge);
  if (!challenge) return fail(errc::internal, "A stored WebAuthn challenge cannot be opened.");
  return std::optional<std::string>(std::move(*challenge));
}

result<std::string> webauthn_ceremonies::begin_registration(const std::string& user_id, std::string_view user_name,
                                                            std::string_view display_name) {
  std::vector<store::mfa_device_record> existing;
  auto r = store_.db().read([&](store::transaction& tx) -> result<void> {
    if (auto u = mfa_user_exists(tx, user_id); !u) return u;
    auto s = mfa_settings_in(tx);
    if (!s) return std::unexpected(s.error());
    if (!s->webauthn_allowed) return fail(errc::access_denied, "Security keys are not an allowed MFA type.");
    auto rows = tx.mfa_devices().list_for_user(user_id);
    if (!rows) return std::unexpected(rows.error());
    existing = std::move(*rows);
    return {};
  });
  if (!r) return std::unexpected(r.error());
  long keys = std::count_if(existing.begin(), existing.end(), [](const auto& d) { return d.kind == "webauthn"; });
  if (keys >= opt_.max_webauthn_devices)
    return fail(errc::quota_exceeded, "A user can register at most " + std::to_string(opt_.max_webauthn_devices) + " security keys.");
  std::string challenge(challenge_bytes, '\0');
  rnd_.fill(challenge.data(), challenge.size());
  json exclude = json::array();
  for (const auto& d : existing)
    if (d.kind == "webauthn") exclude.push_back(cred_descriptor(d.credential_id));
  auto ttl_ms = std::chrono::duration_cast<std::chrono::milliseconds>(opt_.challenge_ttl).count();
  // §5.4: ES256 first (every authenticator), then EdDSA and RS256 (Windows Hello).
  json options = {
      {"challenge", base64url_encode(challenge)},
      {"rp", {{"id", opt_.rp_id}, {"name", opt_.rp_name}}},
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
  if (auto r = remember(user_id, "registration", challenge); !r) return std::unexpected(r.error());
  return to_json_text(options);
}

result<mfa_device> webauthn_ceremonies::finish_registration(const call_context& ctx, const std::string& user_id,
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
  auto now = clk_.now();
  auto taken = take(user_id, "registration");
  if (!taken) return std::unexpected(taken.error());
  const auto& challenge = *taken;
  if (!challenge) return fail(errc::validation, "The security key registration has expired; start again.");
  auto reg = wa::verify_registration(*cdj, *att, {*challenge, opt_.origin, opt_.rp_id, false});
  if (!reg) return std::unexpected(reg.error());
  if (reg->credential_id != raw_id) return fail(errc::validation, "The credential id does not match the authenticator data.");
  store::mfa_device_record rec;
  rec.id = "mfa-" + rnd_.hex(16);
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
  return add_mfa_device(store_, opt_, ctx, "CompleteWebAuthnDeviceRegistration", std::move(rec));
}

result<std::string> webauthn_ceremonies::begin_assertion(const std::string& user_id) {
  json allow = json::array();
  auto r = store_.db().read([&](store::transaction& tx) -> result<void> {
    auto rows = tx.mfa_devices().list_for_user(user_id);
    if (!rows) return std::unexpected(rows.error());
    for (const auto& d : *rows)
      if (d.kind == "webauthn") allow.push_back(cred_descriptor(d.credential_id));
    return {};
  });
  if (!r) return std::unexpected(r.error());
  if (allow.empty()) return fail(errc::validation, "The user has no security key.");
  std::string challenge(challenge_bytes, '\0');
  rnd_.fill(challenge.data(), challenge.size());
  auto ttl_ms = std::chrono::duration_cast<std::chrono::milliseconds>(opt_.challenge_ttl).count();
  json options = {{"challenge", base64url_encode(challenge)}, {"rpId", opt_.rp_id}, {"timeout", ttl_ms},
                  {"allowCredentials", allow}, {"userVerification", "preferred"}};
  if (auto r = remember(user_id, "assertion", challenge); !r) return std::unexpected(r.error());
  return to_json_text(options);
}

result<bool> webauthn_ceremonies::finish_assertion(const call_context& ctx, const std::string& user_id,
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
  auto now = clk_.now();
  auto taken = take(user_id, "assertion");  // one try per challenge
  if (!taken) return std::unexpected(taken.error());
  const auto& challenge = *taken;
  if (!challenge) return false;
  // §7.2 steps 5-6: the credential is one of this user's, and the user handle (if any) is his.
  std::optional<store::mfa_device_record> dev;
  bool webauthn_allowed = false;
  auto r = store_.db().read([&](store::transaction& tx) -> result<void> {
    auto s = mfa_settings_in(tx);
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
  auto a = wa::verify_assertion(*cdj, *ad, *sig, *key, {*challenge, opt_.origin, opt_.rp_id, false});
  if (!a) {
    if (a.error().code == errc::unauthenticated) return false;
    return std::unexpected(a.error());
  }
  // §7.2 step 21, checked again inside the write so that two assertions cannot both move the
  // counter from the same stored value.
  bool ok = false;
  auto w = store_.db().write([&](store::transaction& tx) -> result<void> {
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
