#include "service/identity/directory_search.hpp"

#include "base/strings.hpp"

namespace atrium::service {

namespace {

// A NextToken binds the listing (kind, order, prefix) and holds the last row's (key, id):
// the key base64url-encoded, since a display name may hold any character.
std::string search_scope(const char* kind, const directory_query& q, const std::string& prefix_key) {
  std::string order = q.sort == store::user_sort::display_name ? "display" : q.sort == store::user_sort::email ? "email" : "name";
  return std::string(kind) + "|" + order + "|" + (q.descending ? "desc" : "asc") + "|" + base64url_encode(prefix_key);
}

result<store::search_request> search_start(const std::string& scope, const directory_query& q, const std::string& prefix_key) {
  store::search_request r{prefix_key, q.sort, q.descending, std::nullopt, q.max};
  if (!q.next_token) return r;
  auto last = decode_page_token(scope, *q.next_token);
  if (!last) return std::unexpected(last.error());
  auto dot = last->find('.');
  std::optional<std::string> key = dot == std::string::npos ? std::nullopt : base64url_decode(last->substr(0, dot));
  if (!key || dot + 1 >= last->size()) return fail(errc::validation, "The NextToken is invalid or expired.");
  r.after = std::make_pair(*key, last->substr(dot + 1));
  return r;
}

std::string user_sort_key(const domain::user& u, store::user_sort s) {
  switch (s) {
    case store::user_sort::display_name: return u.display_name_key();
    case store::user_sort::email: return u.primary_email_key().value_or("");
    case store::user_sort::user_name: break;
  }
  return u.user_name_key();
}

template <class T, class Key>
listing<T> searched(store::page<T> p, const std::string& scope, Key&& key) {
  listing<T> out;
  if (p.more && !p.items.empty())
    out.next_token = encode_page_token(scope, base64url_encode(key(p.items.back())) + "." + p.items.back().id);
  out.items = std::move(p.items);
  return out;
}

}  // namespace

directory_search::directory_search(identity_context& shared) : shared_(shared) {}

result<listing<domain::user>> directory_search::search_users(const call_context& ctx, const directory_query& q) {
  const std::string prefix_key = domain::fold_key(q.prefix);
  const std::string scope = search_scope("search-users", q, prefix_key);
  auto start = search_start(scope, q, prefix_key);
  if (!start) return std::unexpected(start.error());
  return shared_.store().read<listing<domain::user>>(ctx, [&](store::transaction& tx) -> result<listing<domain::user>> {
    auto p = tx.users().search(*start);
    if (!p) return std::unexpected(p.error());
    return searched(std::move(*p), scope, [&](const domain::user& u) { return user_sort_key(u, q.sort); });
  });
}

result<listing<domain::group>> directory_search::search_groups(const call_context& ctx, const directory_query& q) {
  const std::string prefix_key = domain::fold_key(q.prefix);
  directory_query by_name = q;
  by_name.sort = store::user_sort::display_name;
  const std::string scope = search_scope("search-groups", by_name, prefix_key);
  auto start = search_start(scope, by_name, prefix_key);
  if (!start) return std::unexpected(start.error());
  return shared_.store().read<listing<domain::group>>(ctx, [&](store::transaction& tx) -> result<listing<domain::group>> {
    auto p = tx.groups().search(*start);
    if (!p) return std::unexpected(p.error());
    return searched(std::move(*p), scope, [](const domain::group& g) { return g.display_name_key(); });
  });
}

}  // namespace atrium::service
