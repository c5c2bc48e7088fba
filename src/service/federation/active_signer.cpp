#include "service/federation/active_signer.hpp"

namespace atrium::service {

result<std::shared_ptr<const xml::signer>> active_signer::get() {
  auto id = idp_.active_certificate_id();
  if (!id) return std::unexpected(id.error());
  {
    std::lock_guard lock(mu_);
    if (signer_ && certificate_id_ == *id) return signer_;
  }
  auto pair = idp_.active_key_pair();
  if (!pair) return std::unexpected(pair.error());
  auto made = xml::signer::from_pem(pair->private_key_pem, pair->certificate.certificate_pem);
  if (!made) return std::unexpected(made.error());
  auto shared = std::make_shared<const xml::signer>(std::move(*made));
  std::lock_guard lock(mu_);
  certificate_id_ = pair->certificate.id;
  signer_ = shared;
  ++builds_;
  return shared;
}

int active_signer::builds() const {
  std::lock_guard lock(mu_);
  return builds_;
}

}  // namespace atrium::service
