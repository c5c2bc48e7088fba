#pragma once
// The portal's landing page (guide "Using the user portal"): the AWS accounts a signed-in user
// may use, each with the permission sets assigned to them (shown as roles). An assignment
// counts when it names the user or any group the user is in, directly or through nested
// groups (membership_graph), as ListAccountAssignmentsForPrincipal finds them.
#include <optional>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "store/repositories.hpp"

namespace atrium::service {

struct portal_role {
  std::string permission_set_name;
  std::string permission_set_arn;
  std::optional<std::string> description;
};

struct portal_account {
  std::string account_id;
  std::string account_name;
  std::string email;
  std::vector<portal_role> roles;  // by permission set name
};

class portal_accounts {
 public:
  explicit portal_accounts(store::database& db) : db_(db) {}
  // Accounts in name order; an account no longer in the organization or a permission set that
  // is gone is left out.
  result<std::vector<portal_account>> of_user(const std::string& user_id);

 private:
  store::database& db_;
};

}  // namespace atrium::service
