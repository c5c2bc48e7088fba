#include "service/applications/app_certificates.hpp"

#include "crypto/idp_keys.hpp"

namespace atrium::service {

result<void> check_certificate_request(const certificate_request& r) {
  if (r.key_bits != 2048 && r.key_bits != 3072 && r.key_bits != 4096)
    return invalid("KeySize must be 2048, 3072 or 4096 (1024-bit RSA keys are not made: they are too weak).");
  if (r.validity_months < 1 || r.validity_months > 120) return invalid("ValidityMonths must be between 1 and 120.");
  return {};
}

result<store::application_certificate_record> make_application_certificate(const crypto::secret_box& box,
                                                                           const clock& clk,
                                                                           const std::string& application_id,
                                                                           const certificate_request& r) {
  if (auto ok = check_certificate_request(r); !ok) return std::unexpected(ok.error());
  auto now = clk.now();
  // Months as the guide counts them: 30 days each, so "60 months" is close to five years.
  auto made = crypto::make_idp_key_pair("Atrium IdP " + application_id, now, std::chrono::days(30 * r.validity_months),
                                        r.key_bits);
  if (!made) return std::unexpected(made.error());
  store::application_certificate_record c;
  c.id = "appcert-" + made->sha256_fingerprint.substr(0, 16);
  c.application_id = application_id;
  c.certificate_pem = made->certificate_pem;
  c.sealed_key = box.seal(made->private_key_pem);
  c.sha256_fingerprint = made->sha256_fingerprint;
  c.key_bits = r.key_bits;
  c.not_before = made->not_before;
  c.not_after = made->not_after;
  c.created_at = now;
  c.active = false;
  return c;
}

certificate_health health_of(const store::application_certificate_record& c, sys_time now) {
  if (c.not_after <= now) return certificate_health::expired;
  if (c.not_after - now <= std::chrono::days(90)) return certificate_health::expiring;
  return certificate_health::valid;
}

const char* to_string(certificate_health h) {
  switch (h) {
    case certificate_health::expired: return "EXPIRED";
    case certificate_health::expiring: return "EXPIRING_SOON";
    case certificate_health::valid: break;
  }
  return "VALID";
}

result<std::shared_ptr<const xml::signer>> signer_cache::signer_for(const store::application_certificate_record& c) {
  {
    std::lock_guard lock(mu_);
    if (auto it = by_application_.find(c.application_id);
        it != by_application_.end() && it->second.certificate_id == c.id && it->second.fingerprint == c.sha256_fingerprint)
      return it->second.signer;
  }
  auto key = box_.open(c.sealed_key);
  if (!key) return std::unexpected(key.error());
  auto s = xml::signer::from_pem(*key, c.certificate_pem);
  if (!s) return std::unexpected(s.error());
  auto made = std::make_shared<const xml::signer>(std::move(*s));
  std::lock_guard lock(mu_);
  if (by_application_.size() >= capacity_ && !by_application_.contains(c.application_id))
    by_application_.erase(by_application_.begin());
  by_application_[c.application_id] = entry{c.id, c.sha256_fingerprint, made};
  ++builds_;
  return made;
}

int signer_cache::builds() const {
  std::lock_guard lock(mu_);
  return builds_;
}

std::size_t signer_cache::size() const {
  std::lock_guard lock(mu_);
  return by_application_.size();
}

}  // namespace atrium::service
