#pragma once
// The IdP signing certificates of applications (user guide "Manage AWS SSO certificates"): each
// application gets one when it is added; rotation is "Generate new certificate", "Set as
// active", "Delete" of the inactive one; at most two per application; RSA with SHA-256
// signatures. Private keys are sealed with the master key (crypto::secret_box) before they are
// stored and opened only to make a signer, which is kept in memory per application for its
// active certificate (see signer_cache).
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "base/clock.hpp"
#include "base/result.hpp"
#include "crypto/primitives.hpp"
#include "store/application_repository.hpp"
#include "xml/signer.hpp"

namespace atrium::service {

// The guide's "Generate new AWS SSO certificate" dialog: validity in months, key size. The
// guide's 1024-bit keys and SHA-1 are refused (xml::signer signs RSA-SHA256 with >= 2048 bits).
struct certificate_request {
  int key_bits = 3072;
  int validity_months = 60;  // the guide's default: five years
};

result<void> check_certificate_request(const certificate_request& r);

// A new key pair and self-signed certificate for `application_id`, its key sealed; not active.
// RSA key generation takes a while: call it before the write transaction.
result<store::application_certificate_record> make_application_certificate(const crypto::secret_box& box,
                                                                           const clock& clk,
                                                                           const std::string& application_id,
                                                                           const certificate_request& r);

// Expiry status of the guide's "Certificate expiration status indicators".
enum class certificate_health { valid, expiring, expired };  // green, yellow (<= 90 days), red
certificate_health health_of(const store::application_certificate_record& c, sys_time now);
const char* to_string(certificate_health h);  // VALID, EXPIRING_SOON, EXPIRED

// The xml::signer of each application's active certificate: unsealing the key, parsing the PEM
// key and certificate and checking that they match cost more than a signature, so they are done
// once per certificate, not per Response. The caller reads the active certificate from the store
// for every Response (as the launch does, in its read transaction) and passes it here; the
// cached signer is used only when it was made from that very certificate (its id and SHA-256
// fingerprint: a certificate never changes once made). So after "Set as active"
// (UpdateApplicationInstanceActiveCertificate) on any node, every node signs its next Response
// with the new key, and the old key leaves memory then (one entry per application).
//
// Bounded: a deleted application's entry is never asked for again, so at `capacity` entries one
// is dropped (an arbitrary one: a dropped live application only costs one more unsealing).
class signer_cache {
 public:
  explicit signer_cache(const crypto::secret_box& box, std::size_t capacity = 1024)
      : box_(box), capacity_(capacity < 1 ? 1 : capacity) {}
  // The signer of `c`, the active certificate of its application read from the store.
  result<std::shared_ptr<const xml::signer>> signer_for(const store::application_certificate_record& c);
  // For tests: signers made so far, and applications with one in memory.
  int builds() const;
  std::size_t size() const;

 private:
  struct entry {
    std::string certificate_id;
    std::string fingerprint;
    std::shared_ptr<const xml::signer> signer;
  };
  const crypto::secret_box& box_;
  std::size_t capacity_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, entry> by_application_;
  int builds_ = 0;
};

}  // namespace atrium::service
