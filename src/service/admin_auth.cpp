#include "service/admin_auth.hpp"

#include "base/strings.hpp"

namespace atrium::service {

admin_auth::admin_auth(store::database& db, const crypto::secret_box& box, random_source& rnd,
                       const clock& clk, std::string account_id)
    : db_(db), box_(box), random_(rnd), clock_(clk), account_id_(std::move(account_id)) {}

result<new_access_key> admin_auth::create_access_key(const std::string& user_name, bool read_only) {
  if (user_name.empty() || user_name.size() > 64)
    return fail(errc::validation, "The key's user name must be 1-64 characters.");
  // AKIA + 16 base32 characters, like IAM's long-term keys; 40-character secret.
  new_access_key key{"AKIA" + random_.base32(16), ""};
  std::string raw(30, '\0');
  random_.fill(raw.data(), raw.size());
  key.secret_access_key = base64_encode(raw);
  for (auto& c : key.secret_access_key)
    if (c == '+') c = 'x';
  store::access_key_record rec{key.access_key_id, box_.seal(key.secret_access_key), user_name,
                               "Active", read_only, clock_.now()};
  auto r = db_.write([&](store::transaction& tx) { return tx.access_keys().insert(rec); });
  if (!r) return std::unexpected(r.error());
  return key;
}

principal admin_auth::principal_for(const store::access_key_record& k) const {
  principal p;
  p.type = "IAMUser";
  p.account_id = account_id_;
  p.user_name = k.principal;
  p.arn = "arn:aws:iam::" + account_id_ + ":user/" + k.principal;
  p.principal_id = "AIDA" + k.access_key_id.substr(4);
  p.access_key_id = k.access_key_id;
  p.read_only = k.read_only;
  return p;
}

std::expected<principal, auth_failure> admin_auth::authenticate(const crypto::sigv4_request& req) const {
  auto parsed = crypto::sigv4_parse(req, clock_.now());
  auto map_kind = [](crypto::sigv4_failure f) {
    switch (f) {
      case crypto::sigv4_failure::missing: return auth_failure_kind::missing;
      case crypto::sigv4_failure::malformed: return auth_failure_kind::malformed;
      case crypto::sigv4_failure::expired: return auth_failure_kind::expired;
      case crypto::sigv4_failure::bad_signature: return auth_failure_kind::bad_signature;
    }
    return auth_failure_kind::malformed;
  };
  if (!parsed) return std::unexpected(auth_failure{map_kind(parsed.error().kind), parsed.error().message, ""});
  std::optional<store::access_key_record> key;
  auto r = db_.read([&](store::transaction& tx) -> result<void> {
    auto k = tx.access_keys().get(parsed->access_key_id);
    if (!k) return std::unexpected(k.error());
    key = std::move(*k);
    return {};
  });
  const std::string unknown = "The security token included in the request is invalid.";
  if (!r || !key || key->status != "Active")
    return std::unexpected(auth_failure{auth_failure_kind::unknown_key, unknown, parsed->access_key_id});
  auto secret = box_.open(key->secret_ciphertext);
  if (!secret)
    return std::unexpected(auth_failure{auth_failure_kind::unknown_key, unknown, parsed->access_key_id});
  if (auto v = crypto::sigv4_verify(req, *parsed, *secret); !v)
    return std::unexpected(auth_failure{map_kind(v.error().kind), v.error().message, parsed->access_key_id});
  return principal_for(*key);
}

}  // namespace atrium::service
