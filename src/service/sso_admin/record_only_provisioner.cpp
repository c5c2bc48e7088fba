#include "service/sso_admin/record_only_provisioner.hpp"

#include <algorithm>

namespace atrium::service {

namespace {

// The same input limits as the IAM provisioner, so a deployment that switches to real
// accounts does not discover bad names only then.
result<void> check_account(const std::string& id) {
  if (id.size() != 12 || !std::all_of(id.begin(), id.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return fail(errc::validation, "account id must be 12 digits");
  return {};
}

result<void> check_name(const char* what, const std::string& name, std::size_t max) {
  if (name.empty() || name.size() > max) return fail(errc::validation, std::string(what) + " must be 1-" + std::to_string(max) + " characters");
  return {};
}

}  // namespace

void record_only_provisioner::record(const std::string& account_id, std::string operation, const std::string& name) {
  journal_.push_back({account_id, operation, name});
  if (log_) log_("record-only provisioner: " + operation + " " + name + " in account " + account_id);
}

result<void> record_only_provisioner::ensure_identity_provider(const std::string& account_id, const std::string& name,
                                                               const std::string& metadata_xml) {
  if (auto r = check_account(account_id); !r) return r;
  if (auto r = check_name("SAML provider name", name, 128); !r) return r;
  if (metadata_xml.empty() || metadata_xml.size() > 10'000'000) return fail(errc::validation, "SAML metadata must be 1-10000000 characters");
  std::lock_guard lock(mu_);
  auto& providers = providers_[account_id];
  auto it = providers.find(name);
  if (it != providers.end() && it->second == metadata_xml) return {};
  record(account_id, it == providers.end() ? "CreateSAMLProvider" : "UpdateSAMLProvider", name);
  providers[name] = metadata_xml;
  return {};
}

result<void> record_only_provisioner::put_role(const std::string& account_id, const role_spec& spec, bool) {
  if (auto r = check_account(account_id); !r) return r;
  if (auto r = check_name("role name", spec.role_name, 64); !r) return r;
  std::lock_guard lock(mu_);
  auto& roles = roles_[account_id];
  auto it = roles.find(spec.role_name);
  if (it != roles.end() && it->second == spec) return {};
  record(account_id, "PutRole", spec.role_name);
  roles[spec.role_name] = spec;
  return {};
}

result<void> record_only_provisioner::delete_role(const std::string& account_id, const std::string& role_name) {
  if (auto r = check_account(account_id); !r) return r;
  std::lock_guard lock(mu_);
  auto& roles = roles_[account_id];
  if (roles.erase(role_name) == 0) return {};
  record(account_id, "DeleteRole", role_name);
  return {};
}

std::map<std::string, std::string> record_only_provisioner::providers(const std::string& account_id) const {
  std::lock_guard lock(mu_);
  auto it = providers_.find(account_id);
  return it == providers_.end() ? std::map<std::string, std::string>{} : it->second;
}

std::map<std::string, role_spec> record_only_provisioner::roles(const std::string& account_id) const {
  std::lock_guard lock(mu_);
  auto it = roles_.find(account_id);
  return it == roles_.end() ? std::map<std::string, role_spec>{} : it->second;
}

std::vector<provisioner_action> record_only_provisioner::journal() const {
  std::lock_guard lock(mu_);
  return journal_;
}

}  // namespace atrium::service
