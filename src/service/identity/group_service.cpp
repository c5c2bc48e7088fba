#include "service/identity/group_service.hpp"

#include "base/json_text.hpp"
#include "base/strings.hpp"
#include "domain/ids.hpp"
#include "domain/validation.hpp"

namespace atrium::service {

group_service::group_service(identity_context& shared)
    : shared_(shared),
      store_(shared.store()),
      clock_(shared.clk()),
      random_(shared.rnd()),
      store_id_(shared.identity_store_id()),
      quotas_(shared.limits()) {}

result<domain::group> group_service::create_group(const call_context& ctx, domain::group g) {
  auto v = create_group_with_members(ctx, std::move(g), {});
  if (!v) return std::unexpected(v.error());
  return std::move(v->group);
}

result<domain::group> group_service::describe_group(const call_context& ctx, const std::string& id) {
  return store_.read<domain::group>(ctx, [&](store::transaction& tx) -> result<domain::group> {
    auto g = tx.groups().get(id);
    if (!g) return std::unexpected(g.error());
    if (!*g) return not_found("GROUP", id);
    return std::move(**g);
  });
}

namespace {

// UpdateGroup's edit as a read-modify-write mutation; owns the edit (write_then runs it later).
group_mutation attribute_mutation(group_attribute_edit edit) {
  return [edit = std::move(edit)](const domain::group& current) -> result<group_edit> {
    group_edit changed{current, {}};
    if (auto r = edit(changed.group); !r) return std::unexpected(r.error());
    return changed;
  };
}

}  // namespace

result<domain::group> group_service::update_group(const call_context& ctx, const std::string& id,
                                                     const group_attribute_edit& edit) {
  auto v = rewrite_group(ctx, id, attribute_mutation(edit), std::nullopt, {false, false}, false);
  if (!v) return std::unexpected(v.error());
  return std::move(v->group);
}

void group_service::update_group_then(const call_context& ctx, const std::string& id, group_attribute_edit edit,
                                      store::post_fn post, std::function<void(result<domain::group>)> done) {
  store_.write_then<group_view>(
      ctx, rewrite_body(ctx, id, attribute_mutation(std::move(edit)), std::nullopt, {false, false}), rewrite_ids(false),
      std::move(post), [done = std::move(done)](result<group_view> v) {
        if (!v) return done(std::unexpected(v.error()));
        done(std::move(v->group));
      });
}

store_body<std::monostate> group_service::delete_body(const call_context& ctx, const std::string& id,
                                                      const version_condition& if_match) {
  return [this, ctx, id, if_match](store::transaction& tx) -> result<std::monostate> {
    if (if_match) {
      auto cur = tx.groups().get(id);
      if (!cur) return std::unexpected(cur.error());
      if (!*cur) return not_found("GROUP", id);
      if (auto r = check_version(if_match, (*cur)->version); !r) return std::unexpected(r.error());
    }
    if (auto r = shared_.remove_references_to(tx, ctx, id); !r) return std::unexpected(r.error());
    auto removed = tx.groups().remove(id);
    if (!removed) return std::unexpected(removed.error());
    if (!*removed) return not_found("GROUP", id);
    return std::monostate{};
  };
}

result<std::monostate> group_service::delete_group(const call_context& ctx, const std::string& id,
                                                       const version_condition& if_match) {
  return store_.write<std::monostate>(ctx, delete_body(ctx, id, if_match), null_response_elements);
}

void group_service::delete_group_then(const call_context& ctx, const std::string& id, store::post_fn post,
                                      std::function<void(result<std::monostate>)> done,
                                      const version_condition& if_match) {
  store_.write_then<std::monostate>(ctx, delete_body(ctx, id, if_match), null_response_elements,
                                    std::move(post), std::move(done));
}

result<listing<domain::group>> group_service::list_groups(
    const call_context& ctx, const store::group_filter& f,
    const std::optional<std::string>& next_token, int max) {
  std::string scope = "groups|" + f.display_name_key.value_or("");
  auto start = shared_.start_page(scope, next_token, max);
  if (!start) return std::unexpected(start.error());
  store::page_request pr = *start;
  return store_.read<listing<domain::group>>(ctx, [&](store::transaction& tx) -> result<listing<domain::group>> {
    auto p = tx.groups().list(f, pr);
    if (!p) return std::unexpected(p.error());
    return identity_context::to_listing(std::move(*p), scope);
  });
}

result<std::string> group_service::get_group_id(const call_context& ctx,
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

result<void> group_service::add_member(store::transaction& tx, const call_context& ctx,
                                          const std::string& group_id, const std::string& member_id) {
  if (member_id == group_id) return fail(errc::validation, "A group cannot be a member of itself.");
  auto kind = kind_of(tx, member_id);
  if (!kind) return std::unexpected(kind.error());
  if (!*kind)
    return fail(errc::validation, "Member '" + member_id.substr(0, 128) + "' is not a user or group of this identity store.");
  domain::membership m{domain::new_resource_id(store_id_, random_, clock_.now()), group_id, member_id, **kind, shared_.stamp(ctx)};
  auto r = tx.memberships().insert(m);
  // Adding a member twice is not an error (IdPs retry); the unique (group, member) pair says
  // so without a lookup first.
  if (!r && r.error().code == errc::conflict) return {};
  return r;
}

result<void> group_service::apply_member_changes(store::transaction& tx, const call_context& ctx,
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

result<store_body<group_view>> group_service::prepare_create(const call_context& ctx, domain::group g,
                                                             std::vector<std::string> member_ids) {
  g.id = domain::new_resource_id(store_id_, random_, clock_.now());
  g.version = 1;
  g.stamp = shared_.stamp(ctx);
  if (auto r = domain::validate_group(g); !r) return std::unexpected(r.error());
  auto before = shared_.count_before_write([](store::transaction& tx) { return tx.groups().count(); });
  if (!before) return std::unexpected(before.error());
  return [this, ctx, g = std::move(g), member_ids = std::move(member_ids),
          before = *before](store::transaction& tx) -> result<group_view> {
    auto n = before ? result<int64_t>(*before) : tx.groups().count();  // quotas.max_groups
    if (!n) return std::unexpected(n.error());
    if (*n >= quotas_.max_groups)
      return fail(errc::quota_exceeded, "The number of groups has reached its quota of " +
                                            std::to_string(quotas_.max_groups) + ".");
    if (auto r = tx.groups().insert(g); !r) return std::unexpected(r.error());
    if (auto r = apply_member_changes(tx, ctx, g.id, {{member_change::kind::add, member_ids}}); !r)
      return std::unexpected(r.error());
    return shared_.group_view_of(tx, g, {true, true});
  };
}

std::string group_service::created_ids(const group_view& v) const { return shared_.ids({{"groupId", v.group.id}}); }

result<group_view> group_service::create_group_with_members(const call_context& ctx, domain::group g,
                                                               const std::vector<std::string>& member_ids) {
  auto body = prepare_create(ctx, std::move(g), member_ids);
  if (!body) return std::unexpected(body.error());
  return store_.write<group_view>(ctx, *body, [&](const group_view& v) { return created_ids(v); });
}

void group_service::create_group_with_members_then(const call_context& ctx, domain::group g,
                                                   std::vector<std::string> member_ids, store::post_fn post,
                                                   std::function<void(result<group_view>)> done) {
  auto body = prepare_create(ctx, std::move(g), std::move(member_ids));
  if (!body) return done(std::unexpected(body.error()));
  store_.write_then<group_view>(
      ctx, std::move(*body), [this](const group_view& v) { return created_ids(v); }, std::move(post), std::move(done));
}

void group_service::create_group_then(const call_context& ctx, domain::group g, store::post_fn post,
                                      std::function<void(result<domain::group>)> done) {
  create_group_with_members_then(ctx, std::move(g), {}, std::move(post),
                                 [done = std::move(done)](result<group_view> created) {
                                   if (!created) return done(std::unexpected(created.error()));
                                   done(std::move(created->group));
                                 });
}

result<group_view> group_service::modify_group(const call_context& ctx, const std::string& id,
                                                  const group_mutation& fn, const version_condition& if_match,
                                                  view_options view) {
  return rewrite_group(ctx, id, fn, if_match, view, true);
}

void group_service::modify_group_then(const call_context& ctx, const std::string& id, group_mutation fn,
                                      version_condition if_match, view_options view, store::post_fn post,
                                      std::function<void(result<group_view>)> done) {
  store_.write_then<group_view>(ctx, rewrite_body(ctx, id, std::move(fn), std::move(if_match), view),
                                rewrite_ids(true), std::move(post), std::move(done));
}

result<group_view> group_service::rewrite_group(const call_context& ctx, const std::string& id,
                                                   const group_mutation& fn, const version_condition& if_match,
                                                   view_options view, bool audit_ids) {
  return store_.write<group_view>(ctx, rewrite_body(ctx, id, fn, if_match, view), rewrite_ids(audit_ids));
}

std::function<std::string(const group_view&)> group_service::rewrite_ids(bool audit_ids) const {
  return [this, audit_ids](const group_view& v) {
    return audit_ids ? shared_.ids({{"groupId", v.group.id}}) : std::string();
  };
}

store_body<group_view> group_service::rewrite_body(const call_context& ctx, std::string id, group_mutation fn,
                                                   version_condition if_match, view_options view) {
  return [this, ctx, id = std::move(id), fn = std::move(fn), if_match = std::move(if_match),
          view](store::transaction& tx) -> result<group_view> {
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
    shared_.touch(g.stamp, ctx);
    if (auto r = tx.groups().update(g, current.version); !r) return std::unexpected(r.error());
    if (auto r = apply_member_changes(tx, ctx, id, edit->members); !r) return std::unexpected(r.error());
    return shared_.group_view_of(tx, std::move(g), view);
  };
}

result<group_view> group_service::get_group_view(const call_context& ctx, const std::string& id,
                                                    view_options view) {
  return store_.read<group_view>(ctx, [&](store::transaction& tx) -> result<group_view> {
    auto g = tx.groups().get(id);
    if (!g) return std::unexpected(g.error());
    if (!*g) return not_found("GROUP", id);
    return shared_.group_view_of(tx, std::move(**g), view);
  });
}

result<query_page<group_view>> group_service::query_groups(const call_context& ctx, const group_query& q,
                                                              const query_window& w, view_options view) {
  return store_.read<query_page<group_view>>(ctx, [&](store::transaction& tx) -> result<query_page<group_view>> {
    if (q.matches_nothing) return query_page<group_view>{{}, w.cursor ? std::nullopt : std::optional<int64_t>(0), {}};
    return page_query<group_view>(tx.groups(), q.filter, "scim-groups|" + q.scope, w,
                                                 [&](domain::group g) { return shared_.group_view_of(tx, std::move(g), view); });
  });
}

}  // namespace atrium::service
