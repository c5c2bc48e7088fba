// identity_service: groups with their members (SCIM creates, replaces and patches groups
// together with their members; the identitystore API changes one membership at a time).
#include "domain/ids.hpp"
#include "base/json_text.hpp"
#include "domain/validation.hpp"
#include "service/identity_service.hpp"

namespace atrium::service {

namespace {

// The kind of an existing user or group id; nullopt when neither exists.
result<std::optional<domain::member_kind>> kind_of(store::transaction& tx, const std::string& id) {
  store::user_filter uf;
  uf.id = id;
  auto users = tx.users().count_matching(uf);
  if (!users) return std::unexpected(users.error());
  if (*users > 0) return std::optional<domain::member_kind>(domain::member_kind::user);
  store::group_filter gf;
  gf.id = id;
  auto groups = tx.groups().count_matching(gf);
  if (!groups) return std::unexpected(groups.error());
  if (*groups > 0) return std::optional<domain::member_kind>(domain::member_kind::group);
  return std::optional<domain::member_kind>{};
}

}  // namespace

result<void> identity_service::add_member(store::transaction& tx, const call_context& ctx,
                                          const std::string& group_id, const std::string& member_id) {
  if (member_id == group_id) return fail(errc::validation, "A group cannot be a member of itself.");
  auto kind = kind_of(tx, member_id);
  if (!kind) return std::unexpected(kind.error());
  if (!*kind)
    return fail(errc::validation, "Member '" + member_id.substr(0, 128) + "' is not a user or group of this identity store.");
  domain::membership m{domain::new_resource_id(store_id_, random_, clock_.now()), group_id, member_id, **kind, stamp(ctx)};
  auto r = tx.memberships().insert(m);
  // Adding a member twice is not an error (IdPs retry); the unique (group, member) pair says
  // so without a lookup first.
  if (!r && r.error().code == errc::conflict) return {};
  return r;
}

result<void> identity_service::apply_member_changes(store::transaction& tx, const call_context& ctx,
                                                    const std::string& group_id,
                                                    const std::vector<member_change>& changes) {
  bool added = false;
  for (const auto& c : changes) {
    switch (c.k) {
      case member_change::kind::remove_all:
        if (auto r = tx.memberships().remove_all_members(group_id); !r) return std::unexpected(r.error());
        break;
      case member_change::kind::remove:
        for (const auto& id : c.ids)  // removing a non-member is a no-op: IdPs retry
          if (auto r = tx.memberships().remove_pair(group_id, id); !r) return std::unexpected(r.error());
        break;
      case member_change::kind::add:
        for (const auto& id : c.ids)
          if (auto r = add_member(tx, ctx, group_id, id); !r) return r;
        added = added || !c.ids.empty();
        break;
    }
  }
  if (!added) return {};
  auto n = tx.memberships().count_for_group(group_id);
  if (!n) return std::unexpected(n.error());
  if (*n > quotas_.max_members_per_group)
    return fail(errc::quota_exceeded, "The group has reached its member quota of " +
                                          std::to_string(quotas_.max_members_per_group) + ".");
  return {};
}

result<void> identity_service::touch_group(store::transaction& tx, const call_context& ctx,
                                           const std::string& group_id) {
  auto found = tx.groups().get(group_id);
  if (!found) return std::unexpected(found.error());
  if (!*found) return not_found("GROUP", group_id);
  domain::group g = std::move(**found);
  int64_t expected = g.version;
  g.version = expected + 1;
  touch(g.stamp, ctx);
  return tx.groups().update(g, expected);
}

result<void> check_version(const version_condition& c, int64_t version) {
  if (!c) return {};
  for (int64_t v : *c)
    if (v == version) return {};
  return fail(errc::concurrent_modification,
              "The resource is at version " + std::to_string(version) + ", not the one If-Match names.");
}

result<void> identity_service::leave_all_groups(store::transaction& tx, const call_context& ctx,
                                                const std::string& member_id) {
  auto groups = tx.memberships().groups_of(member_id);
  if (!groups) return std::unexpected(groups.error());
  for (const auto& g : *groups)
    if (g != member_id)
      if (auto r = touch_group(tx, ctx, g); !r) return r;
  return {};
}

result<group_view> identity_service::create_group_with_members(const call_context& ctx, domain::group g,
                                                               const std::vector<std::string>& member_ids) {
  g.id = domain::new_resource_id(store_id_, random_, clock_.now());
  g.version = 1;
  g.stamp = stamp(ctx);
  if (auto r = domain::validate_group(g); !r) return std::unexpected(r.error());
  return store_.write<group_view>(
      ctx,
      [&](store::transaction& tx) -> result<group_view> {
        auto n = tx.groups().count();
        if (!n) return std::unexpected(n.error());
        if (*n >= quotas_.max_groups)
          return fail(errc::quota_exceeded, "The number of groups has reached its quota of " +
                                                std::to_string(quotas_.max_groups) + ".");
        if (auto r = tx.groups().insert(g); !r) return std::unexpected(r.error());
        if (auto r = apply_member_changes(tx, ctx, g.id, {{member_change::kind::add, member_ids}}); !r)
          return std::unexpected(r.error());
        return group_view_of(tx, g, {true, true});
      },
      [&](const group_view& v) { return ids({{"groupId", v.group.id}}); });
}

result<group_view> identity_service::modify_group(const call_context& ctx, const std::string& id,
                                                  const group_mutation& fn, const version_condition& if_match,
                                                  view_options view) {
  return rewrite_group(ctx, id, fn, if_match, view, true);
}

result<group_view> identity_service::rewrite_group(const call_context& ctx, const std::string& id,
                                                   const group_mutation& fn, const version_condition& if_match,
                                                   view_options view, bool audit_ids) {
  return store_.write<group_view>(
      ctx,
      [&](store::transaction& tx) -> result<group_view> {
        auto found = tx.groups().get(id);
        if (!found) return std::unexpected(found.error());
        if (!*found) return not_found("GROUP", id);
        const domain::group& current = **found;
        if (auto r = check_version(if_match, current.version); !r) return std::unexpected(r.error());
        auto edit = fn(current);
        if (!edit) return std::unexpected(edit.error());
        domain::group g = std::move(edit->group);
        g.id = current.id;  // identity and history are not the caller's to change
        g.stamp.created_at = current.stamp.created_at;
        g.stamp.created_by = current.stamp.created_by;
        g.stamp.created_via = current.stamp.created_via;
        if (auto r = domain::validate_group(g); !r) return std::unexpected(r.error());
        g.version = current.version + 1;
        touch(g.stamp, ctx);
        if (auto r = tx.groups().update(g, current.version); !r) return std::unexpected(r.error());
        if (auto r = apply_member_changes(tx, ctx, id, edit->members); !r) return std::unexpected(r.error());
        return group_view_of(tx, std::move(g), view);
      },
      [&](const group_view& v) { return audit_ids ? ids({{"groupId", v.group.id}}) : std::string(); });
}

result<user_view> identity_service::modify_user(const call_context& ctx, const std::string& id,
                                                const user_mutation& fn, const version_condition& if_match,
                                                view_options view) {
  return rewrite_user(ctx, id, fn, if_match, view, true);
}

result<user_view> identity_service::rewrite_user(const call_context& ctx, const std::string& id,
                                                 const user_mutation& fn, const version_condition& if_match,
                                                 view_options view, bool audit_ids) {
  return store_.write<user_view>(
      ctx,
      [&](store::transaction& tx) -> result<user_view> {
        auto found = tx.users().get(id);
        if (!found) return std::unexpected(found.error());
        if (!*found) return not_found("USER", id);
        const domain::user& current = **found;
        if (auto r = check_version(if_match, current.version); !r) return std::unexpected(r.error());
        auto next = fn(current);
        if (!next) return std::unexpected(next.error());
        domain::user u = std::move(*next);
        u.id = current.id;
        u.stamp.created_at = current.stamp.created_at;
        u.stamp.created_by = current.stamp.created_by;
        u.stamp.created_via = current.stamp.created_via;
        if (auto r = domain::validate_user(u); !r) return std::unexpected(r.error());
        u.version = current.version + 1;
        touch(u.stamp, ctx);
        if (auto r = tx.users().update(u, current.version); !r) return std::unexpected(r.error());
        return user_view_of(tx, std::move(u), view);
      },
      [&](const user_view& v) { return audit_ids ? ids({{"userId", v.user.id}}) : std::string(); });
}

}  // namespace atrium::service
