#include "app/org_cli.hpp"

#include <iostream>
#include <map>
#include <nlohmann/json.hpp>

#include "base/json_text.hpp"
#include "app/runtime.hpp"
#include "app/wire_organization.hpp"
#include "cloud/aws_client.hpp"
#include "proto/aws/organizations_api.hpp"
#include "service/audit/event_sources.hpp"
#include "service/organization/org_import.hpp"

namespace atrium::app {

using nlohmann::json;

namespace {

// CloudTrail eventSource of the events these commands write.

// A refused command is audited and printed in Organizations' error names, as its API gives them.
int failed(const cli_env& env, const service::call_context& ctx, const error& e) {
  return cli_failed(env, ctx, e, proto::aws::organizations_error(e).type);
}

// The Organizations endpoint through the SigV4 client (credentials from the environment).
class remote_source final : public service::organization_source {
 public:
  explicit remote_source(cloud::aws_client& c) : client_(c) {}
  result<std::string> call(std::string_view op, std::string_view req) override {
    auto r = client_.call_json("AWSOrganizationsV20161128." + std::string(op), from_json_text(req));
    if (!r) return std::unexpected(r.error());
    return to_json_text(*r);
  }

 private:
  cloud::aws_client& client_;
};

template <class T>
result<std::vector<T>> all_pages(const std::function<result<store::page<T>>(const store::page_request&)>& fetch) {
  std::vector<T> out;
  store::page_request p;
  p.limit = 1000;
  while (true) {
    auto page = fetch(p);
    if (!page) return std::unexpected(page.error());
    for (auto& x : page->items) out.push_back(std::move(x));
    if (!page->more) return out;
    p.after_id = out.back().id;
  }
}

// Prints the tree (root, OUs nested, accounts under their parent) or its JSON.
int list_org(const cli_env& env, service::organization_service& svc, bool as_json) {
  auto ctx = cli_context(env, service::event_sources::organizations, "ListAccounts");
  auto o = svc.describe_organization(ctx);
  if (!o) return failed(env, ctx, o.error());
  auto accounts = all_pages<domain::account>([&](const store::page_request& p) { return svc.list_accounts(ctx, p); });
  if (!accounts) return failed(env, ctx, accounts.error());
  auto units = all_pages<domain::org_unit>([&](const store::page_request& p) { return svc.list_units(ctx, p); });
  if (!units) return failed(env, ctx, units.error());
  if (as_json) {
    json a = json::array(), u = json::array();
    for (const auto& x : *accounts) {
      auto j = from_json_text(service::account_json(*o, x));
      j["ParentId"] = x.parent_id;
      a.push_back(j);
    }
    for (const auto& x : *units) {
      auto j = from_json_text(service::unit_json(*o, x));
      j["ParentId"] = x.parent_id;
      u.push_back(j);
    }
    std::cout << json{{"Organization", {{"Id", o->id}, {"Arn", domain::organization_arn(*o)},
                                        {"MasterAccountId", o->management_account_id}}},
                      {"Root", from_json_text(service::root_json(*o))}, {"OrganizationalUnits", u}, {"Accounts", a}}
                     .dump()
              << "\n";
    return 0;
  }
  std::multimap<std::string, const domain::org_unit*> child_units;
  std::multimap<std::string, const domain::account*> child_accounts;
  for (const auto& x : *units) child_units.emplace(x.parent_id, &x);
  for (const auto& x : *accounts) child_accounts.emplace(x.parent_id, &x);
  std::cout << "Organization " << o->id << " (management account " << o->management_account_id << ")\n";
  std::function<void(const std::string&, int)> print = [&](const std::string& parent, int depth) {
    std::string pad(static_cast<std::size_t>(depth) * 2, ' ');
    auto [a0, a1] = child_accounts.equal_range(parent);
    for (auto it = a0; it != a1; ++it)
      std::cout << pad << "  " << it->second->id << "  " << it->second->name << " <" << it->second->email << ">\n";
    auto [u0, u1] = child_units.equal_range(parent);
    for (auto it = u0; it != u1; ++it) {
      std::cout << pad << "  " << it->second->id << "/  " << it->second->name << "\n";
      if (depth < 8) print(it->second->id, depth + 1);
    }
  };
  std::cout << o->root_id << "/  Root\n";
  print(o->root_id, 0);
  return 0;
}

int import_org(const cli_env& env, service::organization_service& svc, const std::string& endpoint_url, const std::string& region, bool as_json) {
  auto ctx = cli_context(env, service::event_sources::organizations, "ImportOrganization");
  auto creds = cloud::credentials_from_environment();
  if (!creds) return failed(env, ctx, error{errc::validation, "Set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.", {}, {}});
  cloud::client_config cfg;
  cfg.endpoint_url = endpoint_url;
  cfg.region = region;
  cfg.service = "organizations";
  cloud::aws_client client(cfg, *creds);
  remote_source src(client);
  auto s = service::import_organization(svc, src, ctx);
  if (!s) return failed(env, ctx, s.error());
  if (as_json) {
    std::cout << json{{"SourceOrganizationId", s->source_organization_id},
                      {"SourceManagementAccountId", s->source_management_account_id},
                      {"OrganizationalUnitsCreated", s->ous_created}, {"OrganizationalUnitsUpdated", s->ous_updated},
                      {"AccountsCreated", s->accounts_created}, {"AccountsUpdated", s->accounts_updated},
                      {"AccountsNotInSource", s->not_in_source}}
                     .dump()
              << "\n";
    return 0;
  }
  std::cout << "Imported organization " << s->source_organization_id << ": " << s->ous_created << " OUs created, "
            << s->ous_updated << " updated; " << s->accounts_created << " accounts created, " << s->accounts_updated
            << " updated.\n";
  for (const auto& id : s->not_in_source)
    std::cout << "  account " << id << " is registered here but not in the source (remove it with "
              << "`atrium admin org remove-account --id " << id << "` if it left)\n";
  return 0;
}

}  // namespace

org_commands::org_commands(CLI::App* admin) {
  org_ = admin->add_subcommand("org", "The organization: accounts and OUs Identity Center assigns to")->require_subcommand(1);
  register_ = org_->add_subcommand("register-account", "Register an AWS account (or update its name, email, parent)");
  move_ = org_->add_subcommand("move-account", "Move an account to the root or an OU");
  remove_ = org_->add_subcommand("remove-account", "Remove an account from the organization");
  create_ou_ = org_->add_subcommand("create-ou", "Create an organizational unit");
  rename_ou_ = org_->add_subcommand("rename-ou", "Rename an organizational unit");
  delete_ou_ = org_->add_subcommand("delete-ou", "Delete an empty organizational unit");
  list_ = org_->add_subcommand("list", "Show the organization: root, OUs and accounts");
  import_ = org_->add_subcommand("import", "Import an organization from an AWS Organizations endpoint");
  add_common({register_, move_, remove_, create_ou_, rename_ou_, delete_ou_, list_, import_}, common_, json_);
  register_->add_option("--id", id_, "Account id (12 digits)")->required();
  register_->add_option("--name", name_, "Account name (1-50 printable characters)")->required();
  register_->add_option("--email", email_, "Account email (6-64 characters)")->required();
  register_->add_option("--parent", parent_, "Root or OU id (default: the root for new accounts)");
  move_->add_option("--id", id_, "Account id")->required();
  move_->add_option("--parent", parent_, "Destination root or OU id")->required();
  remove_->add_option("--id", id_, "Account id")->required();
  create_ou_->add_option("--name", name_, "OU name (1-128 characters)")->required();
  create_ou_->add_option("--parent", parent_, "Parent root or OU id (default: the root)");
  rename_ou_->add_option("--id", id_, "OU id")->required();
  rename_ou_->add_option("--name", name_, "New name")->required();
  delete_ou_->add_option("--id", id_, "OU id")->required();
  import_->add_option("--endpoint-url", endpoint_url_, "Organizations endpoint, e.g. https://organizations.us-east-1.amazonaws.com")->required();
  import_->add_option("--region", region_, "Signing region (default us-east-1)");
}

std::optional<int> org_commands::run() {
  if (!*org_) return std::nullopt;
  auto rt = runtime::open(load_config(common_));
  return act(cli_env_of(*rt), *rt->organization().organization);
}

int org_commands::act(const cli_env& env, service::organization_service& svc) {
  if (*list_) return list_org(env, svc, json_);
  if (*import_) return import_org(env, svc, endpoint_url_, region_, json_);
  auto print_account = [&](const domain::account& a, const char* verb) {
    auto o = svc.ensure(cli_context(env, service::event_sources::organizations, "DescribeOrganization"));
    if (json_ && o) std::cout << service::account_json(*o, a) << "\n";
    else if (!json_) std::cout << verb << " account " << a.id << " (" << a.name << ") in " << a.parent_id << ".\n";
    return 0;
  };
  auto print_unit = [&](const domain::org_unit& u, const char* verb) {
    auto o = svc.ensure(cli_context(env, service::event_sources::organizations, "DescribeOrganization"));
    if (json_ && o) std::cout << service::unit_json(*o, u) << "\n";
    else if (!json_) std::cout << verb << " OU " << u.id << " (" << u.name << ") in " << u.parent_id << ".\n";
    return 0;
  };
  if (*register_) {
    auto ctx = cli_context(env, service::event_sources::organizations, "RegisterAccount");
    auto r = svc.register_account(ctx, {id_, name_, email_, parent_});
    if (!r) return failed(env, ctx, r.error());
    return print_account(r->account, r->created ? "Registered" : "Updated");
  }
  if (*move_) {
    auto ctx = cli_context(env, service::event_sources::organizations, "MoveAccount");
    auto r = svc.move_account(ctx, id_, "", parent_);
    if (!r) return failed(env, ctx, r.error());
    return print_account(*r, "Moved");
  }
  if (*remove_) {
    auto ctx = cli_context(env, service::event_sources::organizations, "RemoveAccountFromOrganization");
    auto r = svc.remove_account(ctx, id_);
    if (!r) return failed(env, ctx, r.error());
    return print_account(*r, "Removed");
  }
  if (*create_ou_) {
    auto ctx = cli_context(env, service::event_sources::organizations, "CreateOrganizationalUnit");
    std::string parent = parent_;
    if (parent.empty()) {
      auto o = svc.ensure(ctx);
      if (!o) return failed(env, ctx, o.error());
      parent = o->root_id;
    }
    auto r = svc.create_unit(ctx, parent, name_);
    if (!r) return failed(env, ctx, r.error());
    return print_unit(*r, "Created");
  }
  if (*rename_ou_) {
    auto ctx = cli_context(env, service::event_sources::organizations, "UpdateOrganizationalUnit");
    auto r = svc.rename_unit(ctx, id_, name_);
    if (!r) return failed(env, ctx, r.error());
    return print_unit(*r, "Renamed");
  }
  auto ctx = cli_context(env, service::event_sources::organizations, "DeleteOrganizationalUnit");
  auto r = svc.delete_unit(ctx, id_);
  if (!r) return failed(env, ctx, r.error());
  return print_unit(*r, "Deleted");
}

}  // namespace atrium::app
