// identity_service: groups and memberships (users are in identity_service.cpp).
#include "base/strings.hpp"
#include "base/json_text.hpp"
#include "domain/ids.hpp"
#include "domain/validation.hpp"
#include "service/assignment_cascade.hpp"
#include "service/identity_service.hpp"

namespace atrium::service {

result<domain::group> identity_service::create_group(const call_context& ctx, domain::group g) {
  auto v = create_group_with_members(ctx, std::move(g), {});
  if (!v) return std::unexpected(v.error());
  return std::move(v->group);
}

result<domain::group> identity_service::describe_group(const call_context& ctx, const std::string& id) {
  return store_.read<domain::group>(ctx, [&](store::transaction& tx) -> result<domain::group> {
    auto g = tx.groups().get(id);
    if (!g) return std::unexpected(g.error());
    if (!*g) return not_found("GROUP", id);
    return std::move(**g);
  });
}

result<domain::group> identity_service::update_group(const call_context& ctx, const std::string& id,
                                                     const group_attribute_edit& edit) {
  auto v = rewrite_group(
      ctx, id,
      [&](const domain::group& current) -> result<group_edit> {
        group_edit changed{current, {}};
        if (auto r = edit(changed.group); !r) return std::unexpected(r.error());
        return changed;
      },
      std::nullopt, {false, false}, false);
  if (!v) return std::unexpected(v.error());
  return std::move(v->group);
}

result<std::monostate> identity_service::delete_group(const call_context& ctx, const std::string& id,
                                                       const version_condition& if_match) {
  return store_.write<std::monostate>(
      ctx,
      [&](store::transaction& tx) -> result<std::monostate> {
        if (if_match) {
          auto cur = tx.groups().get(id);
          if (!cur) return std::unexpected(cur.error());
          if (!*cur) return not_found("GROUP", id);
          if (auto r = check_version(if_match, (*cur)->version); !r) return std::unexpected(r.error());
        }
        if (auto r = leave_all_groups(tx, ctx, id); !r) return std::unexpected(r.error());
        if (auto r = tx.memberships().remove_all_for(id); !r) return std::unexpected(r.error());
        // Its account assignments go too; roles left without one are removed by the job runner.
        if (auto r = remove_assignments_of_principal(tx, random_, clock_.now(), id); !r) return std::unexpected(r.error());
        auto removed = tx.groups().remove(id);
        if (!removed) return std::unexpected(removed.error());
        if (!*removed) return not_found("GROUP", id);
        return std::monostate{};
      },
      json_text_of([&](const std::monostate&) { return nlohmann::json(nullptr); }));
}

result<listing<domain::group>> identity_service::list_groups(
    const call_context& ctx, const store::group_filter& f,
    const std::optional<std::string>& next_token, int max) {
  std::string scope = "groups|" + f.display_name_key.value_or("");
  auto start = start_page(scope, next_token, max);
  if (!start) return std::unexpected(start.error());
  store::page_request pr = *start;
  return store_.read<listing<domain::group>>(ctx, [&](store::transaction& tx) -> result<listing<domain::group>> {
    auto p = tx.groups().list(f, pr);
    if (!p) return std::unexpected(p.error());
    return to_listing(std::move(*p), scope);
  });
}

result<std::string> identity_service::get_group_id(const call_context& ctx,
                                                   const alternate_identifier& alt) {
  store::group_filter f;
  std::string shown;
  if (alt.external_id) {
    f.external_id = alt.external_id;
    shown = alt.external_id->id;
  } else {
    if (to_lower_ascii(alt.attribute_path) != "displayname" || !alt.attribute_value) {
      auto e = fail(errc::validation,
                    "UniqueAttribute must name displayName with a string AttributeValue.");
      return e;
    }
    shown = *alt.attribute_value;
    f.display_name_key = domain::fold_key(shown);
  }
  return store_.read<std::string>(ctx, [&](store::transaction& tx) -> result<std::string> {
    auto p = tx.groups().list(f, {"", 1});
    if (!p) return std::unexpected(p.error());
    if (p->items.empty()) return not_found("GROUP", shown);
    return p->items.front().id;
  });
}

// ---- memberships -------------------------------------------------------------------------

result<domain::membership> identity_service::create_membership(const call_context& ctx,
                                                               const std::string& group_id,
                                                               const std::string& user_id) {
  domain::membership m{domain::new_resource_id(store_id_, random_, clock_.now()), group_id, user_id,
                       domain::member_kind::user, stamp(ctx)};
  return store_.write<domain::membership>(
      ctx,
      [&](store::transaction& tx) -> result<domain::membership> {
        auto g = tx.groups().get(group_id);
        if (!g) return std::unexpected(g.error());
        if (!*g) return not_found("GROUP", group_id);
        auto u = tx.users().get(user_id);
        if (!u) return std::unexpected(u.error());
        if (!*u) return not_found("USER", user_id);
        auto n = tx.memberships().count_for_group(group_id);
        if (!n) return std::unexpected(n.error());
        if (*n >= quotas_.max_members_per_group)
          return fail(errc::quota_exceeded, "The group has reached its member quota.");
        if (auto r = tx.memberships().insert(m); !r) return std::unexpected(r.error());
        if (auto r = touch_group(tx, ctx, group_id); !r) return std::unexpected(r.error());
        return m;
      },
      [&](const domain::membership& created) { return ids({{"membershipId", created.id}}); });
}

result<domain::membership> identity_service::describe_membership(const call_context& ctx,
                                                                 const std::string& id) {
  return store_.read<domain::membership>(ctx, [&](store::transaction& tx) -> result<domain::membership> {
    auto m = tx.memberships().get(id);
    if (!m) return std::unexpected(m.error());
    // A nested group's membership is not one the identitystore API can name (MemberId.UserId).
    if (!*m || (*m)->kind != domain::member_kind::user) return not_found("GROUP_MEMBERSHIP", id);
    return std::move(**m);
  });
}

result<std::monostate> identity_service::delete_membership(const call_context& ctx,
                                                           const std::string& id) {
  return store_.write<std::monostate>(
      ctx,
      [&](store::transaction& tx) -> result<std::monostate> {
        auto m = tx.memberships().get(id);
        if (!m) return std::unexpected(m.error());
        if (!*m || (*m)->kind != domain::member_kind::user) return not_found("GROUP_MEMBERSHIP", id);
        auto removed = tx.memberships().remove(id);
        if (!removed) return std::unexpected(removed.error());
        if (auto r = touch_group(tx, ctx, (*m)->group_id); !r) return std::unexpected(r.error());
        return std::monostate{};
      },
      json_text_of([&](const std::monostate&) { return nlohmann::json(nullptr); }));
}

result<std::string> identity_service::get_membership_id(const call_context& ctx,
                                                        const std::string& group_id,
                                                        const std::string& user_id) {
  return store_.read<std::string>(ctx, [&](store::transaction& tx) -> result<std::string> {
    auto m = tx.memberships().find(group_id, user_id);
    if (!m) return std::unexpected(m.error());
    if (!*m || (*m)->kind != domain::member_kind::user) return not_found("GROUP_MEMBERSHIP", user_id);
    return (*m)->id;
  });
}

result<listing<domain::membership>> identity_service::list_memberships(
    const call_context& ctx, const std::string& group_id,
    const std::optional<std::string>& next_token, int max) {
  std::string scope = "members|" + group_id;
  auto start = start_page(scope, next_token, max);
  if (!start) return std::unexpected(start.error());
  store::page_request pr = *start;
  return store_.read<listing<domain::membership>>(ctx, [&](store::transaction& tx) -> result<listing<domain::membership>> {
    auto g = tx.groups().get(group_id);
    if (!g) return std::unexpected(g.error());
    if (!*g) return not_found("GROUP", group_id);
    auto p = tx.memberships().list_by_group(group_id, pr);
    if (!p) return std::unexpected(p.error());
    return to_listing(std::move(*p), scope);
  });
}

result<listing<domain::membership>> identity_service::list_memberships_for_member(
    const call_context& ctx, const std::string& user_id,
    const std::optional<std::string>& next_token, int max) {
  std::string scope = "memberof|" + user_id;
  auto start = start_page(scope, next_token, max);
  if (!start) return std::unexpected(start.error());
  store::page_request pr = *start;
  return store_.read<listing<domain::membership>>(ctx, [&](store::transaction& tx) -> result<listing<domain::membership>> {
    auto u = tx.users().get(user_id);
    if (!u) return std::unexpected(u.error());
    if (!*u) return not_found("USER", user_id);
    auto p = tx.memberships().list_by_member(user_id, pr);
    if (!p) return std::unexpected(p.error());
    return to_listing(std::move(*p), scope);
  });
}

result<std::vector<membership_check>> identity_service::is_member_in_groups(
    const call_context& ctx, const std::string& user_id, const std::vector<std::string>& group_ids) {
  return store_.read<std::vector<membership_check>>(ctx, [&](store::transaction& tx) -> result<std::vector<membership_check>> {
    auto u = tx.users().get(user_id);
    if (!u) return std::unexpected(u.error());
    if (!*u) return not_found("USER", user_id);
    std::vector<membership_check> out;
    for (const auto& gid : group_ids) {
      auto m = tx.memberships().find(gid, user_id);
      if (!m) return std::unexpected(m.error());
      out.push_back({gid, m->has_value()});
    }
    return out;
  });
}

}  // namespace atrium::service
