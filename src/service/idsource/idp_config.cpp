#include "service/idsource/idp_config.hpp"

#include <algorithm>

#include "base/strings.hpp"
#include "base/try.hpp"
#include "crypto/x509_info.hpp"
#include "xml/saml_metadata.hpp"

namespace atrium::service {

namespace {

bool loopback_http(std::string_view url) {
  for (std::string_view p : {"http://127.0.0.1", "http://localhost", "http://[::1]"})
    if (url.starts_with(p) && (url.size() == p.size() || url[p.size()] == ':' || url[p.size()] == '/')) return true;
  return false;
}

result<void> check_sso_url(const std::string& url) {
  if (url.empty() || url.size() > idp_limits::max_url) return invalid("SsoUrl must be a URL of 1-1024 characters.");
  for (unsigned char c : url)
    if (c <= 0x20 || c >= 0x7f) return invalid("SsoUrl must not contain spaces or control characters.");
  if (!url.starts_with("https://") && !loopback_http(url))
    return invalid("SsoUrl must be an https URL (http only on loopback).");
  if (url.find('#') != std::string::npos) return invalid("SsoUrl must not have a fragment.");
  return {};
}

result<void> check_entity_id(const std::string& id) {
  if (id.empty() || id.size() > idp_limits::max_url) return invalid("EntityId must be 1-1024 characters.");
  for (unsigned char c : id)
    if (c < 0x20 || c == 0x7f) return invalid("EntityId must not contain control characters.");
  return {};
}

// The guide: "the necessary public x509 certificate used to trust messages that are sent from
// the IdP". Refused: not PEM, not RSA, RSA below 2048 bits, expired or not yet valid.
result<std::vector<std::string>> check_certificates(const std::vector<std::string>& pems, sys_time now) {
  if (pems.empty()) return invalid("Give the IdP's signing certificate (PEM).");
  if (pems.size() > idp_limits::max_certificates)
    return invalid("At most two certificates (the current and the next one, during a rotation).");
  std::vector<std::string> out;
  for (std::size_t i = 0; i < pems.size(); ++i) {
    std::string which = "Certificate " + std::to_string(i + 1) + ": ";
    if (pems[i].size() > idp_limits::max_certificate_bytes) return invalid(which + "is larger than 16 KB.");
    auto info = crypto::read_certificate_pem(pems[i]);
    if (!info) return invalid(which + info.error().message);
    if (!info->rsa) return invalid(which + "the key is not RSA (the IdP must sign with RSA-SHA256).");
    if (info->key_bits < idp_limits::min_rsa_bits)
      return invalid(which + "the RSA key has " + std::to_string(info->key_bits) + " bits; at least 2048 are needed.");
    if (info->not_after <= now)
      return invalid(which + "expired on " + iso8601(info->not_after, false) + " (" + info->subject + ").");
    if (info->not_before > now + std::chrono::hours(24))
      return invalid(which + "is not valid before " + iso8601(info->not_before, false) + ".");
    for (const auto& seen : out)
      if (seen == info->pem) return invalid(which + "is given twice.");
    out.push_back(info->pem);
  }
  return out;
}

bool alnum_ascii(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }
bool dns_label_char(char c) { return alnum_ascii(c) || c == '-'; }

result<std::vector<std::string>> check_domains(const std::vector<std::string>& in) {
  if (in.size() > idp_limits::max_domains) return invalid("At most 50 domains per identity provider.");
  std::vector<std::string> out;
  for (const auto& d : in) {
    std::string lower = to_lower_ascii(d);
    bool ok = !lower.empty() && lower.size() <= 253 && lower.find('.') != std::string::npos && lower.front() != '.' &&
              lower.back() != '.' && lower.find("..") == std::string::npos &&
              std::all_of(lower.begin(), lower.end(), [](char c) { return dns_label_char(c) || c == '.'; });
    if (!ok) return invalid("Domain '" + d.substr(0, 64) + "' is not a DNS name such as example.com.");
    if (std::find(out.begin(), out.end(), lower) == out.end()) out.push_back(lower);
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

result<void> apply_idp_input(store::external_idp_record& r, const idp_input& in, sys_time now) {
  if (in.metadata && (in.entity_id || in.sso_url || in.certificates))
    return invalid("Give either Metadata or EntityId, SsoUrl and Certificates, not both.");
  if (in.metadata) {
    if (in.metadata->size() > idp_limits::max_metadata_bytes) return invalid("Metadata is larger than 256 KB.");
    auto md = xml::read_idp_metadata(*in.metadata);
    if (!md) return invalid("The IdP metadata cannot be used: " + md.error().message);
    r.entity_id = md->entity_id;
    r.sso_url = md->sso_url;
    r.certificates = md->signing_certificates;
    r.metadata = *in.metadata;
    if (!in.sign_authn_requests) r.sign_authn_requests = md->want_authn_requests_signed;
  } else {
    if (in.entity_id) r.entity_id = *in.entity_id;
    if (in.sso_url) r.sso_url = *in.sso_url;
    if (in.certificates) r.certificates = *in.certificates;
    if (in.entity_id || in.sso_url || in.certificates) r.metadata.reset();
  }
  if (in.domains) {
    TRY(domains, check_domains(*in.domains));
    r.domains = std::move(domains);
  }
  if (in.sign_authn_requests) r.sign_authn_requests = *in.sign_authn_requests;
  if (in.allow_idp_initiated) r.allow_idp_initiated = *in.allow_idp_initiated;
  if (r.entity_id.empty() && r.sso_url.empty() && r.certificates.empty())
    return invalid("Give the IdP's Metadata, or its EntityId, SsoUrl and Certificates.");
  TRY_VOID(check_entity_id(r.entity_id));
  TRY_VOID(check_sso_url(r.sso_url));
  TRY(certs, check_certificates(r.certificates, now));
  r.certificates = std::move(certs);
  return {};
}

std::vector<idp_certificate_view> certificate_views(const store::external_idp_record& r) {
  std::vector<idp_certificate_view> out;
  for (const auto& pem : r.certificates) {
    auto info = crypto::read_certificate_pem(pem);
    if (!info) continue;  // stored after the checks above: cannot happen
    out.push_back({"idpcert-" + info->sha256_fingerprint.substr(0, 16), info->subject, info->not_after});
  }
  return out;
}

std::optional<sys_time> earliest_expiry(const store::external_idp_record& r) {
  std::optional<sys_time> out;
  for (const auto& c : certificate_views(r))
    if (!out || c.not_after < *out) out = c.not_after;
  return out;
}

bool is_addr_spec(std::string_view s) {
  // atext (RFC 2822 §3.2.4): ALPHA / DIGIT / "!#$%&'*+-/=?^_`{|}~"
  auto atext = [](char c) {
    return alnum_ascii(c) || std::string_view("!#$%&'*+-/=?^_`{|}~").find(c) != std::string_view::npos;
  };
  auto dot_atom = [&](std::string_view p) {
    if (p.empty() || p.front() == '.' || p.back() == '.' || p.find("..") != std::string_view::npos) return false;
    return std::all_of(p.begin(), p.end(), [&](char c) { return c == '.' || atext(c); });
  };
  if (s.size() > 320) return false;
  auto at = s.rfind('@');
  if (at == std::string_view::npos || s.find('@') != at) return false;
  return dot_atom(s.substr(0, at)) && dot_atom(s.substr(at + 1));
}

result<identity_source_state> read_identity_source(store::transaction& tx) {
  identity_source_state st;
  TRY(src, tx.settings().get(identity_source_setting));
  st.external = src && *src == "EXTERNAL_IDP";
  TRY(multi, tx.settings().get(multiple_idps_setting));
  st.multiple_idps = multi && *multi == "true";
  return st;
}

result<std::optional<std::string>> enabled_idp_of_email(store::transaction& tx, std::string_view email) {
  auto at = email.rfind('@');
  if (at == std::string_view::npos) return std::optional<std::string>();
  TRY(id, tx.external_idps().idp_of_domain(to_lower_ascii(email.substr(at + 1))));
  if (!id) return std::optional<std::string>();
  TRY(idp, tx.external_idps().get(*id));
  if (!idp || !idp->enabled) return std::optional<std::string>();
  return std::optional<std::string>(idp->id);
}

result<bool> passwords_in_atrium(store::transaction& tx, std::string_view user_name) {
  TRY(st, read_identity_source(tx));
  if (!st.external) return true;
  if (!st.multiple_idps) return false;
  TRY(idp, enabled_idp_of_email(tx, user_name));
  return !idp.has_value();
}

}  // namespace atrium::service
