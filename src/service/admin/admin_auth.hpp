#pragma once
// Admin access keys and request authentication with AWS Signature Version 4. Secret access
// keys are stored sealed under the deployment's master key (crypto::secret_box) because SigV4
// verification needs the secret itself; they are shown once, at creation, and never logged.
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "base/clock.hpp"
#include "base/random.hpp"
#include "crypto/primitives.hpp"
#include "crypto/sigv4.hpp"
#include "service/audit/call_context.hpp"
#include "service/admin/key_policies.hpp"
#include "store/repositories.hpp"

namespace atrium::service {

enum class auth_failure_kind { missing, malformed, expired, bad_signature, unknown_key };

struct auth_failure {
  auth_failure_kind kind;
  std::string message;
  std::string access_key_id;  // when the request named one
};

struct new_access_key {
  std::string access_key_id;
  std::string secret_access_key;
};

class admin_auth {
 public:
  admin_auth(store::database& db, const crypto::secret_box& box, random_source& rnd,
             const clock& clk, std::string account_id);

  // Without policies a key gets AdministratorAccess, or with read_only the built-in read-only
  // policies (what such keys could do before policies existed).
  result<new_access_key> create_access_key(const std::string& user_name, bool read_only);
  result<new_access_key> create_access_key(const std::string& user_name, bool read_only,
                                           const std::vector<key_policy_spec>& policies);
  std::expected<principal, auth_failure> authenticate(const crypto::sigv4_request& req) const;
  principal principal_for(const store::access_key_record& k) const;

 private:
  // The SigV4 signing key derived for the request's scope (the day, region and service), from
  // the sealed secret the key's row holds. A cache of a derivation, not state: the key's row
  // (status, policies) is still read on every request, so a deactivated or deleted key fails at
  // once, and an entry is used only while the row's sealed secret is the one it came from.
  result<std::string> signing_key_for(const store::access_key_record& k, const crypto::sigv4_parsed& p) const;

  struct derived_key {
    std::string sealed;  // the row's secret_ciphertext the key was derived from
    std::string key;
  };
  static constexpr std::size_t max_derived_keys = 4096;  // keys x scopes in use; emptied when full

  store::database& db_;
  const crypto::secret_box& box_;
  random_source& random_;
  const clock& clock_;
  std::string account_id_;
  mutable std::mutex derived_mu_;
  mutable std::unordered_map<std::string, derived_key> derived_;
};

}  // namespace atrium::service
