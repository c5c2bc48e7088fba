#include "service/organization/organization_service.hpp"

#include "base/json_text.hpp"


namespace atrium::service {

using nlohmann::json;

namespace {

std::unexpected<error> missing(std::string type, const std::string& id, std::string message) {
  return std::unexpected(error{errc::not_found, std::move(message), std::move(type), id});
}

std::unexpected<error> refused(std::string kind, std::string message) {
  return std::unexpected(error{errc::conflict, std::move(message), std::move(kind), {}});
}

// A parent exists when it is the root or a known OU.
result<bool> parent_exists(store::transaction& tx, const domain::organization& o, const std::string& id) {
  if (id == o.root_id) return true;
  if (!domain::is_ou_id(id)) return false;
  auto u = tx.organization().get_unit(id);
  if (!u) return std::unexpected(u.error());
  return u->has_value();
}

result<void> require_parent(store::transaction& tx, const domain::organization& o, const std::string& id,
                            const char* type) {
  if (auto v = domain::check_parent_id(id); !v) return v;
  auto e = parent_exists(tx, o, id);
  if (!e) return std::unexpected(e.error());
  if (!*e) return missing(type, id, "We can't find a root or OU with the ParentId that you specified.");
  return {};
}

result<domain::account> existing_account(store::transaction& tx, const std::string& id) {
  if (auto v = domain::check_account_id(id); !v) return std::unexpected(v.error());
  auto a = tx.organization().get_account(id);
  if (!a) return std::unexpected(a.error());
  if (!*a) return missing("ACCOUNT", id, "You specified an account that doesn't exist.");
  return std::move(**a);
}

result<domain::org_unit> existing_unit(store::transaction& tx, const std::string& id) {
  if (!domain::is_ou_id(id))
    return domain::invalid_input("INVALID_PATTERN", "An organizational unit id looks like ou-xxxx-xxxxxxxx.");
  auto u = tx.organization().get_unit(id);
  if (!u) return std::unexpected(u.error());
  if (!*u) return missing("ORGANIZATIONAL_UNIT", id, "We can't find an OU with the OrganizationalUnitId that you specified.");
  return std::move(**u);
}

result<void> unique_name(store::transaction& tx, const std::string& parent_id, const std::string& name,
                         const std::string& except_id) {
  auto same = tx.organization().find_unit(parent_id, name);
  if (!same) return std::unexpected(same.error());
  if (*same && (*same)->id != except_id)
    return refused("DUPLICATE_OU", "An OU with the same name already exists.");
  return {};
}

call_context writing(const call_context& ctx, const char* event) {
  call_context c = ctx;
  c.read_only = false;
  c.event_name = event;
  c.event_source = "organizations.amazonaws.com";
  c.request_parameters = "{}";
  return c;
}

}  // namespace

std::string organization_json(const domain::organization& o, const std::string& management_email) {
  return to_json_text({{"Id", o.id},
          {"Arn", domain::organization_arn(o)},
          {"FeatureSet", o.feature_set},
          {"MasterAccountArn", "arn:aws:organizations::" + o.management_account_id + ":account/" + o.id + "/" +
                                   o.management_account_id},
          {"MasterAccountId", o.management_account_id},
          {"MasterAccountEmail", management_email},
          {"AvailablePolicyTypes", json::array({{{"Type", "SERVICE_CONTROL_POLICY"}, {"Status", "ENABLED"}}})}});
}

std::string root_json(const domain::organization& o) {
  return to_json_text({{"Id", o.root_id}, {"Arn", domain::root_arn(o)}, {"Name", "Root"}, {"PolicyTypes", json::array()}});
}

std::string account_json(const domain::organization& o, const domain::account& a) {
  return to_json_text({{"Id", a.id},
          {"Arn", domain::account_arn(o, a.id)},
          {"Email", a.email},
          {"Name", a.name},
          {"Status", a.status},
          {"JoinedMethod", a.joined_method},
          {"JoinedTimestamp", epoch_seconds(a.joined_at)}});
}

std::string unit_json(const domain::organization& o, const domain::org_unit& u) {
  return to_json_text({{"Id", u.id}, {"Arn", domain::ou_arn(o, u.id)}, {"Name", u.name}});
}

organization_service::organization_service(audited_store& store, const clock& clk, random_source& rnd,
                                           std::string management_account_id)
    : store_(store), clock_(clk), random_(rnd), management_account_id_(std::move(management_account_id)) {}

result<domain::organization> organization_service::cached() {
  std::lock_guard lock(mu_);
  if (org_) return *org_;
  return missing("ORGANIZATION", "", "The organization does not exist yet.");
}

result<domain::organization> organization_service::ensure(const call_context& ctx) {
  if (auto o = cached()) return o;
  std::optional<domain::organization> found;
  auto r = store_.db().read([&](store::transaction& tx) -> result<void> {
    auto o = tx.organization().get_organization();
    if (!o) return std::unexpected(o.error());
    found = std::move(*o);
    return {};
  });
  if (!r) return std::unexpected(r.error());
  if (!found) {
    // First use: one audited CreateOrganization (re-checked inside the write, which is serialised).
    auto made = store_.write<domain::organization>(
        writing(ctx, "CreateOrganization"),
        [&](store::transaction& tx) -> result<domain::organization> {
          auto o = tx.organization().get_organization();
          if (!o) return std::unexpected(o.error());
          if (*o) return std::move(**o);
          domain::organization org{domain::new_organization_id(random_), management_account_id_,
                                   domain::new_root_id(random_), "ALL", clock_.now()};
          if (auto i = tx.organization().insert_organization(org); !i) return std::unexpected(i.error());
          auto existing = tx.organization().get_account(management_account_id_);
          if (!existing) return std::unexpected(existing.error());
          if (!*existing) {
            domain::account mgmt{management_account_id_, default_management_name, default_management_email,
                                 org.root_id,           "ACTIVE",                "CREATED",
                                 org.created_at};
            if (auto i = tx.organization().insert_account(mgmt); !i) return std::unexpected(i.error());
          }
          return org;
        },
        json_text_of([](const domain::organization& o) { return json{{"organization", from_json_text(organization_json(o, default_management_email))}}; }));
    if (!made) return std::unexpected(made.error());
    found = std::move(*made);
  }
  std::lock_guard lock(mu_);
  org_ = *found;
  return *found;
}

result<domain::organization> organization_service::org_in(store::transaction& tx) {
  if (auto o = cached()) return o;
  auto o = tx.organization().get_organization();
  if (!o) return std::unexpected(o.error());
  if (!*o) return missing("ORGANIZATION", "", "The organization does not exist yet.");
  return std::move(**o);
}

// ---- reads for other use cases -------------------------------------------------------------

result<std::optional<domain::account>> organization_service::account(store::transaction& tx, const std::string& id) {
  if (!domain::is_account_id(id)) return std::optional<domain::account>{};
  return tx.organization().get_account(id);
}

result<bool> organization_service::account_exists(store::transaction& tx, const std::string& id) {
  auto a = account(tx, id);
  if (!a) return std::unexpected(a.error());
  return a->has_value();
}

result<store::page<domain::account>> organization_service::list_accounts(store::transaction& tx,
                                                                        const store::page_request& p) {
  return tx.organization().list_accounts(p);
}

result<std::optional<domain::organization>> organization_service::organization(store::transaction& tx) {
  return tx.organization().get_organization();
}

result<std::vector<std::string>> organization_service::ancestors(store::transaction& tx, const std::string& child_id) {
  constexpr int max_chain = 16;
  std::vector<std::string> out;
  std::string parent;
  if (domain::is_account_id(child_id)) {
    auto a = tx.organization().get_account(child_id);
    if (!a) return std::unexpected(a.error());
    if (!*a) return out;
    parent = (*a)->parent_id;
  } else {
    parent = child_id;  // an OU: start from the OU itself, then drop it
  }
  for (int steps = 0; domain::is_ou_id(parent) && steps < max_chain; ++steps) {
    auto u = tx.organization().get_unit(parent);
    if (!u) return std::unexpected(u.error());
    if (!*u) break;
    if (parent != child_id) out.push_back(parent);
    parent = (*u)->parent_id;
  }
  if (domain::is_root_id(parent)) out.push_back(parent);
  return out;
}

template <class T, class Fn>
static result<T> plain_read(store::database& db, Fn&& fn) {
  std::optional<T> out;
  auto r = db.read([&](store::transaction& tx) -> result<void> {
    auto v = fn(tx);
    if (!v) return std::unexpected(v.error());
    out = std::move(*v);
    return {};
  });
  if (!r) return std::unexpected(r.error());
  return std::move(*out);
}

result<std::optional<domain::account>> organization_service::account(const std::string& id) {
  return plain_read<std::optional<domain::account>>(store_.db(), [&](store::transaction& tx) { return account(tx, id); });
}

result<bool> organization_service::account_exists(const std::string& id) {
  return plain_read<bool>(store_.db(), [&](store::transaction& tx) { return account_exists(tx, id); });
}

result<store::page<domain::account>> organization_service::list_accounts(const store::page_request& p) {
  return plain_read<store::page<domain::account>>(store_.db(), [&](store::transaction& tx) { return list_accounts(tx, p); });
}

// ---- the Organizations API's reads ---------------------------------------------------------

result<domain::organization> organization_service::describe_organization(const call_context& ctx) {
  if (auto o = ensure(ctx); !o) return o;
  return store_.read<domain::organization>(ctx, [&](store::transaction& tx) { return org_in(tx); });
}

result<domain::account> organization_service::describe_account(const call_context& ctx, const std::string& id) {
  if (auto o = ensure(ctx); !o) return std::unexpected(o.error());
  return store_.read<domain::account>(ctx, [&](store::transaction& tx) { return existing_account(tx, id); });
}

result<domain::org_unit> organization_service::describe_unit(const call_context& ctx, const std::string& id) {
  if (auto o = ensure(ctx); !o) return std::unexpected(o.error());
  return store_.read<domain::org_unit>(ctx, [&](store::transaction& tx) { return existing_unit(tx, id); });
}

result<store::page<domain::account>> organization_service::list_accounts(const call_context& ctx,
                                                                        const store::page_request& p) {
  if (auto o = ensure(ctx); !o) return std::unexpected(o.error());
  return store_.read<store::page<domain::account>>(ctx, [&](store::transaction& tx) { return list_accounts(tx, p); });
}

result<store::page<domain::account>> organization_service::accounts_for_parent(const call_context& ctx,
                                                                              const std::string& parent_id,
                                                                              const store::page_request& p) {
  auto o = ensure(ctx);
  if (!o) return std::unexpected(o.error());
  return store_.read<store::page<domain::account>>(
      ctx, [&](store::transaction& tx) -> result<store::page<domain::account>> {
        if (auto r = require_parent(tx, *o, parent_id, "PARENT"); !r) return std::unexpected(r.error());
        return tx.organization().accounts_by_parent(parent_id, p);
      });
}

result<store::page<domain::org_unit>> organization_service::units_for_parent(const call_context& ctx,
                                                                            const std::string& parent_id,
                                                                            const store::page_request& p) {
  auto o = ensure(ctx);
  if (!o) return std::unexpected(o.error());
  return store_.read<store::page<domain::org_unit>>(
      ctx, [&](store::transaction& tx) -> result<store::page<domain::org_unit>> {
        if (auto r = require_parent(tx, *o, parent_id, "PARENT"); !r) return std::unexpected(r.error());
        return tx.organization().units_by_parent(parent_id, p);
      });
}

result<store::page<domain::org_unit>> organization_service::list_units(const call_context& ctx,
                                                                      const store::page_request& p) {
  if (auto o = ensure(ctx); !o) return std::unexpected(o.error());
  return store_.read<store::page<domain::org_unit>>(
      ctx, [&](store::transaction& tx) { return tx.organization().list_units(p); });
}

result<org_node> organization_service::parent_of(const call_context& ctx, const std::string& child_id) {
  auto o = ensure(ctx);
  if (!o) return std::unexpected(o.error());
  return store_.read<org_node>(ctx, [&](store::transaction& tx) -> result<org_node> {
    std::string parent;
    if (domain::is_account_id(child_id)) {
      auto a = tx.organization().get_account(child_id);
      if (!a) return std::unexpected(a.error());
      if (*a) parent = (*a)->parent_id;
    } else if (domain::is_ou_id(child_id)) {
      auto u = tx.organization().get_unit(child_id);
      if (!u) return std::unexpected(u.error());
      if (*u) parent = (*u)->parent_id;
    } else {
      return domain::invalid_input("INVALID_PATTERN", "A child id is an account id (12 digits) or an OU id (ou-…).");
    }
    if (parent.empty()) return missing("CHILD", child_id, "We can't find an organizational unit (OU) or AWS account with the ChildId that you specified.");
    return org_node{parent, parent == o->root_id ? "ROOT" : "ORGANIZATIONAL_UNIT"};
  });
}

// ---- writes --------------------------------------------------------------------------------

result<registered_account> organization_service::register_account(const call_context& ctx, const account_input& in) {
  auto o = ensure(ctx);
  if (!o) return std::unexpected(o.error());
  if (auto v = domain::check_account_id(in.id); !v) return std::unexpected(v.error());
  if (auto v = domain::check_account_name(in.name); !v) return std::unexpected(v.error());
  if (auto v = domain::check_email(in.email); !v) return std::unexpected(v.error());
  return store_.write<registered_account>(
      ctx,
      [&](store::transaction& tx) -> result<registered_account> {
        if (!in.parent_id.empty())
          if (auto r = require_parent(tx, *o, in.parent_id, "PARENT"); !r) return std::unexpected(r.error());
        auto existing = tx.organization().get_account(in.id);
        if (!existing) return std::unexpected(existing.error());
        if (*existing) {
          domain::account a = std::move(**existing);
          a.name = in.name;
          a.email = in.email;
          if (!in.parent_id.empty()) a.parent_id = in.parent_id;
          if (auto u = tx.organization().update_account(a); !u) return std::unexpected(u.error());
          return registered_account{std::move(a), false};
        }
        domain::account a{in.id, in.name, in.email, in.parent_id.empty() ? o->root_id : in.parent_id,
                          "ACTIVE", "INVITED", clock_.now()};
        if (auto i = tx.organization().insert_account(a); !i) return std::unexpected(i.error());
        return registered_account{std::move(a), true};
      },
      json_text_of([&](const registered_account& r) { return json{{"account", from_json_text(account_json(*o, r.account))}, {"created", r.created}}; }));
}

result<domain::account> organization_service::rename_account(const call_context& ctx, const std::string& id,
                                                             const std::string& name) {
  auto o = ensure(ctx);
  if (!o) return std::unexpected(o.error());
  if (auto v = domain::check_account_name(name); !v) return std::unexpected(v.error());
  return store_.write<domain::account>(
      ctx,
      [&](store::transaction& tx) -> result<domain::account> {
        auto a = existing_account(tx, id);
        if (!a) return a;
        a->name = name;
        if (auto u = tx.organization().update_account(*a); !u) return std::unexpected(u.error());
        return a;
      },
      json_text_of([&](const domain::account& a) { return json{{"account", from_json_text(account_json(*o, a))}}; }));
}

result<domain::account> organization_service::move_account(const call_context& ctx, const std::string& id,
                                                           const std::string& source_parent_id,
                                                           const std::string& destination_parent_id) {
  auto o = ensure(ctx);
  if (!o) return std::unexpected(o.error());
  if (auto v = domain::check_account_id(id); !v) return std::unexpected(v.error());
  if (!source_parent_id.empty())
    if (auto v = domain::check_parent_id(source_parent_id); !v) return std::unexpected(v.error());
  if (auto v = domain::check_parent_id(destination_parent_id); !v) return std::unexpected(v.error());
  return store_.write<domain::account>(
      ctx,
      [&](store::transaction& tx) -> result<domain::account> {
        if (!source_parent_id.empty())
          if (auto r = require_parent(tx, *o, source_parent_id, "SOURCE_PARENT"); !r) return std::unexpected(r.error());
        if (auto r = require_parent(tx, *o, destination_parent_id, "DESTINATION_PARENT"); !r)
          return std::unexpected(r.error());
        auto a = existing_account(tx, id);
        if (!a) return a;
        // MoveAccount: an account that is not in SourceParentId is not found there
        // (AccountNotFoundException); one already in the destination is DuplicateAccountException.
        if (!source_parent_id.empty() && a->parent_id != source_parent_id)
          return missing("ACCOUNT", id, "You specified an account that doesn't exist in the source parent.");
        if (a->parent_id == destination_parent_id)
          return refused("DUPLICATE_ACCOUNT", "The account is already in the destination parent.");
        a->parent_id = destination_parent_id;
        if (auto u = tx.organization().update_account(*a); !u) return std::unexpected(u.error());
        return a;
      },
      json_text_of([&](const domain::account&) { return json::object(); }));  // MoveAccount returns no body
}

result<domain::account> organization_service::remove_account(const call_context& ctx, const std::string& id) {
  auto o = ensure(ctx);
  if (!o) return std::unexpected(o.error());
  return store_.write<domain::account>(
      ctx,
      [&](store::transaction& tx) -> result<domain::account> {
        auto a = existing_account(tx, id);
        if (!a) return a;
        if (a->id == o->management_account_id)
          return refused("CONSTRAINT_VIOLATION", "The management account cannot be removed from the organization.");
        if (auto r = tx.organization().remove_account(id); !r) return std::unexpected(r.error());
        return a;
      },
      json_text_of([&](const domain::account& a) { return json{{"account", from_json_text(account_json(*o, a))}}; }));
}

result<domain::org_unit> organization_service::create_unit(const call_context& ctx, const std::string& parent_id,
                                                           const std::string& name) {
  auto o = ensure(ctx);
  if (!o) return std::unexpected(o.error());
  if (auto v = domain::check_parent_id(parent_id); !v) return std::unexpected(v.error());
  if (auto v = domain::check_ou_name(name); !v) return std::unexpected(v.error());
  return store_.write<domain::org_unit>(
      ctx,
      [&](store::transaction& tx) -> result<domain::org_unit> {
        if (auto r = require_parent(tx, *o, parent_id, "PARENT"); !r) return std::unexpected(r.error());
        if (auto r = unique_name(tx, parent_id, name, ""); !r) return std::unexpected(r.error());
        domain::org_unit u{domain::new_ou_id(o->root_id, random_), name, parent_id, clock_.now()};
        if (auto i = tx.organization().insert_unit(u); !i) return std::unexpected(i.error());
        return u;
      },
      json_text_of([&](const domain::org_unit& u) { return json{{"organizationalUnit", from_json_text(unit_json(*o, u))}}; }));
}

result<domain::org_unit> organization_service::rename_unit(const call_context& ctx, const std::string& id,
                                                           const std::string& name) {
  auto o = ensure(ctx);
  if (!o) return std::unexpected(o.error());
  if (auto v = domain::check_ou_name(name); !v) return std::unexpected(v.error());
  return store_.write<domain::org_unit>(
      ctx,
      [&](store::transaction& tx) -> result<domain::org_unit> {
        auto u = existing_unit(tx, id);
        if (!u) return u;
        if (auto r = unique_name(tx, u->parent_id, name, u->id); !r) return std::unexpected(r.error());
        u->name = name;
        if (auto r = tx.organization().update_unit(*u); !r) return std::unexpected(r.error());
        return u;
      },
      json_text_of([&](const domain::org_unit& u) { return json{{"organizationalUnit", from_json_text(unit_json(*o, u))}}; }));
}

result<domain::org_unit> organization_service::delete_unit(const call_context& ctx, const std::string& id) {
  auto o = ensure(ctx);
  if (!o) return std::unexpected(o.error());
  return store_.write<domain::org_unit>(
      ctx,
      [&](store::transaction& tx) -> result<domain::org_unit> {
        auto u = existing_unit(tx, id);
        if (!u) return u;
        auto busy = tx.organization().has_children(id);
        if (!busy) return std::unexpected(busy.error());
        if (*busy)
          return refused("OU_NOT_EMPTY", "You can't delete an organizational unit (OU) that contains accounts or other OUs.");
        if (auto r = tx.organization().remove_unit(id); !r) return std::unexpected(r.error());
        return u;
      },
      json_text_of([](const domain::org_unit&) { return json::object(); }));
}

result<registered_unit> organization_service::put_unit(const call_context& ctx, const std::string& id,
                                                       const std::string& parent_id, const std::string& name) {
  auto o = ensure(ctx);
  if (!o) return std::unexpected(o.error());
  if (!domain::is_ou_id(id))
    return domain::invalid_input("INVALID_PATTERN", "An organizational unit id looks like ou-xxxx-xxxxxxxx.");
  if (auto v = domain::check_ou_name(name); !v) return std::unexpected(v.error());
  return store_.write<registered_unit>(
      ctx,
      [&](store::transaction& tx) -> result<registered_unit> {
        if (auto r = require_parent(tx, *o, parent_id, "PARENT"); !r) return std::unexpected(r.error());
        auto current = tx.organization().get_unit(id);
        if (!current) return std::unexpected(current.error());
        if (!*current) {
          auto same = tx.organization().find_unit(parent_id, name);
          if (!same) return std::unexpected(same.error());
          if (*same) return registered_unit{std::move(**same), false};
          domain::org_unit u{id, name, parent_id, clock_.now()};
          if (auto i = tx.organization().insert_unit(u); !i) return std::unexpected(i.error());
          return registered_unit{std::move(u), true};
        }
        domain::org_unit u = std::move(**current);
        if (u.name != name || u.parent_id != parent_id) {
          if (auto r = unique_name(tx, parent_id, name, u.id); !r) return std::unexpected(r.error());
          u.name = name;
          u.parent_id = parent_id;
          if (auto r = tx.organization().update_unit(u); !r) return std::unexpected(r.error());
        }
        return registered_unit{std::move(u), false};
      },
      json_text_of([&](const registered_unit& r) { return json{{"organizationalUnit", from_json_text(unit_json(*o, r.unit))}, {"created", r.created}}; }));
}

}  // namespace atrium::service
