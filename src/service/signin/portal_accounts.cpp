#include "service/signin/portal_accounts.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "service/identity/membership_graph.hpp"
#include "store/assignment_repository.hpp"
#include "store/organization_repository.hpp"
#include "store/permission_set_repository.hpp"

namespace atrium::service {

namespace {

// Every (account, permission set) assigned to one principal, all pages.
result<void> assigned_to(store::transaction& tx, const std::string& principal_id,
                         std::set<std::pair<std::string, std::string>>& out) {
  store::page_request p{"", 1000};
  while (true) {
    auto page = tx.assignments().list_for_principal(principal_id, std::nullopt, p);
    if (!page) return std::unexpected(page.error());
    for (const auto& a : page->items) out.emplace(a.account_id, a.permission_set_arn);
    if (!page->more || page->items.empty()) return {};
    p.after_id = page->items.back().account_id + " " + page->items.back().permission_set_arn;
  }
}

}  // namespace

result<std::vector<portal_account>> portal_accounts::of_user(const std::string& user_id) {
  std::vector<portal_account> out;
  auto r = db_.read([&](store::transaction& tx) -> result<void> {
    auto groups = effective_groups(tx, user_id);
    if (!groups) return std::unexpected(groups.error());
    std::set<std::pair<std::string, std::string>> grants;
    if (auto a = assigned_to(tx, user_id, grants); !a) return a;
    for (const auto& g : *groups)
      if (auto a = assigned_to(tx, g.group_id, grants); !a) return a;
    std::map<std::string, portal_account> by_id;
    for (const auto& [account_id, ps_arn] : grants) {
      auto it = by_id.find(account_id);
      if (it == by_id.end()) {
        auto acct = tx.organization().get_account(account_id);
        if (!acct) return std::unexpected(acct.error());
        if (!*acct) continue;
        it = by_id.emplace(account_id, portal_account{account_id, (*acct)->name, (*acct)->email, {}}).first;
      }
      auto ps = tx.permission_sets().get(ps_arn);
      if (!ps) return std::unexpected(ps.error());
      if (!*ps) continue;
      it->second.roles.push_back({(*ps)->name, (*ps)->arn, (*ps)->description});
    }
    for (auto& [id, a] : by_id) {
      if (a.roles.empty()) continue;  // every permission set of it is gone
      std::sort(a.roles.begin(), a.roles.end(),
                [](const auto& x, const auto& y) { return x.permission_set_name < y.permission_set_name; });
      out.push_back(std::move(a));
    }
    std::sort(out.begin(), out.end(), [](const auto& x, const auto& y) {
      return x.account_name != y.account_name ? x.account_name < y.account_name : x.account_id < y.account_id;
    });
    return {};
  });
  if (!r) return std::unexpected(r.error());
  return out;
}

}  // namespace atrium::service
