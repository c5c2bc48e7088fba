#pragma once
// The configuration of an external IdP (issue 17; user guide "Connect to your external
// identity provider"): what the administrator gives — the IdP's metadata file, or its sign-in
// URL, issuer and certificate entered by hand — checked and turned into a store record, and the
// identity-source settings every other piece reads. Pure apart from the clock value passed in.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.hpp"
#include "base/result.hpp"
#include "store/external_idp_repository.hpp"
#include "store/repositories.hpp"

namespace atrium::service {

inline constexpr const char* identity_source_setting = "identity_source";
inline constexpr const char* multiple_idps_setting = "identity_source.multiple_idps";

struct idp_limits {
  static constexpr std::size_t max_metadata_bytes = 256 * 1024;
  static constexpr std::size_t max_certificates = 2;  // two during a rotation
  static constexpr std::size_t max_certificate_bytes = 16 * 1024;
  static constexpr std::size_t max_domains = 50;
  static constexpr std::size_t max_url = 1024;
  static constexpr int min_rsa_bits = 2048;
  static constexpr std::size_t max_idps = 20;
};

// What Create/UpdateExternalIdPConfigurationForDirectory carry (absent: unchanged, or the
// default on create). Either metadata, or entity_id/sso_url/certificates.
struct idp_input {
  std::optional<std::string> metadata;
  std::optional<std::string> entity_id;
  std::optional<std::string> sso_url;
  std::optional<std::vector<std::string>> certificates;  // PEM
  std::optional<std::vector<std::string>> domains;
  std::optional<bool> sign_authn_requests;
  std::optional<bool> allow_idp_initiated;
};

// Applies `in` to `r` (a new record or the stored one) and checks the result: metadata read
// with xml::read_idp_metadata; https (or loopback http) SSO URL; 1-2 certificates, each PEM, RSA
// of at least 2048 bits and not expired at `now`; domains lower-cased, each a DNS name. Errors
// are errc::validation with a message that names what is wrong.
result<void> apply_idp_input(store::external_idp_record& r, const idp_input& in, sys_time now);

// A certificate as the API shows it.
struct idp_certificate_view {
  std::string id;  // "idpcert-" + 16 hex of the SHA-256 fingerprint
  std::string subject;
  sys_time not_after{};
};
std::vector<idp_certificate_view> certificate_views(const store::external_idp_record& r);
// The earliest expiry of an IdP's certificates (the metric and status warnings).
std::optional<sys_time> earliest_expiry(const store::external_idp_record& r);

// RFC 2822 §3.4.1 addr-spec in its dot-atom form (no quoted strings, no comments, no
// obsolete syntax): what the guide's "Other identity providers" asks the NameID to hold.
bool is_addr_spec(std::string_view s);

struct identity_source_state {
  bool external = false;       // EXTERNAL_IDP
  bool multiple_idps = false;  // beyond the service
};
result<identity_source_state> read_identity_source(store::transaction& tx);

// The enabled IdP bound to the e-mail's domain (home realm discovery, multi-IdP mode).
result<std::optional<std::string>> enabled_idp_of_email(store::transaction& tx, std::string_view email);

// Are passwords Atrium's business for this user name? Always with the built-in store; never
// while the source is one external IdP (guide "Password requirements": with an external IdP
// "the password policies for your users are defined and enforced in those systems"); in
// multi-IdP mode only for names whose domain no enabled IdP claims (break-glass users).
result<bool> passwords_in_atrium(store::transaction& tx, std::string_view user_name);
// What password pages and commands answer (errc::access_denied) when they are not.
inline constexpr const char* passwords_in_idp_message =
    "The identity source is an external identity provider: passwords are managed there, not in Atrium. "
    "Reset or change the password with the identity provider.";

}  // namespace atrium::service
