#include "proto/aws/sso_admin_permission_sets.hpp"

#include <cctype>

// Shapes: sso-admin service model 2020-07-20 (botocore data/sso-admin), PermissionSet,
// InstanceMetadata, AttachedManagedPolicy, CustomerManagedPolicyReference,
// PermissionsBoundary, Tag. Timestamps are epoch seconds (AWS JSON 1.1).

namespace atrium::proto::aws {

using nlohmann::json;
using service::call_context;

namespace {

template <class T>
std::unexpected<error> err(const result<T>& r) {
  return std::unexpected(r.error());
}

json permission_set_json(const domain::permission_set& ps) {
  json j = {{"Name", ps.name},
            {"PermissionSetArn", ps.arn},
            {"CreatedDate", epoch_seconds(ps.created_at)},
            {"SessionDuration", ps.session_duration}};
  if (ps.description) j["Description"] = *ps.description;
  if (ps.relay_state) j["RelayState"] = *ps.relay_state;
  return j;
}

json ref_json(const domain::customer_managed_ref& r) { return {{"Name", r.name}, {"Path", r.path}}; }

// The name of an AWS managed policy is the last path segment of its ARN.
json managed_json(const std::string& arn) { return {{"Name", arn.substr(arn.rfind('/') + 1)}, {"Arn", arn}}; }

json boundary_json(const domain::permissions_boundary& b) {
  json j = json::object();
  if (b.managed_policy_arn) j["ManagedPolicyArn"] = *b.managed_policy_arn;
  if (b.customer_managed) j["CustomerManagedPolicyReference"] = ref_json(*b.customer_managed);
  return j;
}

template <class T>
json paged(const char* key, const service::sso_page<T>& p, json (*render)(const T&)) {
  json items = json::array();
  for (const auto& i : p.items) items.push_back(render(i));
  json out = {{key, items}};
  if (p.next_token) out["NextToken"] = *p.next_token;
  return out;
}

json string_json(const std::string& s) { return s; }
json tag_json(const domain::resource_tag& t) { return {{"Key", t.key}, {"Value", t.value}}; }

// CustomerManagedPolicyReference {Name (required), Path (default "/")}.
result<domain::customer_managed_ref> ref_from(const json& req, const char* key) {
  auto it = req.find(key);
  if (it == req.end() || it->is_null()) return fail(errc::validation, std::string(key) + " is required.");
  if (!it->is_object()) return fail(errc::validation, std::string(key) + " must be an object.");
  if (auto r = sso_only_members(*it, {"Name", "Path"}); !r) return std::unexpected(r.error());
  auto name = sso_required_string(*it, "Name", 1, 128);
  if (!name) return err(name);
  auto path = sso_optional_string(*it, "Path", 1, 512);
  if (!path) return err(path);
  return domain::customer_managed_ref{*name, path->value_or("/")};
}

// Tags: a list of at most 75 {Key, Value} (model "TagList"); the per-resource limit (50 by
// default) is the service's quota.
result<std::vector<domain::resource_tag>> tags_from(const json& req, const char* key, bool required) {
  auto it = req.find(key);
  if (it == req.end() || it->is_null()) {
    if (required) return fail(errc::validation, std::string(key) + " is required.");
    return std::vector<domain::resource_tag>{};
  }
  if (!it->is_array()) return fail(errc::validation, std::string(key) + " must be a list.");
  if (it->size() > 75) return fail(errc::validation, std::string(key) + " must have at most 75 members.");
  std::vector<domain::resource_tag> out;
  for (const auto& t : *it) {
    if (!t.is_object()) return fail(errc::validation, "Each tag must be an object with Key and Value.");
    if (auto r = sso_only_members(t, {"Key", "Value"}); !r) return std::unexpected(r.error());
    auto k = sso_required_string(t, "Key", 1, 512);
    if (!k) return err(k);
    auto v = sso_required_string(t, "Value", 0, 1024);
    if (!v) return err(v);
    out.push_back({*k, *v});
  }
  for (size_t i = 0; i < out.size(); ++i)
    for (size_t j = i + 1; j < out.size(); ++j)
      if (out[i].key == out[j].key) return fail(errc::validation, "The tag key '" + out[i].key.substr(0, 128) + "' is given twice.");
  return out;
}

result<std::vector<std::string>> tag_keys_from(const json& req) {
  auto it = req.find("TagKeys");
  if (it == req.end() || it->is_null()) return fail(errc::validation, "TagKeys is required.");
  if (!it->is_array() || it->empty() || it->size() > 75)
    return fail(errc::validation, "TagKeys must be a list of 1 to 75 tag keys.");
  std::vector<std::string> out;
  for (const auto& k : *it) {
    if (!k.is_string()) return fail(errc::validation, "Each tag key must be a string.");
    out.push_back(k.get<std::string>());
  }
  return out;
}

// TaggableResourceArn: the instance or one of its permission sets (applications and trusted
// token issuers are not served by Atrium: ResourceNotFoundException).
result<std::string> resource_arn_from(const json& req, const sso_admin_api& api) {
  auto arn = sso_required_string(req, "ResourceArn", 10, 2048);
  if (!arn) return arn;
  if (*arn == api.instance().instance_arn) return arn;
  if (is_permission_set_arn(*arn)) return required_permission_set_arn(req, api, "ResourceArn");
  if (is_instance_arn(*arn)) return fail(errc::not_found, "Could not find Instance " + arn->substr(0, 128) + ".");
  if (arn->starts_with("arn:aws:sso:") && (arn->find(":application/") != std::string::npos ||
                                           arn->find(":trustedTokenIssuer/") != std::string::npos))
    return fail(errc::not_found, "Could not find resource " + arn->substr(0, 128) + ".");
  return fail(errc::validation, "The value of ResourceArn '" + arn->substr(0, 128) + "' is not a taggable sso-admin resource ARN.");
}

// Every permission set operation starts the same: only the named members, the instance, the
// permission set ARN.
result<std::string> ps_request(const json& req, const sso_admin_api& api, std::initializer_list<const char*> members) {
  if (auto r = sso_only_members(req, members); !r) return std::unexpected(r.error());
  if (auto r = require_instance(req, api); !r) return std::unexpected(r.error());
  return required_permission_set_arn(req, api);
}

// MaxResults and NextToken of a List* request (MaxResults is checked first, as the model lists it).
struct page_args {
  std::optional<std::string> token;
  int max = 0;
};
result<page_args> page_args_of(const json& req) {
  auto max = sso_max_results(req);
  if (!max) return std::unexpected(max.error());
  auto token = sso_next_token(req);
  if (!token) return std::unexpected(token.error());
  return page_args{std::move(*token), *max};
}

template <class T>
result<json> empty_on_success(const result<T>& r) {
  if (!r) return err(r);
  return json::object();
}

struct ops_builder {
  sso_admin_api& api;
  service::permission_set_service& ps;

  void add(const char* name, bool read_only, json_handler h) { api.add({name, read_only, std::move(h)}); }

  void instance_ops();
  void permission_set_ops();
  void managed_policy_ops();
  void customer_managed_ops();
  void inline_and_boundary_ops();
  void tag_ops();
};

json instance_json(const service::instance_view& v) {
  json j = {{"InstanceArn", v.instance_arn},
            {"IdentityStoreId", v.identity_store_id},
            {"OwnerAccountId", v.owner_account_id},
            {"CreatedDate", epoch_seconds(v.created_at)},
            {"Status", "ACTIVE"}};
  if (!v.name.empty()) j["Name"] = v.name;
  return j;
}

void ops_builder::instance_ops() {
  add("ListInstances", true, [&ps = ps](const json& req, const call_context& ctx) -> result<json> {
    if (auto r = sso_only_members(req, {"MaxResults", "NextToken"}); !r) return err(r);
    if (auto r = sso_max_results(req); !r) return err(r);
    auto token = sso_next_token(req);
    if (!token) return err(token);
    auto v = ps.describe_instance(ctx);
    if (!v) return err(v);
    // One instance per deployment: any token means "after it", an empty page.
    json list = json::array();
    if (!*token) list.push_back(instance_json(*v));
    return json{{"Instances", list}};
  });
  add("DescribeInstance", true, [&api = api, &ps = ps](const json& req, const call_context& ctx) -> result<json> {
    if (auto r = sso_only_members(req, {"InstanceArn"}); !r) return err(r);
    if (auto r = require_instance(req, api); !r) return err(r);
    auto v = ps.describe_instance(ctx);
    if (!v) return err(v);
    return instance_json(*v);
  });
  add("UpdateInstance", false, [&api = api, &ps = ps](const json& req, const call_context& ctx) -> result<json> {
    if (auto r = sso_only_members(req, {"InstanceArn", "Name", "EncryptionConfiguration"}); !r) return err(r);
    if (auto r = require_instance(req, api); !r) return err(r);
    if (req.contains("EncryptionConfiguration"))
      return fail(errc::validation, "EncryptionConfiguration is not supported by Atrium (secrets are sealed with its own master key).");
    auto name = sso_required_string(req, "Name", 1, 255);
    if (!name) return err(name);
    for (char c : *name)
      if (!(std::isalnum(static_cast<unsigned char>(c)) || std::string_view("_+=,.@-").find(c) != std::string_view::npos))
        return fail(errc::validation, "The instance name may contain only alphanumeric characters and _+=,.@-.");
    return empty_on_success(ps.update_instance(ctx, *name));
  });
}

void ops_builder::permission_set_ops() {
  add("CreatePermissionSet", false, [&api = api, &ps = ps](const json& req, const call_context& ctx) -> result<json> {
    if (auto r = sso_only_members(req, {"InstanceArn", "Name", "Description", "SessionDuration", "RelayState", "Tags"}); !r)
      return err(r);
    if (auto r = require_instance(req, api); !r) return err(r);
    service::permission_set_draft d;
    auto name = sso_required_string(req, "Name", 1, 32);
    if (!name) return err(name);
    d.name = *name;
    auto desc = sso_optional_string(req, "Description", 1, 2800);
    auto dur = sso_optional_string(req, "SessionDuration", 1, 100);
    auto relay = sso_optional_string(req, "RelayState", 1, 240);
    auto tags = tags_from(req, "Tags", false);
    if (!desc) return err(desc);
    if (!dur) return err(dur);
    if (!relay) return err(relay);
    if (!tags) return err(tags);
    d.description = *desc;
    d.session_duration = *dur;
    d.relay_state = *relay;
    d.tags = *tags;
    auto made = ps.create(ctx, std::move(d));
    if (!made) return err(made);
    return json{{"PermissionSet", permission_set_json(*made)}};
  });
  add("DescribePermissionSet", true, [&api = api, &ps = ps](const json& req, const call_context& ctx) -> result<json> {
    auto arn = ps_request(req, api, {"InstanceArn", "PermissionSetArn"});
    if (!arn) return err(arn);
    auto p = ps.describe(ctx, *arn);
    if (!p) return err(p);
    return json{{"PermissionSet", permission_set_json(*p)}};
  });
  add("UpdatePermissionSet", false, [&api = api, &ps = ps](const json& req, const call_context& ctx) -> result<json> {
    auto arn = ps_request(req, api, {"InstanceArn", "PermissionSetArn", "Description", "SessionDuration", "RelayState"});
    if (!arn) return err(arn);
    auto desc = sso_optional_string(req, "Description", 1, 2800);
    auto dur = sso_optional_string(req, "SessionDuration", 1, 100);
    auto relay = sso_optional_string(req, "RelayState", 1, 240);
    if (!desc) return err(desc);
    if (!dur) return err(dur);
    if (!relay) return err(relay);
    return empty_on_success(ps.update(ctx, *arn, {*desc, *dur, *relay}));
  });
  add("DeletePermissionSet", false, [&api = api, &ps = ps](const json& req, const call_context& ctx) -> result<json> {
    auto arn = ps_request(req, api, {"InstanceArn", "PermissionSetArn"});
    if (!arn) return err(arn);
    return empty_on_success(ps.remove(ctx, *arn));
  });
  add("ListPermissionSets", true, [&api = api, &ps = ps](const json& req, const call_context& ctx) -> result<json> {
    if (auto r = sso_only_members(req, {"InstanceArn", "MaxResults", "NextToken"}); !r) return err(r);
    if (auto r = require_instance(req, api); !r) return err(r);
    auto pg = page_args_of(req);
    if (!pg) return err(pg);
    auto p = ps.list(ctx, pg->token, pg->max);
    if (!p) return err(p);
    return paged("PermissionSets", *p, string_json);
  });
}

void ops_builder::managed_policy_ops() {
  auto change = [&api = api, &ps = ps](bool attach) {
    return [&api = api, &ps = ps, attach](const json& req, const call_context& ctx) -> result<json> {
      auto arn = ps_request(req, api, {"InstanceArn", "PermissionSetArn", "ManagedPolicyArn"});
      if (!arn) return err(arn);
      auto policy = sso_required_string(req, "ManagedPolicyArn", 20, 2048);
      if (!policy) return err(policy);
      return empty_on_success(attach ? ps.attach_managed(ctx, *arn, *policy) : ps.detach_managed(ctx, *arn, *policy));
    };
  };
  add("AttachManagedPolicyToPermissionSet", false, change(true));
  add("DetachManagedPolicyFromPermissionSet", false, change(false));
  add("ListManagedPoliciesInPermissionSet", true, [&api = api, &ps = ps](const json& req, const call_context& ctx) -> result<json> {
    auto arn = ps_request(req, api, {"InstanceArn", "PermissionSetArn", "MaxResults", "NextToken"});
    if (!arn) return err(arn);
    auto pg = page_args_of(req);
    if (!pg) return err(pg);
    auto p = ps.list_managed(ctx, *arn, pg->token, pg->max);
    if (!p) return err(p);
    return paged("AttachedManagedPolicies", *p, managed_json);
  });
}

void ops_builder::customer_managed_ops() {
  auto change = [&api = api, &ps = ps](bool attach) {
    return [&api = api, &ps = ps, attach](const json& req, const call_context& ctx) -> result<json> {
      auto arn = ps_request(req, api, {"InstanceArn", "PermissionSetArn", "CustomerManagedPolicyReference"});
      if (!arn) return err(arn);
      auto ref = ref_from(req, "CustomerManagedPolicyReference");
      if (!ref) return err(ref);
      return empty_on_success(attach ? ps.attach_customer(ctx, *arn, *ref) : ps.detach_customer(ctx, *arn, *ref));
    };
  };
  add("AttachCustomerManagedPolicyReferenceToPermissionSet", false, change(true));
  add("DetachCustomerManagedPolicyReferenceFromPermissionSet", false, change(false));
  add("ListCustomerManagedPolicyReferencesInPermissionSet", true, [&api = api, &ps = ps](const json& req, const call_context& ctx) -> result<json> {
    auto arn = ps_request(req, api, {"InstanceArn", "PermissionSetArn", "MaxResults", "NextToken"});
    if (!arn) return err(arn);
    auto pg = page_args_of(req);
    if (!pg) return err(pg);
    auto p = ps.list_customer(ctx, *arn, pg->token, pg->max);
    if (!p) return err(p);
    return paged("CustomerManagedPolicyReferences", *p, ref_json);
  });
}

void ops_builder::inline_and_boundary_ops() {
  add("PutInlinePolicyToPermissionSet", false, [&api = api, &ps = ps](const json& req, const call_context& ctx) -> result<json> {
    auto arn = ps_request(req, api, {"InstanceArn", "PermissionSetArn", "InlinePolicy"});
    if (!arn) return err(arn);
    // The model's limit is 32,768; the configured quota (domain check) may be lower.
    auto doc = sso_required_string(req, "InlinePolicy", 1, 32768);
    if (!doc) return err(doc);
    return empty_on_success(ps.put_inline(ctx, *arn, *doc));
  });
  add("GetInlinePolicyForPermissionSet", true, [&api = api, &ps = ps](const json& req, const call_context& ctx) -> result<json> {
    auto arn = ps_request(req, api, {"InstanceArn", "PermissionSetArn"});
    if (!arn) return err(arn);
    auto doc = ps.get_inline(ctx, *arn);
    if (!doc) return err(doc);
    return json{{"InlinePolicy", *doc}};
  });
  add("DeleteInlinePolicyFromPermissionSet", false, [&api = api, &ps = ps](const json& req, const call_context& ctx) -> result<json> {
    auto arn = ps_request(req, api, {"InstanceArn", "PermissionSetArn"});
    if (!arn) return err(arn);
    return empty_on_success(ps.delete_inline(ctx, *arn));
  });
  add("PutPermissionsBoundaryToPermissionSet", false, [&api = api, &ps = ps](const json& req, const call_context& ctx) -> result<json> {
    auto arn = ps_request(req, api, {"InstanceArn", "PermissionSetArn", "PermissionsBoundary"});
    if (!arn) return err(arn);
    auto it = req.find("PermissionsBoundary");
    if (it == req.end() || !it->is_object()) return fail(errc::validation, "PermissionsBoundary is required.");
    if (auto r = sso_only_members(*it, {"CustomerManagedPolicyReference", "ManagedPolicyArn"}); !r) return err(r);
    domain::permissions_boundary b;
    auto managed = sso_optional_string(*it, "ManagedPolicyArn", 20, 2048);
    if (!managed) return err(managed);
    b.managed_policy_arn = *managed;
    if (it->contains("CustomerManagedPolicyReference") && !(*it)["CustomerManagedPolicyReference"].is_null()) {
      auto ref = ref_from(*it, "CustomerManagedPolicyReference");
      if (!ref) return err(ref);
      b.customer_managed = *ref;
    }
    return empty_on_success(ps.put_boundary(ctx, *arn, b));
  });
  add("GetPermissionsBoundaryForPermissionSet", true, [&api = api, &ps = ps](const json& req, const call_context& ctx) -> result<json> {
    auto arn = ps_request(req, api, {"InstanceArn", "PermissionSetArn"});
    if (!arn) return err(arn);
    auto b = ps.get_boundary(ctx, *arn);
    if (!b) return err(b);
    return json{{"PermissionsBoundary", boundary_json(*b)}};
  });
  add("DeletePermissionsBoundaryFromPermissionSet", false, [&api = api, &ps = ps](const json& req, const call_context& ctx) -> result<json> {
    auto arn = ps_request(req, api, {"InstanceArn", "PermissionSetArn"});
    if (!arn) return err(arn);
    return empty_on_success(ps.delete_boundary(ctx, *arn));
  });
}

void ops_builder::tag_ops() {
  add("TagResource", false, [&api = api, &ps = ps](const json& req, const call_context& ctx) -> result<json> {
    if (auto r = sso_only_members(req, {"InstanceArn", "ResourceArn", "Tags"}); !r) return err(r);
    if (auto r = optional_instance(req, api); !r) return err(r);
    auto arn = resource_arn_from(req, api);
    if (!arn) return err(arn);
    auto tags = tags_from(req, "Tags", true);
    if (!tags) return err(tags);
    return empty_on_success(ps.tag(ctx, *arn, *tags));
  });
  add("UntagResource", false, [&api = api, &ps = ps](const json& req, const call_context& ctx) -> result<json> {
    if (auto r = sso_only_members(req, {"InstanceArn", "ResourceArn", "TagKeys"}); !r) return err(r);
    if (auto r = optional_instance(req, api); !r) return err(r);
    auto arn = resource_arn_from(req, api);
    if (!arn) return err(arn);
    auto keys = tag_keys_from(req);
    if (!keys) return err(keys);
    return empty_on_success(ps.untag(ctx, *arn, *keys));
  });
  add("ListTagsForResource", true, [&api = api, &ps = ps](const json& req, const call_context& ctx) -> result<json> {
    if (auto r = sso_only_members(req, {"InstanceArn", "ResourceArn", "NextToken"}); !r) return err(r);
    if (auto r = optional_instance(req, api); !r) return err(r);
    auto arn = resource_arn_from(req, api);
    if (!arn) return err(arn);
    auto token = sso_next_token(req);
    if (!token) return err(token);
    auto p = ps.list_tags(ctx, *arn, *token);
    if (!p) return err(p);
    return paged("Tags", *p, tag_json);
  });
}

}  // namespace

void add_permission_set_operations(sso_admin_api& api, service::permission_set_service& ps) {
  // Handlers capture the api and the service by reference: both live as long as the server.
  ops_builder b{api, ps};
  b.instance_ops();
  b.permission_set_ops();
  b.managed_policy_ops();
  b.customer_managed_ops();
  b.inline_and_boundary_ops();
  b.tag_ops();
}

}  // namespace atrium::proto::aws
