#include "crypto/webauthn.hpp"

#include <nlohmann/json.hpp>

#include "base/strings.hpp"
#include "crypto/cbor.hpp"
#include "crypto/primitives.hpp"
#include "crypto/webauthn_attestation.hpp"

namespace atrium::crypto::webauthn {

namespace {


uint32_t be32(std::string_view s, std::size_t at) {
  uint32_t v = 0;
  for (int k = 0; k < 4; ++k) v = (v << 8) | static_cast<unsigned char>(s[at + k]);
  return v;
}

// §7.1 steps 5-10 / §7.2 steps 10-14: clientDataJSON's type, challenge, origin, crossOrigin
// and tokenBinding. JSON-compatible serialization is parsed as JSON (§5.8.1.2 allows that).
result<void> check_client_data(std::string_view cdj, std::string_view type, const expectations& e) {
  if (cdj.empty() || cdj.size() > max_client_data_json) return fail(errc::validation, "clientDataJSON is empty or too large.");
  if (!valid_utf8(cdj) || json_nesting_depth(cdj) > 4) return fail(errc::validation, "clientDataJSON is not UTF-8 JSON.");
  auto j = nlohmann::json::parse(cdj, nullptr, false);
  if (!j.is_object()) return fail(errc::validation, "clientDataJSON is not a JSON object.");
  auto str = [&](const char* k) -> const std::string* {
    auto it = j.find(k);
    return it != j.end() && it->is_string() ? it->get_ptr<const std::string*>() : nullptr;
  };
  const auto *t = str("type"), *c = str("challenge"), *o = str("origin");
  if (!t || !c || !o) return fail(errc::validation, "clientDataJSON lacks type, challenge or origin.");
  if (*t != type) return refused("clientDataJSON.type is not " + std::string(type) + ".");
  auto challenge = base64url_decode(*c);
  if (!challenge || !constant_time_equal(*challenge, e.challenge)) return refused("The challenge does not match.");
  if (*o != e.origin) return refused("The origin does not match.");
  if (auto co = j.find("crossOrigin"); co != j.end() && !(co->is_boolean() && !co->get<bool>()))
    return refused("Cross-origin ceremonies are not accepted.");
  // Atrium never uses Token Binding; a client saying it is in use does not match this connection.
  if (auto tb = j.find("tokenBinding"); tb != j.end() && tb->is_object() && tb->value("status", "") == "present")
    return refused("Token Binding is not supported.");
  return {};
}

// §7.1 steps 13-15 / §7.2 steps 15-17.
result<void> check_flags_and_rp(const authenticator_data& ad, const expectations& e) {
  if (!constant_time_equal(ad.rp_id_hash, sha256(e.rp_id))) return refused("The rpIdHash does not match the relying party.");
  if (!(ad.flags & flag_up)) return refused("The user was not present (UP flag not set).");
  if (e.require_user_verification && !(ad.flags & flag_uv)) return refused("User verification is required (UV flag not set).");
  return {};
}

}  // namespace

result<authenticator_data> parse_authenticator_data(std::string_view raw) {
  if (raw.size() < 37 || raw.size() > max_authenticator_data + max_attestation_object)
    return fail(errc::validation, "The authenticator data is too short or too long.");
  authenticator_data ad;
  ad.rp_id_hash = std::string(raw.substr(0, 32));
  ad.flags = static_cast<uint8_t>(raw[32]);
  ad.sign_count = be32(raw, 33);
  std::size_t at = 37;
  if (ad.flags & flag_at) {
    if (raw.size() < at + 18) return fail(errc::validation, "The attested credential data ends early.");
    ad.aaguid = std::string(raw.substr(at, 16));
    std::size_t len = (static_cast<unsigned char>(raw[at + 16]) << 8) | static_cast<unsigned char>(raw[at + 17]);
    at += 18;
    if (len == 0 || len > max_credential_id) return fail(errc::validation, "The credential id is empty or longer than 1023 bytes.");
    if (raw.size() - at < len) return fail(errc::validation, "The credential id ends early.");
    ad.credential_id = std::string(raw.substr(at, len));
    at += len;
    auto key_len = cbor::item_length(raw.substr(at), {4, 32});
    if (!key_len) return fail(errc::validation, "The credential public key is not CBOR: " + key_len.error().message);
    ad.credential_public_key = std::string(raw.substr(at, *key_len));
    at += *key_len;
  }
  if (ad.flags & flag_ed) {
    auto ext = cbor::decode(raw.substr(at), nullptr, {8, 256});
    if (!ext || !cbor_isa_map(ext->get())) return fail(errc::validation, "The authenticator extensions are not a CBOR map.");
    auto ext_len = cbor::item_length(raw.substr(at), {8, 256});
    at += *ext_len;
  }
  if (at != raw.size()) return fail(errc::validation, "The authenticator data has trailing bytes.");
  return ad;
}

const char* to_string(attestation_type t) {
  switch (t) {
    case attestation_type::none: return "None";
    case attestation_type::self: return "Self";
    case attestation_type::basic: return "Basic";
  }
  return "None";
}

result<registration> verify_registration(std::string_view cdj, std::string_view att_obj, const expectations& e) {
  if (auto r = check_client_data(cdj, "webauthn.create", e); !r) return std::unexpected(r.error());
  // §7.1 step 12: decode the attestation object (fmt, attStmt, authData).
  if (att_obj.empty() || att_obj.size() > max_attestation_object) return fail(errc::validation, "The attestation object is empty or too large.");
  std::size_t used = 0;
  auto obj = cbor::decode(att_obj, &used, {6, 256});
  if (!obj) return fail(errc::validation, "The attestation object is not CBOR: " + obj.error().message);
  if (used != att_obj.size()) return fail(errc::validation, "The attestation object has trailing bytes.");
  auto fmt = cbor::text(cbor::map_get(obj->get(), "fmt"));
  auto auth_raw = cbor::bytes(cbor::map_get(obj->get(), "authData"));
  cbor_item_t* stmt = cbor::map_get(obj->get(), "attStmt");
  if (!fmt || !auth_raw || !stmt || !cbor_isa_map(stmt))
    return fail(errc::validation, "The attestation object needs fmt, attStmt and authData.");
  auto ad = parse_authenticator_data(*auth_raw);
  if (!ad) return std::unexpected(ad.error());
  if (auto r = check_flags_and_rp(*ad, e); !r) return std::unexpected(r.error());
  if (!(ad->flags & flag_at)) return fail(errc::validation, "The authenticator data carries no credential (AT flag not set).");
  // §7.1 step 16: the credential's algorithm is one that was asked for (ES256, EdDSA, RS256).
  auto key = parse_cose_key(ad->credential_public_key);
  if (!key) return std::unexpected(key.error());
  // §7.1 steps 18-20.
  auto att = verify_attestation(*fmt, stmt, *auth_raw, *ad, *key, sha256(cdj));
  if (!att) return std::unexpected(att.error());
  registration out;
  out.credential_id = ad->credential_id;
  out.public_key = ad->credential_public_key;
  out.alg = key->alg;
  out.sign_count = ad->sign_count;
  out.aaguid = ad->aaguid;
  out.format = *fmt;
  out.attestation = *att;
  out.user_verified = (ad->flags & flag_uv) != 0;
  return out;
}

result<assertion> verify_assertion(std::string_view cdj, std::string_view auth_raw, std::string_view signature,
                                   std::string_view public_key, const expectations& e) {
  if (auth_raw.size() > max_authenticator_data) return fail(errc::validation, "The authenticator data is too large.");
  if (signature.empty() || signature.size() > max_signature) return fail(errc::validation, "The signature is empty or too large.");
  if (auto r = check_client_data(cdj, "webauthn.get", e); !r) return std::unexpected(r.error());
  auto ad = parse_authenticator_data(auth_raw);
  if (!ad) return std::unexpected(ad.error());
  if (auto r = check_flags_and_rp(*ad, e); !r) return std::unexpected(r.error());
  auto key = parse_cose_key(public_key);
  if (!key) return fail(errc::internal, "The stored credential public key is unusable: " + key.error().message);
  // §7.2 steps 19-20: the signature over authenticatorData || SHA-256(clientDataJSON).
  std::string signed_data = std::string(auth_raw) + sha256(cdj);
  if (!verify_signature(key->alg, key->key.get(), signed_data, signature)) return refused("The assertion signature is not valid.");
  return assertion{ad->sign_count, (ad->flags & flag_uv) != 0};
}

bool sign_count_ok(uint32_t stored, uint32_t received) {
  if (stored == 0 && received == 0) return true;  // the authenticator has no counter
  return received > stored;
}

}  // namespace atrium::crypto::webauthn
