#include "service/sso_admin/permission_set_service.hpp"

#include <algorithm>
#include <cctype>

#include <nlohmann/json.hpp>

#include "base/json_text.hpp"
#include "base/strings.hpp"
#include "service/identity/identity_types.hpp"

namespace atrium::service {

using nlohmann::json;

namespace {

std::string shown(const std::string& s) { return s.size() > 128 ? s.substr(0, 128) + "..." : s; }

std::unexpected<error> ps_not_found(const std::string& arn) {
  return fail(errc::not_found, "Could not find PermissionSet with ARN " + shown(arn) + ".");
}

json ps_elements(const domain::permission_set& ps) {
  return {{"permissionSet", {{"name", ps.name}, {"permissionSetArn", ps.arn}}}};
}

// IAM policy grammar, the parts every policy has: a JSON object with Statement (one statement
// or a list) whose statements say Effect Allow or Deny; Version, when given, is one of IAM's
// two. The service refuses anything else with a ValidationException ("MalformedPolicyDocument").
result<void> check_policy_document(const std::string& doc) {
  auto bad = [](const std::string& why) { return fail(errc::validation, "The inline policy is not a valid policy document: " + why); };
  if (json_nesting_depth(doc) > max_json_nesting) return bad("it nests too deeply.");
  json j = json::parse(doc, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return bad("it must be a JSON object.");
  if (auto v = j.find("Version"); v != j.end())
    if (!v->is_string() || (*v != "2012-10-17" && *v != "2008-10-17")) return bad("Version must be 2012-10-17 or 2008-10-17.");
  auto st = j.find("Statement");
  if (st == j.end() || !(st->is_object() || (st->is_array() && !st->empty()))) return bad("Statement is required.");
  json list = st->is_array() ? *st : json::array({*st});
  for (const auto& s : list) {
    if (!s.is_object()) return bad("each statement must be an object.");
    auto e = s.find("Effect");
    if (e == s.end() || !e->is_string() || (*e != "Allow" && *e != "Deny")) return bad("each statement needs Effect Allow or Deny.");
  }
  return {};
}

// Pages over a short in-memory list (policies and tags of one permission set): the token is the
// offset, bound to the listing's scope.
template <class T>
result<sso_page<T>> slice(const std::vector<T>& all, const std::string& scope, const std::optional<std::string>& token,
                          int max) {
  size_t from = 0;
  if (token) {
    auto pos = decode_page_token(scope, *token);
    if (!pos) return std::unexpected(pos.error());
    if (pos->empty() || pos->size() > 6 || !std::all_of(pos->begin(), pos->end(), [](char c) { return c >= '0' && c <= '9'; }))
      return fail(errc::validation, "The NextToken is not valid.");
    from = std::stoul(*pos);
  }
  sso_page<T> out;
  for (size_t i = from; i < all.size() && out.items.size() < static_cast<size_t>(max); ++i) out.items.push_back(all[i]);
  size_t next = from + out.items.size();
  if (next < all.size()) out.next_token = encode_page_token(scope, std::to_string(next));
  return out;
}

}  // namespace

permission_set_service::permission_set_service(audited_store& store, const clock& clk, random_source& rnd,
                                               std::string instance_id, std::string identity_store_id,
                                               std::string owner_account_id, permission_set_quotas q)
    : store_(store),
      clock_(clk),
      random_(rnd),
      instance_id_(std::move(instance_id)),
      identity_store_id_(std::move(identity_store_id)),
      owner_account_id_(std::move(owner_account_id)),
      quotas_(q) {}

result<void> permission_set_service::open_instance() {
  return store_.db().write([&](store::transaction& tx) -> result<void> {
    auto existing = tx.permission_sets().instance(instance_id_);
    if (!existing) return std::unexpected(existing.error());
    if (*existing) return {};
    return tx.permission_sets().put_instance({instance_id_, "", clock_.now(), {}});
  });
}

result<store::instance_record> permission_set_service::must_instance(store::transaction& tx) const {
  auto r = tx.permission_sets().instance(instance_id_);
  if (!r) return std::unexpected(r.error());
  if (!*r) return store::instance_record{instance_id_, "", {}, {}};  // open_instance not run (tests)
  return std::move(**r);
}

result<instance_view> permission_set_service::describe_instance(const call_context& ctx) {
  return store_.read<instance_view>(ctx, [&](store::transaction& tx) -> result<instance_view> {
    auto inst = must_instance(tx);
    if (!inst) return std::unexpected(inst.error());
    return instance_view{instance_arn(), identity_store_id_, owner_account_id_, inst->name, inst->created_at};
  });
}

result<std::monostate> permission_set_service::update_instance(const call_context& ctx, const std::string& name) {
  return store_.write<std::monostate>(
      ctx,
      [&](store::transaction& tx) -> result<std::monostate> {
        auto inst = must_instance(tx);
        if (!inst) return std::unexpected(inst.error());
        inst->name = name;
        if (auto r = tx.permission_sets().put_instance(*inst); !r) return std::unexpected(r.error());
        return std::monostate{};
      },
      json_text_of([](const std::monostate&) { return json(nullptr); }));
}

result<std::optional<domain::permission_set>> permission_set_service::load(store::transaction& tx,
                                                                           const std::string& arn) {
  return tx.permission_sets().get(arn);
}

result<domain::permission_set> permission_set_service::must_load(store::transaction& tx, const std::string& arn) const {
  auto r = tx.permission_sets().get(arn);
  if (!r) return std::unexpected(r.error());
  if (!*r) return ps_not_found(arn);
  return std::move(**r);
}

result<domain::permission_set> permission_set_service::create(const call_context& ctx, permission_set_draft d) {
  if (auto r = domain::check_permission_set_name(d.name); !r) return std::unexpected(r.error());
  if (d.description)
    if (auto r = domain::check_permission_set_description(*d.description); !r) return std::unexpected(r.error());
  if (d.session_duration)
    if (auto r = domain::session_seconds(*d.session_duration); !r) return std::unexpected(r.error());
  if (d.relay_state)
    if (auto r = domain::check_relay_state(*d.relay_state); !r) return std::unexpected(r.error());
  auto tags = domain::merge_tags({}, d.tags, static_cast<size_t>(quotas_.tags));
  if (!tags) return std::unexpected(tags.error());
  return store_.write<domain::permission_set>(
      ctx,
      [&](store::transaction& tx) -> result<domain::permission_set> {
        auto n = tx.permission_sets().count();
        if (!n) return std::unexpected(n.error());
        if (*n >= quotas_.permission_sets)
          return fail(errc::quota_exceeded, "The instance already has the maximum of " +
                                                std::to_string(quotas_.permission_sets) + " permission sets.");
        domain::permission_set ps;
        ps.id = domain::new_permission_set_id(random_);
        ps.arn = domain::permission_set_arn(instance_id_, ps.id);
        ps.name = d.name;
        ps.description = d.description;
        ps.session_duration = d.session_duration.value_or("PT1H");
        ps.relay_state = d.relay_state;
        ps.created_at = ps.updated_at = clock_.now();
        ps.tags = *tags;
        if (auto r = tx.permission_sets().insert(ps); !r) return std::unexpected(r.error());
        return ps;
      },
      json_text_of(ps_elements));
}

result<domain::permission_set> permission_set_service::read_one(const call_context& ctx, const std::string& arn) {
  return store_.read<domain::permission_set>(ctx, [&](store::transaction& tx) { return must_load(tx, arn); });
}

result<domain::permission_set> permission_set_service::describe(const call_context& ctx, const std::string& arn) {
  return read_one(ctx, arn);
}

result<domain::permission_set> permission_set_service::mutate(const call_context& ctx, const std::string& arn,
                                                              bool changes_role, const ps_mutation& fn) {
  return store_.write<domain::permission_set>(
      ctx,
      [&](store::transaction& tx) -> result<domain::permission_set> {
        auto ps = must_load(tx, arn);
        if (!ps) return ps;
        if (auto r = fn(*ps); !r) return std::unexpected(r.error());
        if (changes_role) {
          ps->version += 1;
          ps->updated_at = clock_.now();
        }
        auto saved = tx.permission_sets().update(*ps);
        if (!saved) return std::unexpected(saved.error());
        if (!*saved) return ps_not_found(arn);
        return ps;
      },
      json_text_of([](const domain::permission_set&) { return json(nullptr); }));
}

result<std::monostate> permission_set_service::done(result<domain::permission_set> r) const {
  if (!r) return std::unexpected(r.error());
  return std::monostate{};
}

result<domain::permission_set> permission_set_service::update(const call_context& ctx, const std::string& arn,
                                                              const permission_set_changes& c) {
  if (c.description)
    if (auto r = domain::check_permission_set_description(*c.description); !r) return std::unexpected(r.error());
  if (c.session_duration)
    if (auto r = domain::session_seconds(*c.session_duration); !r) return std::unexpected(r.error());
  if (c.relay_state)
    if (auto r = domain::check_relay_state(*c.relay_state); !r) return std::unexpected(r.error());
  return mutate(ctx, arn, true, [&](domain::permission_set& ps) -> result<void> {
    if (c.description) ps.description = c.description;
    if (c.session_duration) ps.session_duration = *c.session_duration;
    if (c.relay_state) ps.relay_state = c.relay_state;
    return {};
  });
}

result<std::monostate> permission_set_service::remove(const call_context& ctx, const std::string& arn) {
  return store_.write<std::monostate>(
      ctx,
      [&](store::transaction& tx) -> result<std::monostate> {
        auto ps = must_load(tx, arn);
        if (!ps) return std::unexpected(ps.error());
        if (provisioned_) {
          auto used = provisioned_(tx, arn);
          if (!used) return std::unexpected(used.error());
          if (*used)
            return fail(errc::conflict, "The permission set " + shown(arn) +
                                            " is provisioned to one or more accounts; remove its account assignments "
                                            "(which deprovisions it) before deleting it.");
        }
        if (auto r = tx.permission_sets().remove(arn); !r) return std::unexpected(r.error());
        return std::monostate{};
      },
      json_text_of([](const std::monostate&) { return json(nullptr); }));
}

result<sso_page<std::string>> permission_set_service::list(const call_context& ctx,
                                                           const std::optional<std::string>& token, int max) {
  store::page_request p;
  p.limit = max;
  if (token) {
    auto after = decode_page_token("ListPermissionSets", *token);
    if (!after) return std::unexpected(after.error());
    p.after_id = *after;
  }
  return store_.read<sso_page<std::string>>(ctx, [&](store::transaction& tx) -> result<sso_page<std::string>> {
    auto pg = tx.permission_sets().list(p);
    if (!pg) return std::unexpected(pg.error());
    sso_page<std::string> out;
    for (const auto& ps : pg->items) out.items.push_back(ps.arn);
    if (pg->more && !pg->items.empty()) {
      const auto& last = pg->items.back();
      out.next_token = encode_page_token("ListPermissionSets",
                                         last.arn + " " + std::to_string(epoch_millis(last.created_at)));
    }
    return out;
  });
}

// ---- AWS managed policies ----

result<std::monostate> permission_set_service::attach_managed(const call_context& ctx, const std::string& arn,
                                                              const std::string& policy_arn) {
  if (auto r = domain::check_managed_policy_arn(policy_arn); !r) return std::unexpected(r.error());
  return done(mutate(ctx, arn, true, [&](domain::permission_set& ps) -> result<void> {
    auto& list = ps.managed_policy_arns;
    if (std::find(list.begin(), list.end(), policy_arn) != list.end())
      return fail(errc::conflict, "The managed policy " + shown(policy_arn) + " is already attached to the permission set.");
    if (static_cast<int>(list.size()) >= quotas_.managed_policies)
      return fail(errc::quota_exceeded, "A permission set can have at most " + std::to_string(quotas_.managed_policies) +
                                            " AWS managed policies.");
    list.push_back(policy_arn);
    return {};
  }));
}

result<std::monostate> permission_set_service::detach_managed(const call_context& ctx, const std::string& arn,
                                                              const std::string& policy_arn) {
  if (auto r = domain::check_managed_policy_arn(policy_arn); !r) return std::unexpected(r.error());
  return done(mutate(ctx, arn, true, [&](domain::permission_set& ps) -> result<void> {
    if (std::erase(ps.managed_policy_arns, policy_arn) == 0)
      return fail(errc::not_found, "The managed policy " + shown(policy_arn) + " is not attached to the permission set.");
    return {};
  }));
}

result<sso_page<std::string>> permission_set_service::list_managed(const call_context& ctx, const std::string& arn,
                                                                   const std::optional<std::string>& token, int max) {
  auto ps = read_one(ctx, arn);
  if (!ps) return std::unexpected(ps.error());
  return slice(ps->managed_policy_arns, "managed " + arn, token, max);
}

// ---- Customer managed policy references ----

result<std::monostate> permission_set_service::attach_customer(const call_context& ctx, const std::string& arn,
                                                               const domain::customer_managed_ref& ref) {
  if (auto r = domain::check_customer_managed_ref(ref); !r) return std::unexpected(r.error());
  return done(mutate(ctx, arn, true, [&](domain::permission_set& ps) -> result<void> {
    auto& list = ps.customer_managed;
    if (std::find(list.begin(), list.end(), ref) != list.end())
      return fail(errc::conflict, "The customer managed policy reference " + shown(ref.path + ref.name) +
                                      " is already attached to the permission set.");
    if (static_cast<int>(list.size()) >= quotas_.customer_managed_policies)
      return fail(errc::quota_exceeded, "A permission set can have at most " +
                                            std::to_string(quotas_.customer_managed_policies) +
                                            " customer managed policy references.");
    list.push_back(ref);
    return {};
  }));
}

result<std::monostate> permission_set_service::detach_customer(const call_context& ctx, const std::string& arn,
                                                               const domain::customer_managed_ref& ref) {
  if (auto r = domain::check_customer_managed_ref(ref); !r) return std::unexpected(r.error());
  return done(mutate(ctx, arn, true, [&](domain::permission_set& ps) -> result<void> {
    if (std::erase(ps.customer_managed, ref) == 0)
      return fail(errc::not_found, "The customer managed policy reference " + shown(ref.path + ref.name) +
                                       " is not attached to the permission set.");
    return {};
  }));
}

result<sso_page<domain::customer_managed_ref>> permission_set_service::list_customer(
    const call_context& ctx, const std::string& arn, const std::optional<std::string>& token, int max) {
  auto ps = read_one(ctx, arn);
  if (!ps) return std::unexpected(ps.error());
  return slice(ps->customer_managed, "customer " + arn, token, max);
}

// ---- Inline policy ----

result<std::monostate> permission_set_service::put_inline(const call_context& ctx, const std::string& arn,
                                                          const std::string& doc) {
  if (auto r = domain::check_inline_policy_text(doc, static_cast<size_t>(quotas_.inline_policy_bytes)); !r)
    return std::unexpected(r.error());
  if (auto r = check_policy_document(doc); !r) return std::unexpected(r.error());
  return done(mutate(ctx, arn, true, [&](domain::permission_set& ps) -> result<void> {
    ps.inline_policy = doc;
    return {};
  }));
}

result<std::string> permission_set_service::get_inline(const call_context& ctx, const std::string& arn) {
  auto ps = read_one(ctx, arn);
  if (!ps) return std::unexpected(ps.error());
  return ps->inline_policy.value_or("");
}

result<std::monostate> permission_set_service::delete_inline(const call_context& ctx, const std::string& arn) {
  // Deleting an absent inline policy succeeds (idempotent, as the service does); the version
  // only moves when something was removed.
  return done(store_.write<domain::permission_set>(
      ctx,
      [&](store::transaction& tx) -> result<domain::permission_set> {
        auto ps = must_load(tx, arn);
        if (!ps || !ps->inline_policy) return ps;
        ps->inline_policy.reset();
        ps->version += 1;
        ps->updated_at = clock_.now();
        if (auto r = tx.permission_sets().update(*ps); !r) return std::unexpected(r.error());
        return ps;
      },
      json_text_of([](const domain::permission_set&) { return json(nullptr); })));
}

// ---- Permissions boundary ----

result<std::monostate> permission_set_service::put_boundary(const call_context& ctx, const std::string& arn,
                                                            const domain::permissions_boundary& b) {
  if (auto r = domain::check_boundary(b); !r) return std::unexpected(r.error());
  return done(mutate(ctx, arn, true, [&](domain::permission_set& ps) -> result<void> {
    ps.boundary = b;
    return {};
  }));
}

result<domain::permissions_boundary> permission_set_service::get_boundary(const call_context& ctx,
                                                                          const std::string& arn) {
  auto ps = read_one(ctx, arn);
  if (!ps) return std::unexpected(ps.error());
  if (!ps->boundary) return fail(errc::not_found, "The permission set " + shown(arn) + " has no permissions boundary.");
  return *ps->boundary;
}

result<std::monostate> permission_set_service::delete_boundary(const call_context& ctx, const std::string& arn) {
  return done(mutate(ctx, arn, true, [&](domain::permission_set& ps) -> result<void> {
    if (!ps.boundary) return fail(errc::not_found, "The permission set " + shown(arn) + " has no permissions boundary.");
    ps.boundary.reset();
    return {};
  }));
}

// ---- Tags ----

result<std::vector<domain::resource_tag>> permission_set_service::tags_of(store::transaction& tx,
                                                                          const std::string& resource_arn) const {
  if (resource_arn == instance_arn()) {
    auto inst = must_instance(tx);
    if (!inst) return std::unexpected(inst.error());
    return inst->tags;
  }
  auto ps = must_load(tx, resource_arn);
  if (!ps) return std::unexpected(ps.error());
  return ps->tags;
}

result<std::monostate> permission_set_service::tag(const call_context& ctx, const std::string& resource_arn,
                                                   const std::vector<domain::resource_tag>& tags) {
  auto apply = [&](std::vector<domain::resource_tag>& current) -> result<void> {
    auto merged = domain::merge_tags(current, tags, static_cast<size_t>(quotas_.tags));
    if (!merged) return std::unexpected(merged.error());
    current = std::move(*merged);
    return {};
  };
  if (resource_arn != instance_arn())
    return done(mutate(ctx, resource_arn, false, [&](domain::permission_set& ps) { return apply(ps.tags); }));
  return store_.write<std::monostate>(
      ctx,
      [&](store::transaction& tx) -> result<std::monostate> {
        auto inst = must_instance(tx);
        if (!inst) return std::unexpected(inst.error());
        if (auto r = apply(inst->tags); !r) return std::unexpected(r.error());
        if (auto r = tx.permission_sets().put_instance(*inst); !r) return std::unexpected(r.error());
        return std::monostate{};
      },
      json_text_of([](const std::monostate&) { return json(nullptr); }));
}

result<std::monostate> permission_set_service::untag(const call_context& ctx, const std::string& resource_arn,
                                                     const std::vector<std::string>& keys) {
  for (const auto& k : keys)
    if (auto r = domain::check_tag_key(k); !r) return std::unexpected(r.error());
  if (resource_arn != instance_arn())
    return done(mutate(ctx, resource_arn, false, [&](domain::permission_set& ps) -> result<void> {
      ps.tags = domain::remove_tags(std::move(ps.tags), keys);
      return {};
    }));
  return store_.write<std::monostate>(
      ctx,
      [&](store::transaction& tx) -> result<std::monostate> {
        auto inst = must_instance(tx);
        if (!inst) return std::unexpected(inst.error());
        inst->tags = domain::remove_tags(std::move(inst->tags), keys);
        if (auto r = tx.permission_sets().put_instance(*inst); !r) return std::unexpected(r.error());
        return std::monostate{};
      },
      json_text_of([](const std::monostate&) { return json(nullptr); }));
}

result<sso_page<domain::resource_tag>> permission_set_service::list_tags(const call_context& ctx,
                                                                         const std::string& resource_arn,
                                                                         const std::optional<std::string>& token) {
  auto tags = store_.read<std::vector<domain::resource_tag>>(
      ctx, [&](store::transaction& tx) { return tags_of(tx, resource_arn); });
  if (!tags) return std::unexpected(tags.error());
  return slice(*tags, "tags " + resource_arn, token, 100);
}

}  // namespace atrium::service
