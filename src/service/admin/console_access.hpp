#pragma once
// Who may use the admin console, and what they may do there (issue 14 item 1,
// docs/admin-console.md "Who gets in"). The IAM-style policies of delegated administration
// (key_policies.hpp) attached to identity-store users or groups instead of access keys: a user
// may open the console when they, or a group they belong to (directly or through nested
// groups), have at least one policy, and every console action is checked against the union of
// those policies by the same evaluator that checks access keys. There is no admin password: the
// administrator signs in through the portal (password + MFA, or the external IdP).
#include <optional>
#include <string>
#include <vector>

#include "base/clock.hpp"
#include "domain/identity.hpp"
#include "service/admin/key_policies.hpp"
#include "service/audit/audited_store.hpp"
#include "service/audit/call_context.hpp"
#include "store/admin_policy_repository.hpp"

namespace atrium::service {

// "USER" or "GROUP" and the identity-store id.
struct console_principal_ref {
  std::string type;
  std::string id;
};

class console_access {
 public:
  console_access(audited_store& store, const clock& clk, std::string account_id);

  // Every grant (or those of one principal), oldest first; audited as ListConsoleAccess.
  result<std::vector<store::console_policy_record>> list(const call_context& ctx,
                                                         const std::optional<console_principal_ref>& of) const;
  // Audited as GrantConsoleAccess / RevokeConsoleAccess. The user or group must exist; at most
  // max_policies_per_key policies per principal; errc::conflict for a name attached twice.
  result<void> grant(const call_context& ctx, const console_principal_ref& to, const key_policy_spec& spec);
  result<void> revoke(const call_context& ctx, const console_principal_ref& from, const std::string& name);

  // The console's principal for a signed-in user: CloudTrail type IdentityCenterUser, the
  // identity-store user as principalId and userName, and the parsed policies of the user and
  // their groups. nullopt when none is attached: the user gets no console.
  result<std::optional<principal>> principal_for(const domain::user& u) const;

 private:
  audited_store& store_;
  const clock& clock_;
  std::string account_id_;
};

// "arn:aws:identitystore::<account>:user/<user id>": the resource AccessDenied messages name.
std::string console_user_arn(const std::string& account_id, const std::string& user_id);

}  // namespace atrium::service
