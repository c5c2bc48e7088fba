#include "service/idsource/sp_keys.hpp"

#include <optional>

#include "base/try.hpp"
#include "crypto/idp_keys.hpp"

namespace atrium::service {

sp_keys::sp_keys(store::database& db, const clock& clk, const crypto::secret_box& box, std::string common_name,
                 int rsa_bits)
    : db_(db), clock_(clk), box_(box), common_name_(std::move(common_name)), rsa_bits_(rsa_bits) {}

result<std::shared_ptr<const sp_key>> sp_keys::load(const std::string& cert_pem, const std::string& sealed) {
  TRY(key, box_.open(sealed));
  TRY(s, xml::signer::from_pem(key, cert_pem));
  TRY(b64, crypto::pem_certificate_base64(cert_pem));
  return std::make_shared<const sp_key>(sp_key{cert_pem, b64, std::move(s)});
}

result<std::shared_ptr<const sp_key>> sp_keys::get() {
  std::lock_guard lock(mu_);
  std::optional<std::string> cert, sealed;
  // The stored pair is read on every use (two point reads): another node may have deleted or
  // replaced it (issue 13 item 2). Only the opened signer is kept, while its certificate is
  // still the stored one.
  auto read = db_.read([&](store::transaction& tx) -> result<void> {
    TRY(c, tx.settings().get(sp_certificate_setting));
    TRY(k, tx.settings().get(sp_sealed_key_setting));
    cert = c;
    sealed = k;
    return {};
  });
  if (!read) return std::unexpected(read.error());
  if (cert && sealed && cached_ && cached_->certificate_pem == *cert) return cached_;
  if (!cert || !sealed) {
    // RSA key generation is slow: outside the write transaction.
    TRY(made, crypto::make_idp_key_pair(common_name_, clock_.now(), std::chrono::days(5 * 365), rsa_bits_));
    std::string new_sealed = box_.seal(made.private_key_pem);
    auto w = db_.write([&](store::transaction& tx) -> result<void> {
      TRY(c, tx.settings().get(sp_certificate_setting));
      TRY(k, tx.settings().get(sp_sealed_key_setting));
      if (c && k) {
        cert = c;
        sealed = k;
        return {};
      }
      TRY_VOID(tx.settings().put(sp_certificate_setting, made.certificate_pem));
      TRY_VOID(tx.settings().put(sp_sealed_key_setting, new_sealed));
      cert = made.certificate_pem;
      sealed = new_sealed;
      return {};
    });
    if (!w) return std::unexpected(w.error());
  }
  TRY(loaded, load(*cert, *sealed));
  cached_ = loaded;
  return loaded;
}

void sp_keys::forget() {
  std::lock_guard lock(mu_);
  cached_.reset();
}

}  // namespace atrium::service
