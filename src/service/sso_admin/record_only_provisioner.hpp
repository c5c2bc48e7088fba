#pragma once
// The default account_provisioner: touches no AWS account. It keeps, in memory, the state the
// accounts would be in (providers with their metadata, roles with their spec) and a journal of
// what it did, and reports each change through a log sink (one line each). For deployments
// without AWS accounts, for tests of the job runner, and for benchmarks. Thread-safe.
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "service/sso_admin/account_provisioner.hpp"

namespace atrium::service {

struct provisioner_action {
  std::string account_id;
  std::string operation;  // "CreateSAMLProvider", "UpdateSAMLProvider", "PutRole", "DeleteRole"
  std::string name;       // provider or role name
};

class record_only_provisioner final : public account_provisioner {
 public:
  // `log` receives one line per change (never secrets); may be empty.
  explicit record_only_provisioner(std::function<void(const std::string&)> log = nullptr) : log_(std::move(log)) {}

  result<void> ensure_identity_provider(const std::string& account_id, const std::string& name,
                                        const std::string& metadata_xml) override;
  result<void> put_role(const std::string& account_id, const role_spec& spec, bool recorded = true) override;
  result<void> delete_role(const std::string& account_id, const std::string& role_name) override;
  std::string kind() const override { return "record-only"; }

  // What the accounts would hold now, and everything done so far (oldest first).
  std::map<std::string, std::string> providers(const std::string& account_id) const;  // name -> metadata
  std::map<std::string, role_spec> roles(const std::string& account_id) const;         // name -> spec
  std::vector<provisioner_action> journal() const;

 private:
  void record(const std::string& account_id, std::string operation, const std::string& name);

  std::function<void(const std::string&)> log_;
  mutable std::mutex mu_;
  std::map<std::string, std::map<std::string, std::string>> providers_;
  std::map<std::string, std::map<std::string, role_spec>> roles_;
  std::vector<provisioner_action> journal_;
};

}  // namespace atrium::service
