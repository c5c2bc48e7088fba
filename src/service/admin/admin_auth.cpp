#include "service/admin/admin_auth.hpp"

#include "base/strings.hpp"

namespace atrium::service {

admin_auth::admin_auth(store::database& db, const crypto::secret_box& box, random_source& rnd,
                       const clock& clk, std::string account_id)
    : db_(db), box_(box), random_(rnd), clock_(clk), account_id_(std::move(account_id)) {}

result<new_access_key> admin_auth::create_access_key(const std::string& user_name, bool read_only) {
  return create_access_key(user_name, read_only, {});
}

namespace {
std::vector<key_policy_spec> default_policies(bool read_only) {
  if (!read_only) return {{std::string(domain::legacy_full_policy), std::nullopt}};
  std::vector<key_policy_spec> out;
  for (auto n : domain::legacy_read_only_policies) out.push_back({std::string(n), std::nullopt});
  return out;
}
}  // namespace

result<new_access_key> admin_auth::create_access_key(const std::string& user_name, bool read_only,
                                                     const std::vector<key_policy_spec>& policies) {
  if (user_name.empty() || user_name.size() > 64)
    return fail(errc::validation, "The key's user name must be 1-64 characters.");
  const auto attached = policies.empty() ? default_policies(read_only) : policies;
  if (attached.size() > max_policies_per_key)
    return fail(errc::validation, "An access key may have at most " + std::to_string(max_policies_per_key) + " policies.");
  for (const auto& p : attached)
    if (auto v = validate_key_policy(p); !v) return std::unexpected(v.error());
  // AKIA + 16 base32 characters, like IAM's long-term keys; 40-character secret.
  new_access_key key{"AKIA" + random_.base32(16), ""};
  std::string raw(30, '\0');
  random_.fill(raw.data(), raw.size());
  key.secret_access_key = base64_encode(raw);
  for (auto& c : key.secret_access_key)
    if (c == '+') c = 'x';
  store::access_key_record rec{key.access_key_id, box_.seal(key.secret_access_key), user_name,
                               "Active", read_only, clock_.now()};
  auto r = db_.write([&](store::transaction& tx) -> result<void> {
    if (auto i = tx.access_keys().insert(rec); !i) return i;
    for (const auto& p : attached)
      if (auto a = tx.admin_policies().attach({key.access_key_id, p.name, p.document, rec.created_at}); !a) return a;
    return {};
  });
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
  return p;
}

result<std::string> admin_auth::signing_key_for(const store::access_key_record& k,
                                                const crypto::sigv4_parsed& p) const {
  std::string id;
  id.reserve(k.access_key_id.size() + p.date.size() + p.region.size() + p.service.size() + 3);
  id.append(k.access_key_id).append(1, '/').append(p.date).append(1, '/').append(p.region).append(1, '/').append(p.service);
  {
    std::lock_guard lock(derived_mu_);
    auto it = derived_.find(id);
    if (it != derived_.end() && it->second.sealed == k.secret_ciphertext) return it->second.key;
  }
  auto secret = box_.open(k.secret_ciphertext);
  if (!secret) return std::unexpected(secret.error());
  auto key = crypto::sigv4_signing_key(*secret, p);
  std::lock_guard lock(derived_mu_);
  if (derived_.size() >= max_derived_keys) derived_.clear();
  derived_.insert_or_assign(std::move(id), derived_key{k.secret_ciphertext, key});
  return key;
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
  std::shared_ptr<const std::vector<domain::admin_policy>> policies;
  auto r = db_.read([&](store::transaction& tx) -> result<void> {
    auto k = tx.access_keys().get(parsed->access_key_id);
    if (!k) return std::unexpected(k.error());
    key = std::move(*k);
    if (!key) return {};
    auto p = load_key_policies(tx, key->access_key_id);
    if (!p) return std::unexpected(p.error());
    policies = std::move(*p);
    return {};
  });
  const std::string unknown = "The security token included in the request is invalid.";
  if (!r || !key || key->status != "Active")
    return std::unexpected(auth_failure{auth_failure_kind::unknown_key, unknown, parsed->access_key_id});
  auto signing = signing_key_for(*key, *parsed);
  if (!signing)
    return std::unexpected(auth_failure{auth_failure_kind::unknown_key, unknown, parsed->access_key_id});
  if (auto v = crypto::sigv4_verify_with_key(req, *parsed, *signing); !v)
    return std::unexpected(auth_failure{map_kind(v.error().kind), v.error().message, parsed->access_key_id});
  auto who = principal_for(*key);
  // The key's policies decide what it may call (a --read-only key has the read-only built-ins,
  // see key_policies.hpp); aws_door checks them before any operation runs.
  who.policies = std::move(policies);
  return who;
}

}  // namespace atrium::service
