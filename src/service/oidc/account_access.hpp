#pragma once
// The portal API's use cases (botocore's `sso` model; issue 16 items 3-4): the accounts a user
// may use, the roles (permission sets) of one account, and STS credentials for one of them.
// Assignments count when they name the user or a group the user is in, directly or through
// nested groups (portal_accounts). Listings are pages of at most 100 with an opaque next token
// that names the last item shown (stable while assignments change between pages).
// GetRoleCredentials asks the role credentials source only for an (account, role) the user is
// assigned; anything else is errc::access_denied.
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"
#include "service/audit/audited_store.hpp"
#include "service/audit/call_context.hpp"
#include "service/oidc/role_credentials_source.hpp"
#include "service/signin/portal_accounts.hpp"

namespace atrium::service::oidc {

struct account_info {
  std::string account_id;
  std::string account_name;
  std::string email;
};

struct role_info {
  std::string role_name;  // the permission set's name
  std::string account_id;
};

template <class T>
struct listing {
  std::vector<T> items;
  std::string next_token;  // empty: the last page
};

class account_access {
 public:
  account_access(audited_store& store, portal_accounts& accounts, role_credentials_source& credentials)
      : store_(store), accounts_(accounts), credentials_(credentials) {}

  // ListAccounts / ListAccountRoles, audited as reads (ctx names them). `max_results` 1-100;
  // a next token this API did not hand out is errc::validation.
  result<listing<account_info>> accounts(const call_context& ctx, const std::string& user_id, int max_results,
                                         std::string_view next_token);
  result<listing<role_info>> roles(const call_context& ctx, const std::string& user_id, const std::string& account_id,
                                   int max_results, std::string_view next_token);
  // GetRoleCredentials (the portal API and the portal's "Command line or programmatic access").
  result<role_credentials> credentials(const call_context& ctx, const std::string& user_id,
                                       const std::string& account_id, const std::string& role_name);
  void set_credentials_source(role_credentials_source& s) { credentials_ = s; }

 private:
  audited_store& store_;
  portal_accounts& accounts_;
  std::reference_wrapper<role_credentials_source> credentials_;
};

}  // namespace atrium::service::oidc
