#include "service/identity/user_service.hpp"

#include "base/json_text.hpp"
#include "base/strings.hpp"
#include "domain/ids.hpp"
#include "domain/validation.hpp"
#include "service/identity/membership_graph.hpp"
#include "store/credential_repository.hpp"

namespace atrium::service {

user_service::user_service(identity_context& shared)
    : shared_(shared),
      store_(shared.store()),
      clock_(shared.clk()),
      random_(shared.rnd()),
      store_id_(shared.identity_store_id()),
      quotas_(shared.limits()) {}

// ---- users -------------------------------------------------------------------------------
result<domain::user> user_service::create_user(const call_context& ctx, domain::user u) {
  auto v = create_user_view(ctx, std::move(u));
  if (!v) return std::unexpected(v.error());
  return std::move(v->user);
}

result<domain::user> user_service::describe_user(const call_context& ctx, const std::string& id) {
  return store_.read<domain::user>(ctx, [&](store::transaction& tx) -> result<domain::user> {
    auto u = tx.users().get(id);
    if (!u) return std::unexpected(u.error());
    if (!*u) return not_found("USER", id);
    return std::move(**u);
  });
}

namespace {

// UpdateUser's edit as a read-modify-write mutation; owns the edit (write_then runs it later).
user_mutation edit_mutation(user_edit edit) {
  return [edit = std::move(edit)](const domain::user& current) -> result<domain::user> {
    domain::user u = current;
    if (auto r = edit(u); !r) return std::unexpected(r.error());
    return u;
  };
}

}  // namespace

result<domain::user> user_service::update_user(const call_context& ctx, const std::string& id,
                                                   const user_edit& edit) {
  auto v = rewrite_user(ctx, id, edit_mutation(edit), std::nullopt, {false, false}, false);
  if (!v) return std::unexpected(v.error());
  return std::move(v->user);
}

void user_service::update_user_then(const call_context& ctx, const std::string& id, user_edit edit,
                                    store::post_fn post, std::function<void(result<domain::user>)> done) {
  store_.write_then<user_view>(ctx, rewrite_body(ctx, id, edit_mutation(std::move(edit)), std::nullopt, {false, false}),
                               rewrite_ids(false), std::move(post),
                               [done = std::move(done)](result<user_view> v) {
                                 if (!v) return done(std::unexpected(v.error()));
                                 done(std::move(v->user));
                               });
}

// Owns what it uses: it may run on the writer thread after the caller returned (write_then).
store_body<std::monostate> user_service::delete_body(const call_context& ctx, const std::string& id,
                                                     const version_condition& if_match) {
  return [this, ctx, id, if_match](store::transaction& tx) -> result<std::monostate> {
    // The guide: deleting a user of the built-in store deletes what refers to it.
    if (if_match) {
      auto cur = tx.users().get(id);
      if (!cur) return std::unexpected(cur.error());
      if (!*cur) return not_found("USER", id);
      if (auto r = check_version(if_match, (*cur)->version); !r) return std::unexpected(r.error());
    }
    if (auto r = shared_.remove_references_to(tx, ctx, id); !r) return std::unexpected(r.error());
    // Its password, history and outstanding links/codes go too (issue 5).
    if (auto r = tx.credentials().remove_all_for(id); !r) return std::unexpected(r.error());
    auto removed = tx.users().remove(id);
    if (!removed) return std::unexpected(removed.error());
    if (!*removed) return not_found("USER", id);
    return std::monostate{};
  };
}

result<std::monostate> user_service::delete_user(const call_context& ctx, const std::string& id,
                                                       const version_condition& if_match) {
  return store_.write<std::monostate>(ctx, delete_body(ctx, id, if_match), null_response_elements);
}

void user_service::delete_user_then(const call_context& ctx, const std::string& id, store::post_fn post,
                                    std::function<void(result<std::monostate>)> done,
                                    const version_condition& if_match) {
  store_.write_then<std::monostate>(ctx, delete_body(ctx, id, if_match), null_response_elements,
                                    std::move(post), std::move(done));
}

namespace {

std::string user_scope(const store::user_filter& f) {
  return "users|" + f.user_name_key.value_or("");
}

}  // namespace

result<listing<domain::user>> user_service::list_users(
    const call_context& ctx, const store::user_filter& f, const std::optional<std::string>& next_token,
    int max) {
  std::string scope = user_scope(f);
  auto start = shared_.start_page(scope, next_token, max);
  if (!start) return std::unexpected(start.error());
  store::page_request pr = *start;
  return store_.read<listing<domain::user>>(ctx, [&](store::transaction& tx) -> result<listing<domain::user>> {
    auto p = tx.users().list(f, pr);
    if (!p) return std::unexpected(p.error());
    return identity_context::to_listing(std::move(*p), scope);
  });
}

result<std::string> user_service::get_user_id(const call_context& ctx,
                                                  const alternate_identifier& alt) {
  store::user_filter f;
  std::string shown;
  if (alt.external_id) {
    f.external_id = alt.external_id;
    shown = alt.external_id->id;
  } else {
    auto path = to_lower_ascii(alt.attribute_path);
    if (!alt.attribute_value) {
      auto e = fail(errc::validation, "UniqueAttribute.AttributeValue must be a string.");
      return e;
    }
    shown = *alt.attribute_value;
    if (path == "username") f.user_name_key = domain::fold_key(shown);
    else if (path == "emails.value") f.email_key = domain::fold_key(shown);
    else {
      auto e = fail(errc::validation, "UniqueAttribute.AttributePath '" + alt.attribute_path +
                                          "' is not supported; use userName or emails.value.");
      return e;
    }
  }
  return store_.read<std::string>(ctx, [&](store::transaction& tx) -> result<std::string> {
    auto p = tx.users().list(f, {"", 1});
    if (!p) return std::unexpected(p.error());
    if (p->items.empty()) return not_found("USER", shown);
    return p->items.front().id;
  });
}

result<user_view> user_service::modify_user(const call_context& ctx, const std::string& id,
                                                const user_mutation& fn, const version_condition& if_match,
                                                view_options view) {
  return rewrite_user(ctx, id, fn, if_match, view, true);
}

void user_service::modify_user_then(const call_context& ctx, const std::string& id, user_mutation fn,
                                    version_condition if_match, view_options view, store::post_fn post,
                                    std::function<void(result<user_view>)> done) {
  store_.write_then<user_view>(ctx, rewrite_body(ctx, id, std::move(fn), std::move(if_match), view), rewrite_ids(true),
                               std::move(post), std::move(done));
}

result<user_view> user_service::rewrite_user(const call_context& ctx, const std::string& id,
                                                 const user_mutation& fn, const version_condition& if_match,
                                                 view_options view, bool audit_ids) {
  return store_.write<user_view>(ctx, rewrite_body(ctx, id, fn, if_match, view), rewrite_ids(audit_ids));
}

std::function<std::string(const user_view&)> user_service::rewrite_ids(bool audit_ids) const {
  return [this, audit_ids](const user_view& v) { return audit_ids ? shared_.ids({{"userId", v.user.id}}) : std::string(); };
}

store_body<user_view> user_service::rewrite_body(const call_context& ctx, std::string id, user_mutation fn,
                                                 version_condition if_match, view_options view) {
  return [this, ctx, id = std::move(id), fn = std::move(fn), if_match = std::move(if_match),
          view](store::transaction& tx) -> result<user_view> {
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
    shared_.touch(u.stamp, ctx);
    if (auto r = tx.users().update(u, current.version); !r) return std::unexpected(r.error());
    return shared_.user_view_of(tx, std::move(u), view);
  };
}

// The worker's half of a create (issue 18 item 3): the id, the stamp, validation and, on a
// store with several writers, the quota's count; the returned body is the writer's half (the
// quota on a single writer, the insert, the invitation), owning what it uses. `after` receives
// what to run once committed.
result<store_body<user_view>> user_service::prepare_create(const call_context& ctx, domain::user u,
                                                           std::shared_ptr<after_commit_fn> after) {
  u.id = domain::new_resource_id(store_id_, random_, clock_.now());
  u.version = 1;
  u.stamp = shared_.stamp(ctx);
  if (auto r = domain::validate_user(u); !r) return std::unexpected(r.error());
  auto before = shared_.count_before_write([](store::transaction& tx) { return tx.users().count(); });
  if (!before) return std::unexpected(before.error());
  return [this, ctx, u = std::move(u), before = *before, after](store::transaction& tx) -> result<user_view> {
    *after = nullptr;
    auto n = before ? result<int64_t>(*before) : tx.users().count();  // quotas.max_users
    if (!n) return std::unexpected(n.error());
    if (*n >= quotas_.max_users)
      return fail(errc::quota_exceeded, "The number of users has reached its quota of " +
                                            std::to_string(quotas_.max_users) + ".");
    if (auto r = tx.users().insert(u); !r) return std::unexpected(r.error());
    if (on_user_created_) {
      auto then = on_user_created_(tx, ctx, u);
      if (!then) return std::unexpected(then.error());
      *after = std::move(*then);
    }
    return user_view{u, {}};  // a new user belongs to no group yet
  };
}

std::string user_service::created_ids(const user_view& v) const { return shared_.ids({{"userId", v.user.id}}); }

result<user_view> user_service::create_user_view(const call_context& ctx, domain::user u) {
  auto after = std::make_shared<after_commit_fn>();
  auto body = prepare_create(ctx, std::move(u), after);
  if (!body) return std::unexpected(body.error());
  auto created = store_.write<user_view>(ctx, *body, [&](const user_view& v) { return created_ids(v); });
  if (created && *after) (*after)();
  return created;
}

void user_service::create_user_view_then(const call_context& ctx, domain::user u, store::post_fn post,
                                         std::function<void(result<user_view>)> done) {
  auto after = std::make_shared<after_commit_fn>();
  auto body = prepare_create(ctx, std::move(u), after);
  if (!body) return done(std::unexpected(body.error()));
  store_.write_then<user_view>(
      ctx, std::move(*body), [this](const user_view& v) { return created_ids(v); }, std::move(post),
      [after, done = std::move(done)](result<user_view> created) {
        if (created && *after) (*after)();
        done(std::move(created));
      });
}

void user_service::create_user_then(const call_context& ctx, domain::user u, store::post_fn post,
                                    std::function<void(result<domain::user>)> done) {
  create_user_view_then(ctx, std::move(u), std::move(post), [done = std::move(done)](result<user_view> created) {
    if (!created) return done(std::unexpected(created.error()));
    done(std::move(created->user));
  });
}

result<user_view> user_service::get_user_view(const call_context& ctx, const std::string& id,
                                                  view_options view) {
  return store_.read<user_view>(ctx, [&](store::transaction& tx) -> result<user_view> {
    auto u = tx.users().get(id);
    if (!u) return std::unexpected(u.error());
    if (!*u) return not_found("USER", id);
    return shared_.user_view_of(tx, std::move(**u), view);
  });
}

result<query_page<user_view>> user_service::query_users(const call_context& ctx, const user_query& q,
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
                                               [&](domain::user u) { return shared_.user_view_of(tx, std::move(u), view); });
  });
}

}  // namespace atrium::service
