#include "service/sso_admin/assignment_service.hpp"
#include "base/json_text.hpp"
#include "base/try.hpp"

#include <set>
#include <utility>

namespace atrium::service {

namespace {

// responseElements of the audit record: the status record as the API returns it.
nlohmann::json status_json(const domain::request_record& r) {
  nlohmann::json j = {{"requestId", r.request_id}, {"status", domain::to_string(r.status)},
                      {"permissionSetArn", r.permission_set_arn}};
  if (!r.account_id.empty()) j["targetId"] = r.account_id;
  if (!r.principal_id.empty()) {
    j["principalType"] = domain::to_string(r.principal_kind);
    j["principalId"] = r.principal_id;
  }
  return j;
}

result<store::page_request> start_page(std::string_view scope, const std::optional<std::string>& token, int max) {
  store::page_request pr{"", max};
  if (!token) return pr;
  TRY(after, decode_page_token(scope, *token));
  pr.after_id = after;
  return pr;
}

template <class T, class Key>
listing<T> to_listing(store::page<T> p, std::string_view scope, Key&& key) {
  listing<T> out;
  if (p.more && !p.items.empty()) out.next_token = encode_page_token(scope, key(p.items.back()));
  out.items = std::move(p.items);
  return out;
}

std::string assignment_key(const domain::account_assignment& a) { return a.account_id + " " + a.permission_set_arn; }

}  // namespace

role_spec role_for(const std::string& instance_arn, const permission_set_facts& ps, const domain::role_naming& naming) {
  role_spec r;
  r.role_name = domain::role_name(naming, ps.name, ps.arn);
  r.path = naming.path;
  r.description = ps.description;
  r.saml_provider_name = domain::saml_provider_name(instance_arn);
  r.managed_policy_arns = ps.managed_policy_arns;
  r.inline_policy = ps.inline_policy;
  r.customer_managed = ps.customer_managed;
  r.boundary = ps.boundary;
  return r;
}

assignment_service::assignment_service(audited_store& store, const clock& clk, random_source& rnd,
                                       assignment_lookups lookups, assignment_settings settings)
    : store_(store), clock_(clk), random_(rnd), lookups_(std::move(lookups)), settings_(settings) {}

result<void> assignment_service::check_instance(store::transaction& tx, const std::string& instance_arn) const {
  if (!lookups_.instance_exists) return {};
  TRY(ok, lookups_.instance_exists(tx, instance_arn));
  if (!ok) return not_found("INSTANCE", instance_arn);
  return {};
}

result<permission_set_facts> assignment_service::load_permission_set(store::transaction& tx,
                                                                     const std::string& ps_arn) const {
  if (!lookups_.permission_set) return not_found("PERMISSION_SET", ps_arn);
  TRY(ps, lookups_.permission_set(tx, ps_arn));
  if (!ps) return not_found("PERMISSION_SET", ps_arn);
  return std::move(*ps);
}

result<void> assignment_service::check_outstanding(store::transaction& tx) const {
  TRY(n, tx.assignments().count_pending());
  if (n >= settings_.max_outstanding_requests)
    return fail(errc::throttled,
                std::to_string(n) + " asynchronous requests are already in progress; Atrium allows " +
                    std::to_string(settings_.max_outstanding_requests) +
                    " (setting sso_admin.max_outstanding_requests; the AWS service allows 10). "
                    "Retry when some have finished.");
  return {};
}

result<domain::request_record> assignment_service::stored(
    const call_context& ctx, domain::request_record rec,
    const std::function<result<void>(store::transaction&)>& checks) {
  auto out = store_.write<domain::request_record>(
      ctx,
      [&](store::transaction& tx) -> result<domain::request_record> {
        if (auto r = checks(tx); !r) return std::unexpected(r.error());
        if (auto r = check_outstanding(tx); !r) return std::unexpected(r.error());
        if (auto r = tx.assignments().insert_request(rec); !r) return std::unexpected(r.error());
        return rec;
      },
      json_text_of(status_json));
  if (out && wake_) wake_();
  return out;
}

result<domain::request_record> assignment_service::enqueue_assignment(const call_context& ctx,
                                                                      const assignment_request& r,
                                                                      domain::request_kind kind) {
  domain::request_record rec;
  rec.created_at = clock_.now();
  rec.request_id = random_.uuid7(rec.created_at);
  rec.kind = kind;
  rec.instance_arn = r.instance_arn;
  rec.account_id = r.account_id;
  rec.permission_set_arn = r.permission_set_arn;
  rec.principal_kind = r.principal_kind;
  rec.principal_id = r.principal_id;
  return stored(ctx, rec, [&](store::transaction& tx) -> result<void> {
    if (auto c = check_instance(tx, r.instance_arn); !c) return c;
    if (domain::instance_arn_of(r.permission_set_arn) != r.instance_arn)
      return not_found("PERMISSION_SET", r.permission_set_arn);
    if (kind == domain::request_kind::delete_assignment) {
      TRY(a, tx.assignments().get_assignment(r.account_id, r.permission_set_arn, r.principal_id));
      if (!a) return not_found("ACCOUNT_ASSIGNMENT", r.principal_id);
      return {};
    }
    TRY(ps, load_permission_set(tx, r.permission_set_arn));
    (void)ps;
    if (lookups_.account_exists) {
      TRY(known, lookups_.account_exists(tx, r.account_id));
      if (!known) return not_found("ACCOUNT", r.account_id);
    }
    bool is_user = r.principal_kind == domain::principal_type::user;
    if (is_user) {
      TRY(u, tx.users().get(r.principal_id));
      if (!u) return not_found("USER", r.principal_id);
    } else {
      TRY(g, tx.groups().get(r.principal_id));
      if (!g) return not_found("GROUP", r.principal_id);
    }
    return {};
  });
}

result<domain::request_record> assignment_service::create_assignment(const call_context& ctx,
                                                                     const assignment_request& r) {
  return enqueue_assignment(ctx, r, domain::request_kind::create_assignment);
}

result<domain::request_record> assignment_service::delete_assignment(const call_context& ctx,
                                                                     const assignment_request& r) {
  return enqueue_assignment(ctx, r, domain::request_kind::delete_assignment);
}

result<domain::request_record> assignment_service::provision_permission_set(const call_context& ctx,
                                                                            const provision_request& r) {
  domain::request_record rec;
  rec.created_at = clock_.now();
  rec.request_id = random_.uuid7(rec.created_at);
  rec.kind = domain::request_kind::provision_permission_set;
  rec.instance_arn = r.instance_arn;
  rec.permission_set_arn = r.permission_set_arn;
  rec.account_id = r.account_id.value_or("");
  rec.target_type = r.account_id ? "AWS_ACCOUNT" : "ALL_PROVISIONED_ACCOUNTS";
  return stored(ctx, rec, [&](store::transaction& tx) -> result<void> {
    if (auto c = check_instance(tx, r.instance_arn); !c) return c;
    if (domain::instance_arn_of(r.permission_set_arn) != r.instance_arn)
      return not_found("PERMISSION_SET", r.permission_set_arn);
    TRY(ps, load_permission_set(tx, r.permission_set_arn));
    (void)ps;
    if (r.account_id && lookups_.account_exists) {
      TRY(known, lookups_.account_exists(tx, *r.account_id));
      if (!known) return not_found("ACCOUNT", *r.account_id);
    }
    return {};
  });
}

result<domain::request_record> assignment_service::describe_request(const call_context& ctx,
                                                                    const std::string& instance_arn,
                                                                    domain::request_kind kind,
                                                                    const std::string& request_id) {
  return store_.read<domain::request_record>(ctx, [&](store::transaction& tx) -> result<domain::request_record> {
    if (auto c = check_instance(tx, instance_arn); !c) return std::unexpected(c.error());
    TRY(rec, tx.assignments().get_request(request_id));
    if (!rec || rec->kind != kind || rec->instance_arn != instance_arn) return not_found("REQUEST", request_id);
    return std::move(*rec);
  });
}

result<listing<domain::request_record>> assignment_service::list_requests(
    const call_context& ctx, const std::string& instance_arn, const store::request_filter& f,
    const std::optional<std::string>& next_token, int max) {
  std::string scope = std::string("req|") + domain::to_string(f.kind) + "|" +
                      (f.status ? domain::to_string(*f.status) : "") + "|" +
                      (f.created_after ? std::to_string(epoch_millis(*f.created_after)) : "");
  TRY(pr, start_page(scope, next_token, max));
  return store_.read<listing<domain::request_record>>(
      ctx, [&](store::transaction& tx) -> result<listing<domain::request_record>> {
        if (auto c = check_instance(tx, instance_arn); !c) return std::unexpected(c.error());
        TRY(p, tx.assignments().list_requests(f, pr));
        return to_listing(std::move(p), scope, [](const domain::request_record& r) { return r.request_id; });
      });
}

result<listing<domain::account_assignment>> assignment_service::list_assignments(
    const call_context& ctx, const std::string& instance_arn, const std::string& account_id,
    const std::string& permission_set_arn, const std::optional<std::string>& next_token, int max) {
  std::string scope = "la|" + account_id + "|" + permission_set_arn;
  TRY(pr, start_page(scope, next_token, max));
  return store_.read<listing<domain::account_assignment>>(
      ctx, [&](store::transaction& tx) -> result<listing<domain::account_assignment>> {
        if (auto c = check_instance(tx, instance_arn); !c) return std::unexpected(c.error());
        TRY(ps, load_permission_set(tx, permission_set_arn));
        (void)ps;
        TRY(p, tx.assignments().list_for_account(account_id, permission_set_arn, pr));
        return to_listing(std::move(p), scope, [](const domain::account_assignment& a) { return a.principal_id; });
      });
}

result<listing<domain::account_assignment>> assignment_service::list_assignments_for_principal(
    const call_context& ctx, const std::string& instance_arn, domain::principal_type kind,
    const std::string& principal_id, const std::optional<std::string>& account_id,
    const std::optional<std::string>& next_token, int max) {
  std::string scope = std::string("lp|") + domain::to_string(kind) + "|" + principal_id + "|" + account_id.value_or("");
  TRY(pr, start_page(scope, next_token, max));
  return store_.read<listing<domain::account_assignment>>(
      ctx, [&](store::transaction& tx) -> result<listing<domain::account_assignment>> {
        if (auto c = check_instance(tx, instance_arn); !c) return std::unexpected(c.error());
        TRY(p, tx.assignments().list_for_principal(principal_id, account_id, pr));
        // A user and a group never share an id; the type only has to agree.
        std::erase_if(p.items, [&](const domain::account_assignment& a) { return a.principal_kind != kind; });
        return to_listing(std::move(p), scope, assignment_key);
      });
}

result<listing<std::string>> assignment_service::provisioned_listing(
    const call_context& ctx, const std::string& instance_arn, const std::string& scope, bool by_account,
    const std::string& key, provisioning_filter f, const std::optional<std::string>& next_token, int max) {
  TRY(pr, start_page(scope, next_token, max));
  return store_.read<listing<std::string>>(ctx, [&](store::transaction& tx) -> result<listing<std::string>> {
    if (auto c = check_instance(tx, instance_arn); !c) return std::unexpected(c.error());
    if (!by_account) {
      TRY(ps, load_permission_set(tx, key));
      (void)ps;
    }
    listing<std::string> out;
    store::page_request cursor = pr;
    // Filtering by version drops rows after the query; keep reading pages until one is full.
    while (true) {
      auto p = by_account ? tx.assignments().provisioned_to_account(key, cursor)
                          : tx.assignments().accounts_of_permission_set(key, cursor);
      if (!p) return std::unexpected(p.error());
      for (std::size_t i = 0; i < p->items.size(); ++i) {
        const auto& row = p->items[i];
        std::string id = by_account ? row.permission_set_arn : row.account_id;
        cursor.after_id = id;
        bool keep = f == provisioning_filter::any;
        if (!keep) {
          std::optional<permission_set_facts> ps;
          if (lookups_.permission_set) {
            TRY(found, lookups_.permission_set(tx, row.permission_set_arn));
            ps = std::move(found);
          }
          bool latest = ps && ps->version == row.version;
          keep = latest == (f == provisioning_filter::latest_provisioned);
        }
        if (keep) out.items.push_back(id);
        if (static_cast<int>(out.items.size()) == max) {
          if (i + 1 < p->items.size() || p->more) out.next_token = encode_page_token(scope, cursor.after_id);
          return out;
        }
      }
      if (!p->more) return out;
    }
  });
}

result<listing<std::string>> assignment_service::permission_sets_provisioned_to_account(
    const call_context& ctx, const std::string& instance_arn, const std::string& account_id, provisioning_filter f,
    const std::optional<std::string>& next_token, int max) {
  std::string scope = "pa|" + account_id + "|" + std::to_string(static_cast<int>(f));
  return provisioned_listing(ctx, instance_arn, scope, true, account_id, f, next_token, max);
}

result<listing<std::string>> assignment_service::accounts_for_provisioned_permission_set(
    const call_context& ctx, const std::string& instance_arn, const std::string& permission_set_arn,
    provisioning_filter f, const std::optional<std::string>& next_token, int max) {
  std::string scope = "ap|" + permission_set_arn + "|" + std::to_string(static_cast<int>(f));
  return provisioned_listing(ctx, instance_arn, scope, false, permission_set_arn, f, next_token, max);
}

result<void> remove_assignments_of_principal(store::transaction& tx, random_source& rnd, sys_time now,
                                             const std::string& principal_id) {
  TRY(removed, tx.assignments().remove_all_for_principal(principal_id));
  std::set<std::pair<std::string, std::string>> seen;
  for (const auto& a : removed) {
    if (!seen.insert({a.account_id, a.permission_set_arn}).second) continue;
    TRY(left, tx.assignments().count_for_account(a.account_id, a.permission_set_arn));
    if (left > 0) continue;
    // The job runner finds the assignment already gone and removes the role.
    domain::request_record rec;
    rec.created_at = now;
    rec.request_id = rnd.uuid7(now);
    rec.kind = domain::request_kind::delete_assignment;
    rec.instance_arn = domain::instance_arn_of(a.permission_set_arn);
    rec.account_id = a.account_id;
    rec.permission_set_arn = a.permission_set_arn;
    rec.principal_kind = a.principal_kind;
    rec.principal_id = a.principal_id;
    if (auto r = tx.assignments().insert_request(rec); !r) return r;
  }
  return {};
}

result<bool> permission_set_in_use(store::transaction& tx, const std::string& permission_set_arn) {
  return tx.assignments().permission_set_in_use(permission_set_arn);
}

}  // namespace atrium::service
