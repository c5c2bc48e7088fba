#pragma once
// Atrium as a SAML IdP toward AWS accounts (user guide "IAM identity provider", "Manage your
// IAM Identity Center certificates"): the signing certificates and the IdP metadata that the
// account's SAML provider (AWSSSO_<…>_DO_NOT_DELETE) holds.
//
// The certificates live in the settings table under `idp_signing_setting` as JSON; each private
// key is sealed with the deployment's master key (crypto::secret_box) and opened only when a
// caller asks for the active key. Rotation keeps the previous certificate listed (and in the
// metadata) until it is retired, so accounts can be updated before the old key stops signing.
#include <string>
#include <vector>

#include "base/clock.hpp"
#include "crypto/primitives.hpp"
#include "service/audit/audited_store.hpp"
#include "service/audit/call_context.hpp"

namespace atrium::service {

inline constexpr const char* idp_signing_setting = "idp.signing_certificates";

struct idp_certificate {
  std::string id;  // "idpcert-<16 hex of the fingerprint>"
  std::string certificate_pem;
  std::string sha256_fingerprint;
  sys_time not_before{};
  sys_time not_after{};
  bool active = false;  // the one that signs; the others are "previous"
};

struct idp_metadata_params {
  std::string entity_id;  // the IdP's issuer, e.g. https://host:port/saml/metadata/<instance>
  std::string sso_url;    // https://host:port/saml/assertion/<instance>
  bool want_authn_requests_signed = false;  // an application whose SP signs its requests
};

class idp_signing {
 public:
  // `common_name` goes into new certificates ("Atrium IdP <instance id>").
  idp_signing(audited_store& store, const clock& clk, const crypto::secret_box& box, std::string common_name,
              int rsa_bits = 3072);

  // First start: creates the first certificate when there is none. True when it made one.
  result<bool> ensure(const call_context& ctx);
  // The active certificate first, then the previous ones (newest first).
  result<std::vector<idp_certificate>> list();
  // Makes a new active certificate; the old active one stays as previous. Refused
  // (errc::conflict) while a previous one is still listed: retire it first.
  result<idp_certificate> rotate(const call_context& ctx);
  // Removes every previous certificate; returns how many were removed.
  result<int> retire_previous(const call_context& ctx);
  // The active private key (PEM), opened from its sealed form; for the assertion signer.
  result<std::string> active_private_key_pem();
  // The active certificate's id only (one settings read, nothing unsealed): lets a signer
  // built for it be reused until a rotation makes another active.
  result<std::string> active_certificate_id();
  // The active certificate and its private key (PEM) read together, so that a rotation cannot
  // pair one certificate with another's key.
  struct key_pair {
    idp_certificate certificate;
    std::string private_key_pem;
  };
  result<key_pair> active_key_pair();

  // SAML 2.0 IdP metadata (EntityDescriptor / IDPSSODescriptor) listing every certificate as a
  // signing KeyDescriptor, the NameID formats, and SingleSignOnService for HTTP-Redirect and
  // HTTP-POST. Unsigned; every value is XML-escaped.
  static std::string metadata_xml(const std::vector<idp_certificate>& certs, const idp_metadata_params& params);

 private:
  audited_store& store_;
  const clock& clock_;
  const crypto::secret_box& box_;
  std::string common_name_;
  int rsa_bits_;
};

}  // namespace atrium::service
