#include "service/identity/group_nesting.hpp"

#include <algorithm>
#include <unordered_set>

#include "base/json_text.hpp"
#include "domain/ids.hpp"
#include "service/identity/membership_graph.hpp"

namespace atrium::service {

namespace {

result<domain::group> existing_group(store::transaction& tx, const std::string& id) {
  auto g = tx.groups().get(id);
  if (!g) return std::unexpected(g.error());
  if (!*g) return not_found("GROUP", id);
  return **g;
}

}  // namespace

group_nesting::group_nesting(identity_context& shared) : shared_(shared) {}

result<std::string> group_nesting::add_child(const call_context& ctx, const std::string& parent,
                                             const std::string& child) {
  if (parent == child) return fail(errc::validation, "A group cannot be a member of itself.");
  domain::membership m{domain::new_resource_id(shared_.identity_store_id(), shared_.rnd(), shared_.clk().now()), parent,
                       child, domain::member_kind::group, shared_.stamp(ctx)};
  return shared_.store().write<std::string>(
      ctx,
      [&](store::transaction& tx) -> result<std::string> {
        if (auto g = existing_group(tx, parent); !g) return std::unexpected(g.error());
        if (auto g = existing_group(tx, child); !g) return std::unexpected(g.error());
        auto inside = nested_groups(tx, child);
        if (!inside) return std::unexpected(inside.error());
        if (std::find(inside->begin(), inside->end(), parent) != inside->end())
          return fail(errc::validation, "The group to add already contains this group (directly or through nested groups).");
        auto n = tx.memberships().count_for_group(parent);
        if (!n) return std::unexpected(n.error());
        if (*n >= shared_.limits().max_members_per_group)
          return fail(errc::quota_exceeded, "The group has reached its member quota.");
        if (auto r = tx.memberships().insert(m); !r) return std::unexpected(r.error());
        if (auto r = shared_.touch_group(tx, ctx, parent); !r) return std::unexpected(r.error());
        return m.id;
      },
      [&](const std::string& id) { return shared_.ids({{"membershipId", id}}); });
}

result<void> group_nesting::remove_child(const call_context& ctx, const std::string& parent, const std::string& child) {
  auto r = shared_.store().write<bool>(
      ctx,
      [&](store::transaction& tx) -> result<bool> {
        auto m = tx.memberships().find(parent, child);
        if (!m) return std::unexpected(m.error());
        if (!*m || (*m)->kind != domain::member_kind::group) return not_found("GROUP_MEMBERSHIP", child);
        auto removed = tx.memberships().remove((*m)->id);
        if (!removed) return std::unexpected(removed.error());
        if (auto t = shared_.touch_group(tx, ctx, parent); !t) return std::unexpected(t.error());
        return true;
      },
      json_text_of([](bool) { return nlohmann::json(nullptr); }));
  if (!r) return std::unexpected(r.error());
  return {};
}

result<group_members> group_nesting::members(const call_context& ctx, const std::string& group_id,
                                             std::size_t max_users) {
  return shared_.store().read<group_members>(ctx, [&](store::transaction& tx) -> result<group_members> {
    if (auto g = existing_group(tx, group_id); !g) return std::unexpected(g.error());
    auto direct = tx.memberships().members_of(group_id);
    if (!direct) return std::unexpected(direct.error());
    group_members out;
    std::unordered_set<std::string> direct_users;
    for (const auto& m : *direct) {
      if (m.kind == domain::member_kind::user) {
        direct_users.insert(m.id);
        continue;
      }
      auto g = tx.groups().get(m.id);
      if (!g) return std::unexpected(g.error());
      if (*g) out.child_groups.push_back({m.id, (*g)->display_name, true});
    }
    auto users = effective_members(tx, group_id);
    if (!users) return std::unexpected(users.error());
    out.effective_user_count = users->size();
    for (const auto& id : *users) {
      if (out.effective_users.size() >= max_users) break;
      auto u = tx.users().get(id);
      if (!u) return std::unexpected(u.error());
      if (*u) out.effective_users.push_back({id, (*u)->user_name, direct_users.contains(id)});
    }
    return out;
  });
}

}  // namespace atrium::service
