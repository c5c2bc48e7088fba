// identity_service: what SCIM shows and lists (views with groups and members, index and
// cursor paging with totals).
#include "domain/ids.hpp"
#include "base/json_text.hpp"
#include "domain/validation.hpp"
#include "service/identity_service.hpp"

namespace atrium::service {

result<user_view> identity_service::user_view_of(store::transaction& tx, domain::user u, view_options view) {
  user_view out{std::move(u), {}};
  if (!view.groups) return out;
  auto links = effective_groups(tx, out.user.id);
  if (!links) return std::unexpected(links.error());
  for (auto& l : *links) {
    auto g = tx.groups().get(l.group_id);
    if (!g) return std::unexpected(g.error());
    if (!*g) continue;  // a membership row always has its group (FK); be safe anyway
    out.groups.push_back({l.group_id, (*g)->display_name, l.direct});
  }
  return out;
}

result<group_view> identity_service::group_view_of(store::transaction& tx, domain::group g, view_options view) {
  group_view out{std::move(g), {}};
  if (!view.members) return out;
  auto members = tx.memberships().members_of(out.group.id);
  if (!members) return std::unexpected(members.error());
  out.members = std::move(*members);
  return out;
}

result<user_view> identity_service::create_user_view(const call_context& ctx, domain::user u) {
  u.id = domain::new_resource_id(store_id_, random_, clock_.now());
  u.version = 1;
  u.stamp = stamp(ctx);
  if (auto r = domain::validate_user(u); !r) return std::unexpected(r.error());
  auto created = store_.write<user_view>(
      ctx,
      [&](store::transaction& tx) -> result<user_view> {
        auto n = tx.users().count();
        if (!n) return std::unexpected(n.error());
        if (*n >= quotas_.max_users)
          return fail(errc::quota_exceeded, "The number of users has reached its quota of " +
                                                std::to_string(quotas_.max_users) + ".");
        if (auto r = tx.users().insert(u); !r) return std::unexpected(r.error());
        return user_view{u, {}};  // a new user belongs to no group yet
      },
      [&](const user_view& v) { return ids({{"userId", v.user.id}}); });
  if (created && on_user_created_) on_user_created_(ctx, created->user);
  return created;
}

result<user_view> identity_service::get_user_view(const call_context& ctx, const std::string& id,
                                                  view_options view) {
  return store_.read<user_view>(ctx, [&](store::transaction& tx) -> result<user_view> {
    auto u = tx.users().get(id);
    if (!u) return std::unexpected(u.error());
    if (!*u) return not_found("USER", id);
    return user_view_of(tx, std::move(**u), view);
  });
}

result<group_view> identity_service::get_group_view(const call_context& ctx, const std::string& id,
                                                    view_options view) {
  return store_.read<group_view>(ctx, [&](store::transaction& tx) -> result<group_view> {
    auto g = tx.groups().get(id);
    if (!g) return std::unexpected(g.error());
    if (!*g) return not_found("GROUP", id);
    return group_view_of(tx, std::move(**g), view);
  });
}

namespace {

// Runs one page of a listing: index paging counts the matches and skips `offset`; cursor
// paging continues after the id inside the cursor, which must have been issued for `scope`.
template <class View, class Filter, class Repo, class ToView>
result<query_page<View>> page_query(Repo& repo, const Filter& f, const std::string& scope,
                                    const query_window& w, ToView&& to_view) {
  query_page<View> out;
  store::page_request pr{"", w.count, 0};
  if (w.cursor) {
    if (!w.cursor->empty()) {
      auto after = decode_page_token(scope, *w.cursor);
      if (!after) return fail(errc::validation, "The cursor is invalid, or was issued for another filter.");
      pr.after_id = std::move(*after);
    }
  } else {
    auto total = repo.count_matching(f);
    if (!total) return std::unexpected(total.error());
    out.total = *total;
    pr.offset = w.offset;
    if (w.count == 0) return out;  // RFC 7644 §3.4.2.4: count 0 asks only for totalResults
  }
  auto page = repo.list(f, pr);
  if (!page) return std::unexpected(page.error());
  std::string last_id = page->items.empty() ? std::string() : page->items.back().id;
  for (auto& e : page->items) {
    auto v = to_view(std::move(e));
    if (!v) return std::unexpected(v.error());
    out.items.push_back(std::move(*v));
  }
  if (w.cursor && page->more && !last_id.empty()) out.next_cursor = encode_page_token(scope, last_id);
  return out;
}

}  // namespace

result<query_page<user_view>> identity_service::query_users(const call_context& ctx, const user_query& q,
                                                            const query_window& w, view_options view) {
  return store_.read<query_page<user_view>>(ctx, [&](store::transaction& tx) -> result<query_page<user_view>> {
    if (q.matches_nothing) return query_page<user_view>{{}, w.cursor ? std::nullopt : std::optional<int64_t>(0), {}};
    store::user_filter f = q.filter;
    if (q.in_group) {
      auto groups = nested_groups(tx, *q.in_group);
      if (!groups) return std::unexpected(groups.error());
      f.member_of_any = std::move(*groups);
    }
    return page_query<user_view>(tx.users(), f, "scim-users|" + q.scope, w,
                                               [&](domain::user u) { return user_view_of(tx, std::move(u), view); });
  });
}

result<query_page<group_view>> identity_service::query_groups(const call_context& ctx, const group_query& q,
                                                              const query_window& w, view_options view) {
  return store_.read<query_page<group_view>>(ctx, [&](store::transaction& tx) -> result<query_page<group_view>> {
    if (q.matches_nothing) return query_page<group_view>{{}, w.cursor ? std::nullopt : std::optional<int64_t>(0), {}};
    return page_query<group_view>(tx.groups(), q.filter, "scim-groups|" + q.scope, w,
                                                 [&](domain::group g) { return group_view_of(tx, std::move(g), view); });
  });
}

result<std::vector<group_link>> identity_service::effective_groups_of(const call_context& ctx,
                                                                      const std::string& user_id) {
  return store_.read<std::vector<group_link>>(ctx, [&](store::transaction& tx) -> result<std::vector<group_link>> {
    auto u = tx.users().get(user_id);
    if (!u) return std::unexpected(u.error());
    if (!*u) return not_found("USER", user_id);
    return effective_groups(tx, user_id);
  });
}

result<std::vector<std::string>> identity_service::effective_members_of(const call_context& ctx,
                                                                        const std::string& group_id) {
  return store_.read<std::vector<std::string>>(ctx, [&](store::transaction& tx) -> result<std::vector<std::string>> {
    auto g = tx.groups().get(group_id);
    if (!g) return std::unexpected(g.error());
    if (!*g) return not_found("GROUP", group_id);
    return effective_members(tx, group_id);
  });
}

}  // namespace atrium::service
