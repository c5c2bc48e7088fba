#pragma once
// The xml::signer of the IdP's active certificate, built once per certificate: loading an RSA
// key and checking it against its certificate costs more than a signature, so requests share
// one signer until a rotation (idp_signing::rotate) makes another certificate active. Each
// request still asks the store which certificate is active (one settings read, nothing
// unsealed), so every node of a deployment switches at the same moment. Thread-safe.
#include <memory>
#include <mutex>
#include <string>

#include "base/result.hpp"
#include "service/sso_admin/idp_signing.hpp"
#include "xml/signer.hpp"

namespace atrium::service {

class active_signer {
 public:
  explicit active_signer(idp_signing& idp) : idp_(idp) {}

  // The signer of the active certificate; errc::not_found when there is none.
  result<std::shared_ptr<const xml::signer>> get();
  // How many signers were built so far (tests: one per certificate, not one per request).
  int builds() const;

 private:
  idp_signing& idp_;
  mutable std::mutex mu_;
  std::string certificate_id_;
  std::shared_ptr<const xml::signer> signer_;
  int builds_ = 0;
};

}  // namespace atrium::service
