#include "crypto/cose_key.hpp"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/param_build.h>

#include "crypto/cbor.hpp"

namespace atrium::crypto {

namespace {

// COSE labels (RFC 8152 §7.1, §13.1.1, §13.2; RFC 8230 §4).
constexpr int64_t kty = 1, alg_label = 3, crv = -1, x_label = -2, y_label = -3, rsa_n = -1, rsa_e = -2;
constexpr int64_t kty_okp = 1, kty_ec2 = 2, kty_rsa = 3, crv_p256 = 1, crv_ed25519 = 6;

struct param_bld_free {
  void operator()(OSSL_PARAM_BLD* b) const { OSSL_PARAM_BLD_free(b); }
};
struct param_free {
  void operator()(OSSL_PARAM* p) const { OSSL_PARAM_free(p); }
};
struct ctx_free {
  void operator()(EVP_PKEY_CTX* c) const { EVP_PKEY_CTX_free(c); }
};
struct bn_free {
  void operator()(BIGNUM* b) const { BN_free(b); }
};

pkey_ptr from_params(const char* type, OSSL_PARAM* params) {
  std::unique_ptr<EVP_PKEY_CTX, ctx_free> ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  EVP_PKEY* k = nullptr;
  if (!ctx || EVP_PKEY_fromdata_init(ctx.get()) <= 0 ||
      EVP_PKEY_fromdata(ctx.get(), &k, EVP_PKEY_PUBLIC_KEY, params) <= 0)
    return nullptr;
  return pkey_ptr(k);
}

result<pkey_ptr> ec_key(const std::string& x, const std::string& y) {
  if (x.size() != 32 || y.size() != 32) return fail(errc::validation, "An ES256 key has 32-byte coordinates.");
  std::string point = "\x04" + x + y;
  std::unique_ptr<OSSL_PARAM_BLD, param_bld_free> b(OSSL_PARAM_BLD_new());
  OSSL_PARAM_BLD_push_utf8_string(b.get(), OSSL_PKEY_PARAM_GROUP_NAME, "P-256", 0);
  OSSL_PARAM_BLD_push_octet_string(b.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size());
  std::unique_ptr<OSSL_PARAM, param_free> p(OSSL_PARAM_BLD_to_param(b.get()));
  auto k = p ? from_params("EC", p.get()) : nullptr;
  // fromdata does not check that the point is on the curve; a public-key check does.
  std::unique_ptr<EVP_PKEY_CTX, ctx_free> chk(k ? EVP_PKEY_CTX_new_from_pkey(nullptr, k.get(), nullptr) : nullptr);
  if (!k || !chk || EVP_PKEY_public_check(chk.get()) <= 0)
    return fail(errc::validation, "The ES256 key is not a point on P-256.");
  return k;
}

result<pkey_ptr> rsa_key(const std::string& n, const std::string& e) {
  if (n.size() < 256 || n.size() > 512 || e.empty() || e.size() > 8)
    return fail(errc::validation, "An RS256 key has a 2048 to 4096-bit modulus.");
  std::unique_ptr<BIGNUM, bn_free> bn_n(BN_bin2bn(reinterpret_cast<const unsigned char*>(n.data()), static_cast<int>(n.size()), nullptr));
  std::unique_ptr<BIGNUM, bn_free> bn_e(BN_bin2bn(reinterpret_cast<const unsigned char*>(e.data()), static_cast<int>(e.size()), nullptr));
  if (!bn_n || !bn_e || BN_num_bits(bn_n.get()) < 2048) return fail(errc::validation, "The RS256 modulus is too short.");
  std::unique_ptr<OSSL_PARAM_BLD, param_bld_free> b(OSSL_PARAM_BLD_new());
  OSSL_PARAM_BLD_push_BN(b.get(), OSSL_PKEY_PARAM_RSA_N, bn_n.get());
  OSSL_PARAM_BLD_push_BN(b.get(), OSSL_PKEY_PARAM_RSA_E, bn_e.get());
  std::unique_ptr<OSSL_PARAM, param_free> p(OSSL_PARAM_BLD_to_param(b.get()));
  auto k = p ? from_params("RSA", p.get()) : nullptr;
  if (!k) return fail(errc::validation, "The RS256 key is not usable.");
  return k;
}

result<pkey_ptr> ed25519_key(const std::string& x) {
  if (x.size() != 32) return fail(errc::validation, "An Ed25519 key is 32 bytes.");
  EVP_PKEY* k = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr,
                                            reinterpret_cast<const unsigned char*>(x.data()), x.size());
  if (!k) return fail(errc::validation, "The Ed25519 key is not usable.");
  return pkey_ptr(k);
}

}  // namespace

const char* to_string(cose_alg a) {
  switch (a) {
    case cose_alg::es256: return "ES256";
    case cose_alg::eddsa: return "EdDSA";
    case cose_alg::rs256: return "RS256";
  }
  return "?";
}

result<cose_public_key> parse_cose_key(std::string_view data) {
  if (data.size() > 2048) return fail(errc::validation, "The credential public key is too large.");
  std::size_t used = 0;
  auto m = cbor::decode(data, &used, {4, 32});
  if (!m) return std::unexpected(m.error());
  cbor_item_t* map = m->get();
  if (!cbor_isa_map(map)) return fail(errc::validation, "The credential public key is not a COSE_Key map.");
  auto type = cbor::integer(cbor::map_get(map, kty));
  auto alg = cbor::integer(cbor::map_get(map, alg_label));
  if (!type || !alg) return fail(errc::validation, "The COSE_Key has no kty or alg.");
  cose_public_key out;
  if (*alg == -7 && *type == kty_ec2) {
    auto c = cbor::integer(cbor::map_get(map, crv));
    auto x = cbor::bytes(cbor::map_get(map, x_label));
    auto y = cbor::bytes(cbor::map_get(map, y_label));
    if (!c || *c != crv_p256 || !x || !y) return fail(errc::validation, "An ES256 COSE_Key needs crv P-256, x and y.");
    auto k = ec_key(*x, *y);
    if (!k) return std::unexpected(k.error());
    out = {cose_alg::es256, std::move(*k), *x, *y};
    return out;
  }
  if (*alg == -257 && *type == kty_rsa) {
    auto n = cbor::bytes(cbor::map_get(map, rsa_n));
    auto e = cbor::bytes(cbor::map_get(map, rsa_e));
    if (!n || !e) return fail(errc::validation, "An RS256 COSE_Key needs n and e.");
    auto k = rsa_key(*n, *e);
    if (!k) return std::unexpected(k.error());
    out.alg = cose_alg::rs256;
    out.key = std::move(*k);
    return out;
  }
  if (*alg == -8 && *type == kty_okp) {
    auto c = cbor::integer(cbor::map_get(map, crv));
    auto x = cbor::bytes(cbor::map_get(map, x_label));
    if (!c || *c != crv_ed25519 || !x) return fail(errc::validation, "An EdDSA COSE_Key needs crv Ed25519 and x.");
    auto k = ed25519_key(*x);
    if (!k) return std::unexpected(k.error());
    out.alg = cose_alg::eddsa;
    out.key = std::move(*k);
    return out;
  }
  return fail(errc::validation, "The credential's algorithm is not one of ES256, RS256 and EdDSA.");
}

bool verify_signature(cose_alg alg, EVP_PKEY* key, std::string_view message, std::string_view signature) {
  if (!key || signature.empty() || signature.size() > 1024) return false;
  // The key must be of the algorithm's type (an RSA key never verifies an "ES256" signature).
  const char* type = alg == cose_alg::es256 ? "EC" : alg == cose_alg::rs256 ? "RSA" : "ED25519";
  if (!EVP_PKEY_is_a(key, type)) return false;
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> md(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  if (!md) return false;
  const EVP_MD* digest = alg == cose_alg::eddsa ? nullptr : EVP_sha256();  // Ed25519 hashes itself
  if (EVP_DigestVerifyInit(md.get(), nullptr, digest, nullptr, key) != 1) return false;
  return EVP_DigestVerify(md.get(), reinterpret_cast<const unsigned char*>(signature.data()), signature.size(),
                          reinterpret_cast<const unsigned char*>(message.data()), message.size()) == 1;
}

}  // namespace atrium::crypto
