#pragma once
// A software WebAuthn authenticator and browser for service tests: an ES256 (P-256) key, "none"
// attestation as Chrome sends it by default, assertions with a signature counter. Answers the
// options mfa_service hands out with the PublicKeyCredential JSON a browser would post.
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "base/strings.hpp"
#include "crypto/primitives.hpp"

namespace atrium::testing {

class soft_authenticator {
 public:
  soft_authenticator(std::string rp_id, std::string origin, std::string cred_id)
      : rp_id_(std::move(rp_id)), origin_(std::move(origin)), cred_id_(std::move(cred_id)), key_(EVP_EC_gen("P-256")) {}
  ~soft_authenticator() { EVP_PKEY_free(key_); }
  soft_authenticator(const soft_authenticator&) = delete;
  soft_authenticator& operator=(const soft_authenticator&) = delete;

  uint32_t counter = 0;
  std::string origin_override;  // a phishing site's origin, when set

  // The credential is serialised JSON, as the MFA service takes it.
  std::string create(const nlohmann::json& options) {
    std::string cdj = client_data("webauthn.create", options.at("challenge").get<std::string>());
    std::string ad = auth_data(0x41, true);
    std::string obj = "\xa3" + text("fmt") + text("none") + text("attStmt") + "\xa0" + text("authData") + bytes(ad);
    return nlohmann::json{{"id", base64url_encode(cred_id_)}, {"rawId", base64url_encode(cred_id_)}, {"type", "public-key"},
                          {"response", {{"clientDataJSON", base64url_encode(cdj)}, {"attestationObject", base64url_encode(obj)}}}}
        .dump();
  }

  std::string get(const nlohmann::json& options, const std::string& user_handle = {}) {
    std::string cdj = client_data("webauthn.get", options.at("challenge").get<std::string>());
    ++counter;
    std::string ad = auth_data(0x01, false);
    std::string sig = sign(ad + crypto::sha256(cdj));
    nlohmann::json resp = {{"clientDataJSON", base64url_encode(cdj)}, {"authenticatorData", base64url_encode(ad)},
                           {"signature", base64url_encode(sig)}};
    resp["userHandle"] = user_handle.empty() ? nlohmann::json(nullptr) : nlohmann::json(base64url_encode(user_handle));
    return nlohmann::json{{"id", base64url_encode(cred_id_)}, {"rawId", base64url_encode(cred_id_)}, {"type", "public-key"},
                          {"response", resp}}
        .dump();
  }

 private:
  static std::string head(int major, std::size_t n) {
    std::string h;
    if (n < 24) return std::string(1, static_cast<char>((major << 5) | n));
    if (n < 256) return std::string(1, static_cast<char>((major << 5) | 24)) + static_cast<char>(n);
    h += static_cast<char>((major << 5) | 25);
    h += static_cast<char>(n >> 8);
    h += static_cast<char>(n & 0xff);
    return h;
  }
  static std::string text(const std::string& s) { return head(3, s.size()) + s; }
  static std::string bytes(const std::string& s) { return head(2, s.size()) + s; }

  std::string client_data(const char* type, const std::string& challenge) const {
    return nlohmann::json{{"type", type}, {"challenge", challenge},
                          {"origin", origin_override.empty() ? origin_ : origin_override}, {"crossOrigin", false}}
        .dump();
  }

  std::string cose_key() const {
    unsigned char pub[65];
    std::size_t len = 0;
    EVP_PKEY_get_octet_string_param(key_, OSSL_PKEY_PARAM_PUB_KEY, pub, sizeof pub, &len);
    std::string x(reinterpret_cast<char*>(pub + 1), 32), y(reinterpret_cast<char*>(pub + 33), 32);
    // {1: 2, 3: -7, -1: 1, -2: x, -3: y}
    return std::string("\xa5\x01\x02\x03\x26\x20\x01\x21", 8) + bytes(x) + "\x22" + bytes(y);
  }

  std::string auth_data(uint8_t flags, bool attested) const {
    std::string ad = crypto::sha256(rp_id_);
    ad += static_cast<char>(flags);
    for (int s = 24; s >= 0; s -= 8) ad += static_cast<char>((counter >> s) & 0xff);
    if (attested) {
      ad += std::string(16, '\0');
      ad += static_cast<char>(cred_id_.size() >> 8);
      ad += static_cast<char>(cred_id_.size() & 0xff);
      ad += cred_id_ + cose_key();
    }
    return ad;
  }

  std::string sign(const std::string& data) const {
    EVP_MD_CTX* md = EVP_MD_CTX_new();
    std::size_t len = 0;
    EVP_DigestSignInit(md, nullptr, EVP_sha256(), nullptr, key_);
    EVP_DigestSign(md, nullptr, &len, reinterpret_cast<const unsigned char*>(data.data()), data.size());
    std::string sig(len, '\0');
    EVP_DigestSign(md, reinterpret_cast<unsigned char*>(sig.data()), &len,
                   reinterpret_cast<const unsigned char*>(data.data()), data.size());
    EVP_MD_CTX_free(md);
    sig.resize(len);
    return sig;
  }

  std::string rp_id_, origin_, cred_id_;
  EVP_PKEY* key_;
};

}  // namespace atrium::testing
