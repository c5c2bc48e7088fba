#pragma once
// Atrium's own key pair as SAML service provider (issue 17): it signs the AuthnRequests of the
// HTTP-Redirect binding (SAML bindings §3.4.4.1) and its certificate is in the SP metadata
// (KeyDescriptor use="signing"). Made on first use (RSA 3072, five years, as the IdP keys),
// kept in the settings table with the private key sealed by the master key
// (crypto::secret_box), opened into an xml::signer that is kept while the stored certificate
// stays the same (read on every use: a pair deleted or replaced on another node is never used
// again here; issue 13 item 2).
#include <memory>
#include <mutex>
#include <string>

#include "base/clock.hpp"
#include "crypto/primitives.hpp"
#include "store/repositories.hpp"
#include "xml/signer.hpp"

namespace atrium::service {

inline constexpr const char* sp_certificate_setting = "sp.signing_certificate";
inline constexpr const char* sp_sealed_key_setting = "sp.signing_key";

struct sp_key {
  std::string certificate_pem;
  std::string certificate_base64;  // ds:X509Certificate
  xml::signer signer;
};

class sp_keys {
 public:
  sp_keys(store::database& db, const clock& clk, const crypto::secret_box& box, std::string common_name,
          int rsa_bits = 3072);
  // The key pair, made and stored when there is none (a concurrent maker's pair wins if it was
  // stored first: both then use the stored one).
  result<std::shared_ptr<const sp_key>> get();
  // Forgets the opened pair at once (after "delete configuration" removed it on this node; other
  // nodes see the change at their next get()).
  void forget();

 private:
  result<std::shared_ptr<const sp_key>> load(const std::string& cert_pem, const std::string& sealed);
  store::database& db_;
  const clock& clock_;
  const crypto::secret_box& box_;
  std::string common_name_;
  int rsa_bits_;
  std::mutex mu_;
  std::shared_ptr<const sp_key> cached_;
};

}  // namespace atrium::service
