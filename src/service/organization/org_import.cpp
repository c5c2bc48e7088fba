#include "service/organization/org_import.hpp"

#include <set>

#include "base/json_text.hpp"

namespace atrium::service {

using nlohmann::json;

namespace {

std::unexpected<error> bad_answer(std::string_view op, std::string what) {
  return fail(errc::validation, "The Organizations endpoint's " + std::string(op) + " answer " + what + ".");
}

result<std::string> string_field(const json& j, const char* key, std::string_view op) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_string()) return bad_answer(op, std::string("has no string ") + key);
  return it->get<std::string>();
}

class importer {
 public:
  importer(organization_service& svc, organization_source& src, const call_context& ctx, const import_limits& lim)
      : svc_(svc), src_(src), ctx_(ctx), limits_(lim) {}

  result<import_summary> run() {
    auto d = call("DescribeOrganization", json::object());
    if (!d) return std::unexpected(d.error());
    auto org = d->find("Organization");
    if (org == d->end() || !org->is_object()) return bad_answer("DescribeOrganization", "has no Organization");
    auto id = string_field(*org, "Id", "DescribeOrganization");
    if (!id) return std::unexpected(id.error());
    summary_.source_organization_id = *id;
    if (auto m = string_field(*org, "MasterAccountId", "DescribeOrganization")) summary_.source_management_account_id = *m;
    auto local = svc_.ensure(ctx_);
    if (!local) return std::unexpected(local.error());
    auto roots = list("ListRoots", json::object(), "Roots");
    if (!roots) return std::unexpected(roots.error());
    if (roots->empty()) return bad_answer("ListRoots", "lists no root");
    auto root_id = string_field(roots->front(), "Id", "ListRoots");
    if (!root_id) return std::unexpected(root_id.error());
    if (auto w = walk(*root_id, local->root_id, 0); !w) return std::unexpected(w.error());
    if (auto r = missing_accounts(local->management_account_id); !r) return std::unexpected(r.error());
    return summary_;
  }

 private:
  // The source's answer, read here: the source passes text through.
  result<json> call(std::string_view op, const json& request) {
    auto r = src_.call(op, to_json_text(request));
    if (!r) return std::unexpected(r.error());
    auto answer = json::parse(*r, nullptr, false);
    if (answer.is_discarded() || !answer.is_object()) return bad_answer(op, "is not a JSON object");
    return answer;
  }

  // Every item of a listing, following NextToken.
  result<std::vector<json>> list(std::string_view op, json request, const char* key) {
    std::vector<json> out;
    for (int page = 0; page < limits_.max_pages; ++page) {
      auto r = call(op, request);
      if (!r) return std::unexpected(r.error());
      auto items = r->find(key);
      if (items == r->end() || !items->is_array()) return bad_answer(op, std::string("has no ") + key + " list");
      for (auto& x : *items) {
        if (!x.is_object()) return bad_answer(op, "lists a non-object");
        if (++entities_ > limits_.max_entities) return bad_answer(op, "lists too many entities");
        out.push_back(std::move(x));
      }
      auto next = r->find("NextToken");
      if (next == r->end() || next->is_null()) return out;
      if (!next->is_string() || next->get_ref<const std::string&>().empty()) return bad_answer(op, "has a bad NextToken");
      request["NextToken"] = *next;
    }
    return bad_answer(op, "never ends");
  }

  call_context as(const char* event) const {
    call_context c = ctx_;
    c.event_name = event;
    c.read_only = false;
    return c;
  }

  result<void> walk(const std::string& source_parent, const std::string& local_parent, int depth) {
    auto accounts = list("ListAccountsForParent", json{{"ParentId", source_parent}}, "Accounts");
    if (!accounts) return std::unexpected(accounts.error());
    for (const auto& a : *accounts) {
      account_input in;
      for (auto [key, field] : {std::pair{"Id", &in.id}, {"Name", &in.name}, {"Email", &in.email}}) {
        auto v = string_field(a, key, "ListAccountsForParent");
        if (!v) return std::unexpected(v.error());
        *field = *v;
      }
      in.parent_id = local_parent;
      auto r = svc_.register_account(as("ImportAccount"), in);
      if (!r) return std::unexpected(r.error());
      seen_.insert(in.id);
      ++(r->created ? summary_.accounts_created : summary_.accounts_updated);
    }
    if (depth >= limits_.max_depth) return {};
    auto units = list("ListOrganizationalUnitsForParent", json{{"ParentId", source_parent}}, "OrganizationalUnits");
    if (!units) return std::unexpected(units.error());
    for (const auto& u : *units) {
      auto id = string_field(u, "Id", "ListOrganizationalUnitsForParent");
      if (!id) return std::unexpected(id.error());
      auto name = string_field(u, "Name", "ListOrganizationalUnitsForParent");
      if (!name) return std::unexpected(name.error());
      auto put = svc_.put_unit(as("ImportOrganizationalUnit"), *id, local_parent, *name);
      if (!put) return std::unexpected(put.error());
      ++(put->created ? summary_.ous_created : summary_.ous_updated);
      if (auto w = walk(*id, put->unit.id, depth + 1); !w) return w;
    }
    return {};
  }

  result<void> missing_accounts(const std::string& management_account_id) {
    store::page_request p;
    p.limit = 1000;
    while (true) {
      auto page = svc_.list_accounts(p);
      if (!page) return std::unexpected(page.error());
      for (const auto& a : page->items)
        if (!seen_.contains(a.id) && a.id != management_account_id) summary_.not_in_source.push_back(a.id);
      if (!page->more) return {};
      p.after_id = page->items.back().id;
    }
  }

  organization_service& svc_;
  organization_source& src_;
  const call_context& ctx_;
  import_limits limits_;
  import_summary summary_;
  std::set<std::string> seen_;
  int entities_ = 0;
};

}  // namespace

result<import_summary> import_organization(organization_service& svc, organization_source& src,
                                           const call_context& ctx, const import_limits& limits) {
  return importer(svc, src, ctx, limits).run();
}

}  // namespace atrium::service
