#pragma once
// The console's user and group search (issue 14 item 3 "list with search and paging over
// 100,000 users", item 4 "tables page and sort"; AtriumAdmin.SearchUsers / SearchGroups,
// docs/admin-console.md "Search and sort"). identitystore's ListUsers filters on the exact
// UserName only and takes no order; this orders users by their user name, display name or
// primary e-mail (groups by display name) and matches a prefix of that attribute,
// case-insensitively, keyset-paged so that every page is one index range (migration 0022).
#include <optional>
#include <string>

#include "service/identity/identity_context.hpp"

namespace atrium::service {

struct directory_query {
  std::string prefix;  // as typed; folded here. Empty: everyone
  store::user_sort sort = store::user_sort::user_name;  // users only
  bool descending = false;
  std::optional<std::string> next_token;
  int max = 25;
};

class directory_search {
 public:
  explicit directory_search(identity_context& shared);

  result<listing<domain::user>> search_users(const call_context& ctx, const directory_query& q);
  result<listing<domain::group>> search_groups(const call_context& ctx, const directory_query& q);

 private:
  identity_context& shared_;
};

}  // namespace atrium::service
