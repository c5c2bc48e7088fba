#include "proto/aws/policy_request.hpp"

#include "base/strings.hpp"

namespace atrium::proto::aws {

using nlohmann::json;

namespace {

const std::string* string_field(const json& body, const char* name) {
  auto it = body.find(name);
  if (it == body.end() || !it->is_string()) return nullptr;
  return it->get_ptr<const std::string*>();
}

void add(domain::policy_request& req, std::string arn) {
  for (const auto& r : req.resources)
    if (r.arn == arn) return;
  req.resources.push_back({std::move(arn), {}});
}

// Tags sent with the call (TagResource, CreatePermissionSet): aws:RequestTag/<key>.
void request_tags(const json& body, domain::policy_request& req) {
  auto it = body.find("Tags");
  if (it == body.end() || !it->is_array()) return;
  for (const auto& t : *it) {
    if (!t.is_object()) continue;
    const std::string* k = string_field(t, "Key");
    const std::string* v = string_field(t, "Value");
    if (k) req.request_tags[*k] = v ? *v : "";
  }
}

// Organizations' resource-level permissions (service authorization reference): DescribeAccount
// names the account, ListAccountsForParent and ListOrganizationalUnitsForParent the parent (root
// or OU), MoveAccount the account and both parents, and so on.
result<void> org_call_resources(const json& body, const policy_scope& scope, domain::policy_request& req) {
  if (!scope.orgs) return {};
  for (const char* key : {"AccountId", "ParentId", "ChildId", "OrganizationalUnitId", "SourceParentId", "DestinationParentId"}) {
    const std::string* id = string_field(body, key);
    if (!id || id->empty() || id->size() > 100) continue;
    auto arn = scope.orgs->arn_of(*id);
    if (!arn) return std::unexpected(arn.error());
    if (*arn) add(req, std::move(**arn));
  }
  return {};
}

}  // namespace

bool uses_resource_tags(const std::vector<domain::admin_policy>& policies) {
  for (const auto& p : policies)
    for (const auto& s : p.statements)
      for (const auto& c : s.conditions)
        if (c.key.size() > 16 && iequals_ascii(c.key.substr(0, 16), "aws:resourcetag/")) return true;
  return false;
}

result<domain::policy_request> policy_request_for(std::string_view action_prefix, std::string_view operation,
                                                  const json& body, const policy_scope& scope,
                                                  service::resource_tag_source* tags, bool need_tags) {
  domain::policy_request req;
  req.action = std::string(action_prefix) + ":" + std::string(operation);
  if (auto* v = string_field(body, "InstanceArn")) add(req, *v);
  if (auto* v = string_field(body, "PermissionSetArn")) add(req, *v);
  if (auto* v = string_field(body, "ResourceArn")) add(req, *v);
  if (auto* v = string_field(body, "ApplicationArn")) add(req, *v);
  const std::string* type = string_field(body, "TargetType");
  if (auto* v = string_field(body, "TargetId"); v && type && *type == "AWS_ACCOUNT")
    add(req, "arn:aws:sso:::account/" + *v);
  if (auto* v = string_field(body, "AccountId"); v && action_prefix == "sso") add(req, "arn:aws:sso:::account/" + *v);
  if (auto* v = string_field(body, "IdentityStoreId"))
    add(req, "arn:aws:identitystore::" + scope.account_id + ":identitystore/" + *v);
  if (action_prefix == "organizations") {
    auto orgs = org_call_resources(body, scope, req);
    if (!orgs) return std::unexpected(orgs.error());
  }
  request_tags(body, req);
  if (!need_tags || !tags) return req;
  for (auto& r : req.resources) {
    if (!r.arn.starts_with("arn:aws:sso:::permissionSet/")) continue;
    auto t = tags->tags_of(r.arn);
    if (!t) return std::unexpected(t.error());
    r.tags = std::move(*t);
  }
  return req;
}

}  // namespace atrium::proto::aws
