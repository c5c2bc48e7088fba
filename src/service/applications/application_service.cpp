#include "service/applications/application_service.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "base/json_text.hpp"
#include "base/try.hpp"
#include "service/identity/membership_graph.hpp"

namespace atrium::service {

namespace {

using nlohmann::json;

json app_summary(const domain::application& a) {
  return {{"applicationArn", a.arn()}, {"applicationProviderArn", a.provider_arn}, {"status", domain::to_string(a.status)}};
}

result<void> principal_exists(store::transaction& tx, const principal_ref& who) {
  if (who.kind == domain::principal_type::user) {
    TRY(u, tx.users().get(who.id));
    if (!u) return not_found("USER", who.id);
    return {};
  }
  TRY(g, tx.groups().get(who.id));
  if (!g) return not_found("GROUP", who.id);
  return {};
}

bool same_kind(const store::application_assignment_record& r, const principal_ref& who) {
  return r.principal_kind == who.kind;
}

// Every assignment of any of the principals, all pages.
result<std::vector<store::application_assignment_record>> assignments_of_all(store::transaction& tx,
                                                                             const std::vector<std::string>& ids,
                                                                             const std::optional<std::string>& app_id) {
  std::vector<store::application_assignment_record> out;
  store::page_request p{"", 1000};
  while (true) {
    TRY(page, tx.applications().assignments_for(ids, app_id, p));
    for (auto& a : page.items) out.push_back(std::move(a));
    if (!page.more || out.empty()) return out;
    p.after_id = out.back().application_id + " " + out.back().principal_id;
  }
}

// The user and every group it is in (directly or nested): who an assignment may name.
result<std::vector<std::string>> principals_of_user(store::transaction& tx, const std::string& user_id) {
  TRY(groups, effective_groups(tx, user_id));
  std::vector<std::string> ids{user_id};
  for (const auto& g : groups) ids.push_back(g.group_id);
  return ids;
}

}  // namespace

result<domain::application> load_application(store::transaction& tx, const std::string& id) {
  TRY(a, tx.applications().get(id));
  if (!a) return not_found("APPLICATION", id);
  return std::move(*a);
}

result<bool> user_may_open(store::transaction& tx, const domain::application& a, const std::string& user_id) {
  if (!a.assignment_required) return true;
  TRY(groups, effective_groups(tx, user_id));
  std::vector<std::string> group_ids;
  for (const auto& g : groups) group_ids.push_back(g.group_id);
  return user_may_open(tx, a, user_id, group_ids);
}

result<bool> user_may_open(store::transaction& tx, const domain::application& a, const std::string& user_id,
                           const std::vector<std::string>& group_ids) {
  if (!a.assignment_required) return true;
  std::vector<std::string> ids{user_id};
  ids.insert(ids.end(), group_ids.begin(), group_ids.end());
  TRY(found, tx.applications().assignments_for(ids, a.id, {"", 1}));
  return !found.items.empty();
}

application_service::application_service(audited_store& store, const clock& clk, random_source& rnd,
                                         const crypto::secret_box& box, const application_catalog& catalog,
                                         application_settings s)
    : store_(store), clock_(clk), random_(rnd), box_(box), catalog_(catalog), s_(std::move(s)) {}

result<domain::application> application_service::defaults_for(const new_application& n) {
  domain::application a;
  a.id = domain::new_application_id(random_);
  a.instance_id = s_.instance_id;
  a.account_id = s_.account_id;
  a.provider_arn = n.provider_arn;
  a.name = n.name;
  a.description = n.description;
  a.status = n.status;
  a.portal = n.portal;
  a.created_at = clock_.now();
  a.created_from = s_.region;
  a.mappings = domain::default_attribute_mappings();
  if (n.provider_arn == domain::custom_saml_provider_arn) return a;
  auto id = domain::catalog_id_of(n.provider_arn);
  const catalog_entry* e = id ? catalog_.find(*id) : nullptr;
  if (!e) return fail(errc::not_found, "Application provider " + n.provider_arn.substr(0, 128) + " not found.");
  a.mappings = e->mappings;
  a.response.sign = e->sign;
  if (e->session_duration_minutes) a.response.session_duration = std::chrono::minutes(*e->session_duration_minutes);
  // Templates without fields are complete already (e.g. GitHub's, Microsoft 365's entity ID).
  if (e->fields.empty()) {
    TRY(filled, application_catalog::fill(*e, {}));
    a.sp.entity_id = filled.entity_id;
    a.sp.acs = {{filled.acs_url, 0, true}};
    a.response.relay_state = filled.relay_state;
    if (filled.start_url && !n.portal.origin)
      a.portal = {domain::sign_in_origin::application, filled.start_url, n.portal.visible};
  }
  return a;
}

result<domain::application> application_service::create(const call_context& ctx, const new_application& n) {
  TRY(a, defaults_for(n));
  TRY_VOID(domain::validate_application(a));
  // RSA key generation takes a while: before the write transaction.
  TRY(cert, make_application_certificate(box_, clock_, a.id, s_.first_certificate));
  cert.active = true;
  return store_.write<domain::application>(
      ctx,
      [&](store::transaction& tx) -> result<domain::application> {
        TRY(n_apps, tx.applications().count());
        if (n_apps >= s_.max_applications)
          return fail(errc::quota_exceeded, "The instance has the most applications it may have (" +
                                                std::to_string(s_.max_applications) + ").");
        TRY_VOID(tx.applications().insert(a));
        TRY_VOID(tx.applications().insert_certificate(cert));
        return a;
      },
      json_text_of([](const domain::application& x) { return app_summary(x); }));
}

result<domain::application> application_service::describe(const call_context& ctx, const std::string& id) {
  return store_.read<domain::application>(ctx, [&](store::transaction& tx) { return load_application(tx, id); });
}

result<void> application_service::update(const call_context& ctx, const std::string& id, const application_edit& e) {
  auto r = edit_application(
      store_, ctx, id,
      [&](domain::application& a) -> result<void> {
        if (e.name) a.name = *e.name;
        if (e.description) a.description = *e.description;
        if (e.status) a.status = *e.status;
        if (e.portal) {
          a.portal.origin = e.portal->origin;
          a.portal.application_url = e.portal->application_url;
        }
        return {};
      },
      json_text_of([](const domain::application&) { return nullptr; }));
  if (!r) return std::unexpected(r.error());
  return {};
}

result<void> application_service::remove(const call_context& ctx, const std::string& id) {
  auto r = store_.write<bool>(
      ctx,
      [&](store::transaction& tx) -> result<bool> {
        TRY(gone, tx.applications().remove(id));
        if (!gone) return not_found("APPLICATION", id);
        return true;
      },
      json_text_of([](const bool&) { return nullptr; }));
  if (!r) return std::unexpected(r.error());
  return {};
}

result<store::page<domain::application>> application_service::list(const call_context& ctx,
                                                                    const std::optional<std::string>& provider_arn,
                                                                    const store::page_request& p) {
  return store_.read<store::page<domain::application>>(
      ctx, [&](store::transaction& tx) { return tx.applications().list(provider_arn, p); });
}

result<void> application_service::assign(const call_context& ctx, const std::string& app_id, const principal_ref& who) {
  auto r = store_.write<bool>(
      ctx,
      [&](store::transaction& tx) -> result<bool> {
        TRY_VOID(load_application(tx, app_id));
        TRY_VOID(principal_exists(tx, who));
        return tx.applications().insert_assignment({app_id, who.kind, who.id, clock_.now()});
      },
      json_text_of([](const bool&) { return nullptr; }));
  if (!r) return std::unexpected(r.error());
  return {};
}

result<void> application_service::unassign(const call_context& ctx, const std::string& app_id, const principal_ref& who) {
  auto r = store_.write<bool>(
      ctx,
      [&](store::transaction& tx) -> result<bool> {
        TRY_VOID(load_application(tx, app_id));
        TRY(existing, tx.applications().get_assignment(app_id, who.id));
        if (!existing || !same_kind(*existing, who)) return not_found("APPLICATION_ASSIGNMENT", who.id);
        return tx.applications().remove_assignment(app_id, who.id);
      },
      json_text_of([](const bool&) { return nullptr; }));
  if (!r) return std::unexpected(r.error());
  return {};
}

result<store::application_assignment_record> application_service::describe_assignment(const call_context& ctx,
                                                                                      const std::string& app_id,
                                                                                      const principal_ref& who) {
  return store_.read<store::application_assignment_record>(
      ctx, [&](store::transaction& tx) -> result<store::application_assignment_record> {
        TRY_VOID(load_application(tx, app_id));
        TRY(existing, tx.applications().get_assignment(app_id, who.id));
        if (!existing || !same_kind(*existing, who)) return not_found("APPLICATION_ASSIGNMENT", who.id);
        return std::move(*existing);
      });
}

result<store::page<store::application_assignment_record>> application_service::list_assignments(
    const call_context& ctx, const std::string& app_id, const store::page_request& p) {
  return store_.read<store::page<store::application_assignment_record>>(
      ctx, [&](store::transaction& tx) -> result<store::page<store::application_assignment_record>> {
        TRY_VOID(load_application(tx, app_id));
        return tx.applications().assignments_of(app_id, p);
      });
}

result<store::page<store::application_assignment_record>> application_service::list_assignments_for(
    const call_context& ctx, const principal_ref& who, const std::optional<std::string>& app_id,
    const store::page_request& p) {
  return store_.read<store::page<store::application_assignment_record>>(
      ctx, [&](store::transaction& tx) -> result<store::page<store::application_assignment_record>> {
        TRY_VOID(principal_exists(tx, who));
        return tx.applications().assignments_for({who.id}, app_id, p);
      });
}

result<void> application_service::set_assignment_required(const call_context& ctx, const std::string& app_id,
                                                          bool required) {
  auto r = edit_application(
      store_, ctx, app_id,
      [&](domain::application& a) -> result<void> {
        a.assignment_required = required;
        return {};
      },
      json_text_of([](const domain::application&) { return nullptr; }));
  if (!r) return std::unexpected(r.error());
  return {};
}

result<bool> application_service::assignment_required(const call_context& ctx, const std::string& app_id) {
  return store_.read<bool>(ctx, [&](store::transaction& tx) -> result<bool> {
    TRY(a, load_application(tx, app_id));
    return a.assignment_required;
  });
}

result<std::vector<domain::application>> application_service::for_user(const std::string& user_id) {
  std::vector<domain::application> out;
  auto r = store_.db().read([&](store::transaction& tx) -> result<void> {
    TRY(ids, principals_of_user(tx, user_id));
    TRY(assigned, assignments_of_all(tx, ids, std::nullopt));
    std::vector<std::string> app_ids;
    for (const auto& x : assigned) app_ids.push_back(x.application_id);
    // Applications that need no assignment are open to everyone.
    store::page_request p{"", 1000};
    while (true) {
      TRY(page, tx.applications().list(std::nullopt, p));
      if (!page.items.empty()) p.after_id = page.items.back().id;
      for (auto& a : page.items) {
        bool open = !a.assignment_required || std::find(app_ids.begin(), app_ids.end(), a.id) != app_ids.end();
        if (open && a.status == domain::app_status::enabled && a.portal.visible) out.push_back(std::move(a));
      }
      if (!page.more || page.items.empty()) break;
    }
    return {};
  });
  if (!r) return std::unexpected(r.error());
  std::sort(out.begin(), out.end(), [](const auto& x, const auto& y) { return x.name != y.name ? x.name < y.name : x.id < y.id; });
  return out;
}

}  // namespace atrium::service
