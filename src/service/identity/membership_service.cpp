#include "service/identity/membership_service.hpp"

#include "base/json_text.hpp"
#include "base/strings.hpp"
#include "domain/ids.hpp"
#include "domain/validation.hpp"

namespace atrium::service {

membership_service::membership_service(identity_context& shared)
    : shared_(shared),
      store_(shared.store()),
      clock_(shared.clk()),
      random_(shared.rnd()),
      store_id_(shared.identity_store_id()),
      quotas_(shared.limits()) {}

// ---- memberships -------------------------------------------------------------------------
// The worker's half of a create is the new id and stamp; the returned body is the writer's
// half (both ends exist, the member quota, the insert, the group's version), owning what it
// uses (issue 18 item 3: it may run after the caller returned).
store_body<domain::membership> membership_service::create_body(const call_context& ctx, const std::string& group_id,
                                                               const std::string& user_id) {
  domain::membership m{domain::new_resource_id(store_id_, random_, clock_.now()), group_id, user_id,
                       domain::member_kind::user, shared_.stamp(ctx)};
  return [this, ctx, m = std::move(m)](store::transaction& tx) -> result<domain::membership> {
    auto g = tx.groups().get(m.group_id);
    if (!g) return std::unexpected(g.error());
    if (!*g) return not_found("GROUP", m.group_id);
    auto u = tx.users().get(m.member_id);
    if (!u) return std::unexpected(u.error());
    if (!*u) return not_found("USER", m.member_id);
    auto n = tx.memberships().count_for_group(m.group_id);
    if (!n) return std::unexpected(n.error());
    if (*n >= quotas_.max_members_per_group)
      return fail(errc::quota_exceeded, "The group has reached its member quota.");
    if (auto r = tx.memberships().insert(m); !r) return std::unexpected(r.error());
    if (auto r = shared_.touch_group(tx, ctx, m.group_id); !r) return std::unexpected(r.error());
    return m;
  };
}

std::string membership_service::created_ids(const domain::membership& created) const {
  return shared_.ids({{"membershipId", created.id}});
}

result<domain::membership> membership_service::create_membership(const call_context& ctx,
                                                               const std::string& group_id,
                                                               const std::string& user_id) {
  return store_.write<domain::membership>(ctx, create_body(ctx, group_id, user_id),
                                          [&](const domain::membership& m) { return created_ids(m); });
}

void membership_service::create_membership_then(const call_context& ctx, const std::string& group_id,
                                                const std::string& user_id, store::post_fn post,
                                                std::function<void(result<domain::membership>)> done) {
  store_.write_then<domain::membership>(
      ctx, create_body(ctx, group_id, user_id), [this](const domain::membership& m) { return created_ids(m); },
      std::move(post), std::move(done));
}

result<domain::membership> membership_service::describe_membership(const call_context& ctx,
                                                                 const std::string& id) {
  return store_.read<domain::membership>(ctx, [&](store::transaction& tx) -> result<domain::membership> {
    auto m = tx.memberships().get(id);
    if (!m) return std::unexpected(m.error());
    // A nested group's membership is not one the identitystore API can name (MemberId.UserId).
    if (!*m || (*m)->kind != domain::member_kind::user) return not_found("GROUP_MEMBERSHIP", id);
    return std::move(**m);
  });
}

// Owns what it uses: it may run on the writer thread after the caller returned (write_then).
store_body<std::monostate> membership_service::delete_body(const call_context& ctx, const std::string& id) {
  return [this, ctx, id](store::transaction& tx) -> result<std::monostate> {
    auto m = tx.memberships().get(id);
    if (!m) return std::unexpected(m.error());
    if (!*m || (*m)->kind != domain::member_kind::user) return not_found("GROUP_MEMBERSHIP", id);
    auto removed = tx.memberships().remove(id);
    if (!removed) return std::unexpected(removed.error());
    if (auto r = shared_.touch_group(tx, ctx, (*m)->group_id); !r) return std::unexpected(r.error());
    return std::monostate{};
  };
}

result<std::monostate> membership_service::delete_membership(const call_context& ctx,
                                                           const std::string& id) {
  return store_.write<std::monostate>(ctx, delete_body(ctx, id), null_response_elements);
}

void membership_service::delete_membership_then(const call_context& ctx, const std::string& id,
                                                store::post_fn post,
                                                std::function<void(result<std::monostate>)> done) {
  store_.write_then<std::monostate>(ctx, delete_body(ctx, id), null_response_elements, std::move(post),
                                    std::move(done));
}

result<std::string> membership_service::get_membership_id(const call_context& ctx,
                                                        const std::string& group_id,
                                                        const std::string& user_id) {
  return store_.read<std::string>(ctx, [&](store::transaction& tx) -> result<std::string> {
    auto m = tx.memberships().find(group_id, user_id);
    if (!m) return std::unexpected(m.error());
    if (!*m || (*m)->kind != domain::member_kind::user) return not_found("GROUP_MEMBERSHIP", user_id);
    return (*m)->id;
  });
}

result<listing<domain::membership>> membership_service::list_memberships(
    const call_context& ctx, const std::string& group_id,
    const std::optional<std::string>& next_token, int max) {
  std::string scope = "members|" + group_id;
  auto start = shared_.start_page(scope, next_token, max);
  if (!start) return std::unexpected(start.error());
  store::page_request pr = *start;
  return store_.read<listing<domain::membership>>(ctx, [&](store::transaction& tx) -> result<listing<domain::membership>> {
    auto g = tx.groups().get(group_id);
    if (!g) return std::unexpected(g.error());
    if (!*g) return not_found("GROUP", group_id);
    auto p = tx.memberships().list_by_group(group_id, pr);
    if (!p) return std::unexpected(p.error());
    return identity_context::to_listing(std::move(*p), scope);
  });
}

result<listing<domain::membership>> membership_service::list_memberships_for_member(
    const call_context& ctx, const std::string& user_id,
    const std::optional<std::string>& next_token, int max) {
  std::string scope = "memberof|" + user_id;
  auto start = shared_.start_page(scope, next_token, max);
  if (!start) return std::unexpected(start.error());
  store::page_request pr = *start;
  return store_.read<listing<domain::membership>>(ctx, [&](store::transaction& tx) -> result<listing<domain::membership>> {
    auto u = tx.users().get(user_id);
    if (!u) return std::unexpected(u.error());
    if (!*u) return not_found("USER", user_id);
    auto p = tx.memberships().list_by_member(user_id, pr);
    if (!p) return std::unexpected(p.error());
    return identity_context::to_listing(std::move(*p), scope);
  });
}

result<std::vector<membership_check>> membership_service::is_member_in_groups(
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

result<std::vector<group_link>> membership_service::effective_groups_of(const call_context& ctx,
                                                                      const std::string& user_id) {
  return store_.read<std::vector<group_link>>(ctx, [&](store::transaction& tx) -> result<std::vector<group_link>> {
    auto u = tx.users().get(user_id);
    if (!u) return std::unexpected(u.error());
    if (!*u) return not_found("USER", user_id);
    return effective_groups(tx, user_id);
  });
}

result<std::vector<std::string>> membership_service::effective_members_of(const call_context& ctx,
                                                                        const std::string& group_id) {
  return store_.read<std::vector<std::string>>(ctx, [&](store::transaction& tx) -> result<std::vector<std::string>> {
    auto g = tx.groups().get(group_id);
    if (!g) return std::unexpected(g.error());
    if (!*g) return not_found("GROUP", group_id);
    return effective_members(tx, group_id);
  });
}

}  // namespace atrium::service
