#include "service/oidc/account_access.hpp"

#include <algorithm>

#include "base/json_text.hpp"
#include "base/strings.hpp"
#include "base/try.hpp"

namespace atrium::service::oidc {

namespace {

// Next tokens: base64url of a kind letter and the sort key of the last item shown.
std::string token_of(char kind, const std::string& key) { return base64url_encode(std::string(1, kind) + key); }

result<std::string> key_of(char kind, std::string_view token) {
  if (token.empty()) return std::string();
  auto raw = token.size() <= 2048 ? base64url_decode(token) : std::nullopt;
  if (!raw || raw->empty() || raw->front() != kind) return invalid("The next token is not valid.");
  return raw->substr(1);
}

// Accounts are shown in portal_accounts' order: name, then id.
std::string listing_key(const portal_account& a) { return a.account_name + '\n' + a.account_id; }

template <class Item, class Key>
listing<Item> page_after(std::vector<Item> all, const std::string& after, int max, char kind, Key key) {
  listing<Item> out;
  auto it = after.empty() ? all.begin()
                          : std::find_if(all.begin(), all.end(), [&](const Item& i) { return key(i) > after; });
  for (; it != all.end() && static_cast<int>(out.items.size()) < max; ++it) out.items.push_back(*it);
  if (it != all.end() && !out.items.empty()) out.next_token = token_of(kind, key(out.items.back()));
  return out;
}

result<void> check_max(int max_results) {
  if (max_results < 1 || max_results > 100) return invalid("max_result must be between 1 and 100.");
  return {};
}

}  // namespace

result<listing<account_info>> account_access::accounts(const call_context& ctx, const std::string& user_id,
                                                       int max_results, std::string_view next_token) {
  TRY_VOID(check_max(max_results));
  TRY(after, key_of('a', next_token));
  TRY(all, accounts_.of_user(user_id));
  struct keyed {
    account_info info;
    std::string key;
  };
  std::vector<keyed> items;
  for (const auto& a : all) items.push_back({{a.account_id, a.account_name, a.email}, listing_key(a)});
  auto page = page_after(std::move(items), after, max_results, 'a', [](const keyed& k) { return k.key; });
  listing<account_info> out{{}, page.next_token};
  for (auto& k : page.items) out.items.push_back(std::move(k.info));
  store_.record_success(ctx);
  return out;
}

result<listing<role_info>> account_access::roles(const call_context& ctx, const std::string& user_id,
                                                 const std::string& account_id, int max_results,
                                                 std::string_view next_token) {
  TRY_VOID(check_max(max_results));
  TRY(after, key_of('r', next_token));
  TRY(all, accounts_.of_user(user_id));
  std::vector<role_info> roles;
  for (const auto& a : all)
    if (a.account_id == account_id)
      for (const auto& r : a.roles) roles.push_back({r.permission_set_name, a.account_id});
  auto out = page_after(std::move(roles), after, max_results, 'r', [](const role_info& r) { return r.role_name; });
  store_.record_success(ctx);
  return out;
}

result<role_credentials> account_access::credentials(const call_context& ctx, const std::string& user_id,
                                                     const std::string& account_id, const std::string& role_name) {
  TRY(all, accounts_.of_user(user_id));
  bool assigned = std::any_of(all.begin(), all.end(), [&](const portal_account& a) {
    return a.account_id == account_id && std::any_of(a.roles.begin(), a.roles.end(), [&](const portal_role& r) {
             return r.permission_set_name == role_name;
           });
  });
  if (!assigned) return fail(errc::access_denied, "No access");
  return credentials_.get().get(ctx, user_id, account_id, role_name);
}

}  // namespace atrium::service::oidc
