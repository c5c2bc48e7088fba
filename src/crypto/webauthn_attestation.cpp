#include "crypto/webauthn_attestation.hpp"

#include <openssl/objects.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>
#include <vector>

#include "crypto/cbor.hpp"

namespace atrium::crypto::webauthn {

namespace {

constexpr std::size_t max_certificates = 4, max_certificate_bytes = 4096;
// id-fido-gen-ce-aaguid (§8.2.1): the AAGUID as an OCTET STRING extension value.
constexpr const char* aaguid_oid = "1.3.6.1.4.1.45724.1.1.4";

// attStmt.x5c: an array of DER certificates, leaf first.
result<std::vector<x509_ptr>> certificates(cbor_item_t* x5c) {
  if (!cbor_isa_array(x5c) || cbor_array_size(x5c) == 0 || cbor_array_size(x5c) > max_certificates)
    return fail(errc::validation, "attStmt.x5c must hold 1 to 4 certificates.");
  std::vector<x509_ptr> out;
  for (std::size_t k = 0; k < cbor_array_size(x5c); ++k) {
    cbor_item_t* c = cbor_array_get(x5c, k);
    auto der = cbor::bytes(c);
    cbor_decref(&c);
    if (!der || der->empty() || der->size() > max_certificate_bytes)
      return fail(errc::validation, "An attestation certificate is missing or too large.");
    const auto* p = reinterpret_cast<const unsigned char*>(der->data());
    x509_ptr x(d2i_X509(nullptr, &p, static_cast<long>(der->size())));
    if (!x || p != reinterpret_cast<const unsigned char*>(der->data()) + der->size())
      return fail(errc::validation, "An attestation certificate is not DER X.509.");
    out.push_back(std::move(x));
  }
  // Each certificate is signed by the next one (the chain up to, not including, a root).
  for (std::size_t k = 0; k + 1 < out.size(); ++k) {
    EVP_PKEY* issuer = X509_get0_pubkey(out[k + 1].get());
    if (!issuer || X509_verify(out[k].get(), issuer) != 1) return refused("The attestation certificate chain does not verify.");
  }
  return out;
}

std::string subject_entry(X509* x, int nid) {
  X509_NAME* n = X509_get_subject_name(x);
  int i = X509_NAME_get_index_by_NID(n, nid, -1);
  if (i < 0) return {};
  ASN1_STRING* s = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(n, i));
  return std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)), ASN1_STRING_length(s));
}

// §8.2.1 Packed attestation statement certificate requirements.
result<void> check_packed_certificate(X509* x, std::string_view aaguid) {
  if (X509_get_version(x) != 2) return refused("The attestation certificate is not X.509 version 3.");
  if (subject_entry(x, NID_countryName).size() != 2 || subject_entry(x, NID_organizationName).empty() ||
      subject_entry(x, NID_organizationalUnitName) != "Authenticator Attestation" ||
      subject_entry(x, NID_commonName).empty())
    return refused("The attestation certificate's subject does not meet WebAuthn §8.2.1 (C, O, OU, CN).");
  if (X509_check_ca(x) != 0) return refused("The attestation certificate is a CA certificate.");
  std::unique_ptr<ASN1_OBJECT, decltype(&ASN1_OBJECT_free)> oid(OBJ_txt2obj(aaguid_oid, 1), ASN1_OBJECT_free);
  int at = oid ? X509_get_ext_by_OBJ(x, oid.get(), -1) : -1;
  if (at >= 0) {
    X509_EXTENSION* ext = X509_get_ext(x, at);
    if (X509_EXTENSION_get_critical(ext)) return refused("The AAGUID extension must not be critical.");
    ASN1_OCTET_STRING* v = X509_EXTENSION_get_data(ext);
    std::string want = std::string("\x04\x10", 2) + std::string(aaguid);
    std::string got(reinterpret_cast<const char*>(ASN1_STRING_get0_data(v)), ASN1_STRING_length(v));
    if (got != want) return refused("The attestation certificate's AAGUID does not match the authenticator data.");
  }
  return {};
}

// §8.2 packed: self attestation (no x5c, the credential key signs) or full (x5c).
result<attestation_type> verify_packed(cbor_item_t* stmt, std::string_view auth_raw, const authenticator_data& ad,
                                       const cose_public_key& cred, std::string_view cdh) {
  auto alg = cbor::integer(cbor::map_get(stmt, "alg"));
  auto sig = cbor::bytes(cbor::map_get(stmt, "sig"));
  if (!alg || !sig) return fail(errc::validation, "A packed attestation statement needs alg and sig.");
  if (*alg != -7 && *alg != -8 && *alg != -257) return refused("The attestation algorithm is not supported.");
  auto a = static_cast<cose_alg>(*alg);
  std::string signed_data = std::string(auth_raw) + std::string(cdh);
  cbor_item_t* x5c = cbor::map_get(stmt, "x5c");
  if (!x5c) {
    if (a != cred.alg) return refused("Self attestation must use the credential's own algorithm.");
    if (!verify_signature(a, cred.key.get(), signed_data, *sig)) return refused("The self attestation signature is not valid.");
    return attestation_type::self;
  }
  auto certs = certificates(x5c);
  if (!certs) return std::unexpected(certs.error());
  X509* leaf = certs->front().get();
  if (!verify_signature(a, X509_get0_pubkey(leaf), signed_data, *sig)) return refused("The attestation signature is not valid.");
  if (auto r = check_packed_certificate(leaf, ad.aaguid); !r) return std::unexpected(r.error());
  return attestation_type::basic;
}

// §8.6 fido-u2f: one P-256 certificate signs 0x00 || rpIdHash || clientDataHash || credentialId
// || 0x04 || x || y.
result<attestation_type> verify_u2f(cbor_item_t* stmt, const authenticator_data& ad, const cose_public_key& cred,
                                    std::string_view cdh) {
  auto sig = cbor::bytes(cbor::map_get(stmt, "sig"));
  cbor_item_t* x5c = cbor::map_get(stmt, "x5c");
  if (!sig || !x5c) return fail(errc::validation, "A fido-u2f attestation statement needs x5c and sig.");
  if (!cbor_isa_array(x5c) || cbor_array_size(x5c) != 1) return refused("fido-u2f attestation carries exactly one certificate.");
  auto certs = certificates(x5c);
  if (!certs) return std::unexpected(certs.error());
  EVP_PKEY* att = X509_get0_pubkey(certs->front().get());
  char group[32] = {};
  std::size_t glen = 0;
  if (!att || !EVP_PKEY_is_a(att, "EC") || EVP_PKEY_get_group_name(att, group, sizeof group, &glen) != 1 ||
      std::string_view(group, glen) != "prime256v1")
    return refused("The fido-u2f attestation certificate's key is not P-256.");
  if (cred.alg != cose_alg::es256) return refused("A fido-u2f credential key is ES256 (P-256).");
  std::string data = std::string(1, '\0') + ad.rp_id_hash + std::string(cdh) + ad.credential_id + "\x04" + cred.ec_x + cred.ec_y;
  if (!verify_signature(cose_alg::es256, att, data, *sig)) return refused("The fido-u2f attestation signature is not valid.");
  return attestation_type::basic;
}

}  // namespace

result<attestation_type> verify_attestation(std::string_view fmt, cbor_item_t* stmt, std::string_view auth_raw,
                                            const authenticator_data& ad, const cose_public_key& cred,
                                            std::string_view cdh) {
  if (fmt == "none") {
    // §8.7: the statement is an empty map.
    if (cbor_map_size(stmt) != 0) return fail(errc::validation, "A none attestation statement is empty.");
    return attestation_type::none;
  }
  if (fmt == "packed") return verify_packed(stmt, auth_raw, ad, cred, cdh);
  if (fmt == "fido-u2f") return verify_u2f(stmt, ad, cred, cdh);
  return refused("The attestation format is not one of none, packed and fido-u2f.");
}

}  // namespace atrium::crypto::webauthn
