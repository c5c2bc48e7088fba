#include "proto/aws/sso_admin_applications.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "base/strings.hpp"
#include "base/try.hpp"
#include "domain/ids.hpp"

namespace atrium::proto::aws {

using nlohmann::json;
using service::call_context;

namespace {

constexpr const char* custom_display_name = "Custom SAML 2.0 application";

std::string app_shown(const std::string& s) { return s.size() > 64 ? s.substr(0, 64) + "..." : s; }

result<std::optional<domain::portal_options>> app_portal_options(const json& req, const char* key, bool with_visibility) {
  auto it = req.find(key);
  if (it == req.end() || it->is_null()) return std::optional<domain::portal_options>{};
  if (!it->is_object()) return invalid(std::string(key) + " must be an object.");
  auto members = with_visibility ? sso_only_members(*it, {"SignInOptions", "Visibility"})
                                 : sso_only_members(*it, {"SignInOptions"});
  if (!members) return std::unexpected(members.error());
  domain::portal_options p;
  if (auto v = it->find("Visibility"); v != it->end() && !v->is_null()) {
    if (!v->is_string() || (*v != "ENABLED" && *v != "DISABLED")) return invalid("Visibility must be ENABLED or DISABLED.");
    p.visible = *v == "ENABLED";
  }
  if (auto s = it->find("SignInOptions"); s != it->end() && !s->is_null()) {
    if (!s->is_object()) return invalid("SignInOptions must be an object.");
    TRY_VOID(sso_only_members(*s, {"Origin", "ApplicationUrl"}));
    TRY(origin, sso_required_string(*s, "Origin", 1, 32));
    p.origin = domain::sign_in_origin_from(origin);
    if (!p.origin) return invalid("SignInOptions.Origin must be IDENTITY_CENTER or APPLICATION.");
    TRY(url, sso_optional_string(*s, "ApplicationUrl", 1, 512));
    p.application_url = url;
  }
  return std::optional<domain::portal_options>{p};
}

result<std::optional<domain::app_status>> app_status_member(const json& req) {
  TRY(s, sso_optional_string(req, "Status", 1, 16));
  if (!s) return std::optional<domain::app_status>{};
  auto st = domain::app_status_from(*s);
  if (!st) return invalid("Status must be ENABLED or DISABLED.");
  return st;
}

result<service::principal_ref> app_principal(const json& req) {
  TRY(type, sso_required_string(req, "PrincipalType", 1, 16));
  TRY(id, sso_required_string(req, "PrincipalId", 1, 47));
  if (type != "USER" && type != "GROUP") return invalid("PrincipalType must be USER or GROUP.");
  if (!domain::is_resource_id(id)) return invalid("The value of PrincipalId '" + app_shown(id) + "' is not a valid principal id.");
  return service::principal_ref{type == "USER" ? domain::principal_type::user : domain::principal_type::group, id};
}

result<store::page_request> app_page(const json& req) {
  TRY(max, sso_max_results(req, 50));
  TRY(token, sso_next_token(req));
  TRY(after, application_page_position(token));
  store::page_request p;
  p.after_id = after;
  p.limit = max;
  return p;
}

json portal_json(const domain::portal_options& p) {
  json out = {{"Visibility", p.visible ? "ENABLED" : "DISABLED"}};
  if (p.origin) {
    json s = {{"Origin", domain::to_string(*p.origin)}};
    if (p.application_url) s["ApplicationUrl"] = *p.application_url;
    out["SignInOptions"] = s;
  }
  return out;
}

json application_json(const domain::application& a, const sso_admin_api& api) {
  json j = {{"ApplicationArn", a.arn()},
            {"ApplicationProviderArn", a.provider_arn},
            {"Name", a.name},
            {"ApplicationAccount", a.account_id},
            {"InstanceArn", api.instance().instance_arn},
            {"IdentityStoreArn", "arn:aws:identitystore::" + api.instance().owner_account_id + ":identitystore/" +
                                     api.instance().identity_store_id},
            {"Status", domain::to_string(a.status)},
            {"PortalOptions", portal_json(a.portal)},
            {"CreatedDate", epoch_seconds(a.created_at)},
            {"CreatedFrom", a.created_from}};
  if (a.description) j["Description"] = *a.description;
  return j;
}

json app_assignment_json(const store::application_assignment_record& r, const std::string& app_arn) {
  return {{"ApplicationArn", app_arn},
          {"PrincipalId", r.principal_id},
          {"PrincipalType", r.principal_kind == domain::principal_type::group ? "GROUP" : "USER"}};
}

json provider_json(const service::catalog_entry* e, const service::idp_endpoints& endpoints) {
  if (!e)
    return {{"ApplicationProviderArn", std::string(domain::custom_saml_provider_arn)},
            {"FederationProtocol", "SAML"},
            {"DisplayData", {{"DisplayName", custom_display_name},
                             {"Description", "Any application that supports SAML 2.0 sign-in."}}}};
  std::string description = e->description.size() > 128 ? e->description.substr(0, 125) + "..." : e->description;
  return {{"ApplicationProviderArn", domain::catalog_provider_arn(e->id)},
          {"FederationProtocol", "SAML"},
          {"DisplayData", {{"DisplayName", e->display_name}, {"IconUrl", catalog_icon_url(endpoints, e->id)},
                           {"Description", description}}}};
}

template <class T, class F>
json paged_json(const char* key, const store::page<T>& p, F render) {
  json items = json::array();
  for (const auto& i : p.items) items.push_back(render(i));
  json out = {{key, items}};
  return out;
}

struct app_ops {
  sso_admin_api& api;
  service::application_service& apps;
  std::shared_ptr<const service::idp_endpoints> endpoints;

  void add(const char* name, bool read_only, json_handler h) { api.add({name, read_only, std::move(h)}); }
  void application_ops();
  void provider_ops();
  void assignment_ops();
};

void app_ops::application_ops() {
  add("CreateApplication", false, [&api = api, &apps = apps](const json& req, const call_context& ctx) -> result<json> {
    TRY_VOID(sso_only_members(req, {"InstanceArn", "ApplicationProviderArn", "Name", "Description", "PortalOptions", "Tags",
                                    "Status", "ClientToken"}));
    TRY_VOID(require_instance(req, api));
    TRY(provider, sso_required_string(req, "ApplicationProviderArn", 10, 1224));
    if (!domain::is_application_provider_arn(provider))
      return invalid("The value of ApplicationProviderArn '" + app_shown(provider) + "' is not a valid provider ARN.");
    service::new_application n;
    n.provider_arn = provider;
    TRY(name, sso_required_string(req, "Name", 1, 100));
    n.name = name;
    TRY(description, sso_optional_string(req, "Description", 1, 128));
    n.description = description;
    TRY(portal, app_portal_options(req, "PortalOptions", true));
    if (portal) n.portal = *portal;
    TRY(status, app_status_member(req));
    if (status) n.status = *status;
    TRY_VOID(sso_optional_string(req, "ClientToken", 1, 64));
    if (auto t = req.find("Tags"); t != req.end() && !t->is_null() && !(t->is_array() && t->empty()))
      return invalid("Tags on applications are not supported.");
    TRY(a, apps.create(ctx, n));
    return json{{"ApplicationArn", a.arn()}};
  });
  add("DescribeApplication", true, [&api = api, &apps = apps](const json& req, const call_context& ctx) -> result<json> {
    TRY_VOID(sso_only_members(req, {"ApplicationArn"}));
    TRY(id, required_application_id(req, api.instance()));
    TRY(a, apps.describe(ctx, id));
    return application_json(a, api);
  });
  add("UpdateApplication", false, [&api = api, &apps = apps](const json& req, const call_context& ctx) -> result<json> {
    TRY_VOID(sso_only_members(req, {"ApplicationArn", "Name", "Description", "Status", "PortalOptions"}));
    TRY(id, required_application_id(req, api.instance()));
    service::application_edit e;
    TRY(name, sso_optional_string(req, "Name", 1, 100));
    e.name = name;
    TRY(description, sso_optional_string(req, "Description", 1, 128));
    e.description = description;
    TRY(status, app_status_member(req));
    e.status = status;
    TRY(portal, app_portal_options(req, "PortalOptions", false));
    e.portal = portal;
    TRY_VOID(apps.update(ctx, id, e));
    return json::object();
  });
  add("DeleteApplication", false, [&api = api, &apps = apps](const json& req, const call_context& ctx) -> result<json> {
    TRY_VOID(sso_only_members(req, {"ApplicationArn"}));
    TRY(id, required_application_id(req, api.instance()));
    TRY_VOID(apps.remove(ctx, id));
    return json::object();
  });
  add("ListApplications", true, [&api = api, &apps = apps](const json& req, const call_context& ctx) -> result<json> {
    TRY_VOID(sso_only_members(req, {"InstanceArn", "MaxResults", "NextToken", "Filter"}));
    TRY_VOID(require_instance(req, api));
    TRY(p, app_page(req));
    std::optional<std::string> provider;
    if (auto f = req.find("Filter"); f != req.end() && !f->is_null()) {
      if (!f->is_object()) return invalid("Filter must be an object.");
      TRY_VOID(sso_only_members(*f, {"ApplicationAccount", "ApplicationProvider"}));
      TRY(account, sso_optional_string(*f, "ApplicationAccount", 12, 12));
      TRY(prov, sso_optional_string(*f, "ApplicationProvider", 10, 1224));
      provider = prov;
      // Every application lives in the deployment's account: another account has none.
      if (account && *account != api.instance().owner_account_id) return json{{"Applications", json::array()}};
    }
    TRY(page, apps.list(ctx, provider, p));
    json out = paged_json("Applications", page, [&api](const domain::application& a) { return application_json(a, api); });
    if (page.more && !page.items.empty()) out["NextToken"] = application_page_token(page.items.back().id);
    return out;
  });
}

void app_ops::provider_ops() {
  add("ListApplicationProviders", true, [&apps = apps, ep = endpoints](const json& req, const call_context&) -> result<json> {
    TRY_VOID(sso_only_members(req, {"MaxResults", "NextToken"}));
    TRY(p, app_page(req));
    // The custom provider and the catalog, in ARN order; the position is the last ARN shown.
    std::vector<std::pair<std::string, const service::catalog_entry*>> all{
        {std::string(domain::custom_saml_provider_arn), nullptr}};
    for (const auto& e : apps.catalog().entries()) all.emplace_back(domain::catalog_provider_arn(e.id), &e);
    std::sort(all.begin(), all.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
    json items = json::array();
    json out = json::object();
    for (const auto& [arn, e] : all) {
      if (!p.after_id.empty() && arn <= p.after_id) continue;
      if (static_cast<int>(items.size()) == p.limit) {
        out["NextToken"] = application_page_token(items.back()["ApplicationProviderArn"].get<std::string>());
        break;
      }
      items.push_back(provider_json(e, *ep));
    }
    out["ApplicationProviders"] = items;
    return out;
  });
  add("DescribeApplicationProvider", true, [&apps = apps, ep = endpoints](const json& req, const call_context&) -> result<json> {
    TRY_VOID(sso_only_members(req, {"ApplicationProviderArn"}));
    TRY(arn, sso_required_string(req, "ApplicationProviderArn", 10, 1224));
    if (!domain::is_application_provider_arn(arn))
      return invalid("The value of ApplicationProviderArn '" + app_shown(arn) + "' is not a valid provider ARN.");
    if (arn == domain::custom_saml_provider_arn) return provider_json(nullptr, *ep);
    auto id = domain::catalog_id_of(arn);
    const auto* e = id ? apps.catalog().find(*id) : nullptr;
    if (!e) return fail(errc::not_found, "Could not find ApplicationProvider " + app_shown(arn) + ".");
    return provider_json(e, *ep);
  });
}

void app_ops::assignment_ops() {
  auto one = [this](const char* name, bool read_only,
                    std::function<result<json>(const std::string&, const service::principal_ref&, const call_context&)> f) {
    add(name, read_only, [&api = api, f](const json& req, const call_context& ctx) -> result<json> {
      TRY_VOID(sso_only_members(req, {"ApplicationArn", "PrincipalId", "PrincipalType"}));
      TRY(id, required_application_id(req, api.instance()));
      TRY(who, app_principal(req));
      return f(id, who, ctx);
    });
  };
  one("CreateApplicationAssignment", false, [&apps = apps](const std::string& id, const service::principal_ref& who, const call_context& ctx) -> result<json> {
    TRY_VOID(apps.assign(ctx, id, who));
    return json::object();
  });
  one("DeleteApplicationAssignment", false, [&apps = apps](const std::string& id, const service::principal_ref& who, const call_context& ctx) -> result<json> {
    TRY_VOID(apps.unassign(ctx, id, who));
    return json::object();
  });
  one("DescribeApplicationAssignment", true, [&api = api, &apps = apps](const std::string& id, const service::principal_ref& who, const call_context& ctx) -> result<json> {
    TRY(r, apps.describe_assignment(ctx, id, who));
    return app_assignment_json(r, domain::application_arn(api.instance().owner_account_id, instance_id_of(api.instance().instance_arn), id));
  });
  add("ListApplicationAssignments", true, [&api = api, &apps = apps](const json& req, const call_context& ctx) -> result<json> {
    TRY_VOID(sso_only_members(req, {"ApplicationArn", "MaxResults", "NextToken"}));
    TRY(id, required_application_id(req, api.instance()));
    TRY(p, app_page(req));
    TRY(page, apps.list_assignments(ctx, id, p));
    auto arn = req.at("ApplicationArn").get<std::string>();
    json out = paged_json("ApplicationAssignments", page, [&](const auto& r) { return app_assignment_json(r, arn); });
    if (page.more && !page.items.empty()) out["NextToken"] = application_page_token(page.items.back().principal_id);
    return out;
  });
  add("ListApplicationAssignmentsForPrincipal", true, [&api = api, &apps = apps](const json& req, const call_context& ctx) -> result<json> {
    TRY_VOID(sso_only_members(req, {"InstanceArn", "PrincipalId", "PrincipalType", "Filter", "NextToken", "MaxResults"}));
    TRY_VOID(require_instance(req, api));
    TRY(who, app_principal(req));
    TRY(p, app_page(req));
    std::optional<std::string> app_id;
    if (auto f = req.find("Filter"); f != req.end() && !f->is_null()) {
      if (!f->is_object()) return invalid("Filter must be an object.");
      TRY_VOID(sso_only_members(*f, {"ApplicationArn"}));
      if (f->contains("ApplicationArn")) {
        TRY(id, required_application_id(*f, api.instance()));
        app_id = id;
      }
    }
    TRY(page, apps.list_assignments_for(ctx, who, app_id, p));
    const auto& inst = api.instance();
    json out = paged_json("ApplicationAssignments", page, [&](const auto& r) {
      return app_assignment_json(r, domain::application_arn(inst.owner_account_id, instance_id_of(inst.instance_arn), r.application_id));
    });
    if (page.more && !page.items.empty())
      out["NextToken"] = application_page_token(page.items.back().application_id + " " + page.items.back().principal_id);
    return out;
  });
  add("PutApplicationAssignmentConfiguration", false, [&api = api, &apps = apps](const json& req, const call_context& ctx) -> result<json> {
    TRY_VOID(sso_only_members(req, {"ApplicationArn", "AssignmentRequired"}));
    TRY(id, required_application_id(req, api.instance()));
    auto it = req.find("AssignmentRequired");
    if (it == req.end() || !it->is_boolean()) return invalid("AssignmentRequired is required and must be a boolean.");
    TRY_VOID(apps.set_assignment_required(ctx, id, it->get<bool>()));
    return json::object();
  });
  add("GetApplicationAssignmentConfiguration", true, [&api = api, &apps = apps](const json& req, const call_context& ctx) -> result<json> {
    TRY_VOID(sso_only_members(req, {"ApplicationArn"}));
    TRY(id, required_application_id(req, api.instance()));
    TRY(required, apps.assignment_required(ctx, id));
    return json{{"AssignmentRequired", required}};
  });
}

}  // namespace

result<std::string> required_application_id(const json& req, const sso_instance_info& instance, const char* key) {
  TRY(arn, sso_required_string(req, key, 10, 1224));
  auto parts = domain::parse_application_arn(arn);
  if (!parts) return invalid("The value of " + std::string(key) + " '" + app_shown(arn) + "' is not a valid application ARN.");
  if (parts->instance_id != instance_id_of(instance.instance_arn) || parts->account_id != instance.owner_account_id)
    return not_found("APPLICATION", parts->application_id);
  return parts->application_id;
}

std::string application_page_token(const std::string& after_id) { return base64_encode(after_id); }

result<std::string> application_page_position(const std::optional<std::string>& token) {
  if (!token) return std::string();
  auto decoded = base64_decode(*token);
  if (!decoded || !valid_utf8(*decoded) || has_control_chars(*decoded)) return invalid("The NextToken is not valid.");
  return std::move(*decoded);
}

std::string catalog_icon_url(const service::idp_endpoints& e, const std::string& catalog_id) {
  return e.base_url() + "/saml/icons/catalog/" + catalog_id + ".svg";
}

void add_application_operations(sso_admin_api& api, service::application_service& apps,
                                std::shared_ptr<const service::idp_endpoints> endpoints) {
  app_ops ops{api, apps, std::move(endpoints)};  // the handlers capture what they use, not ops
  ops.application_ops();
  ops.provider_ops();
  ops.assignment_ops();
}

}  // namespace atrium::proto::aws
