#include "proto/aws/sso_admin_assignments.hpp"
#include "base/try.hpp"

#include <array>

#include "proto/aws/identitystore_shapes.hpp"

namespace atrium::proto::aws {

using nlohmann::json;

namespace {

struct op_info {
  std::string_view name;
  bool read_only;
};

constexpr std::array<op_info, 13> operations = {{
    {"CreateAccountAssignment", false},
    {"DeleteAccountAssignment", false},
    {"DescribeAccountAssignmentCreationStatus", true},
    {"DescribeAccountAssignmentDeletionStatus", true},
    {"ListAccountAssignmentCreationStatus", true},
    {"ListAccountAssignmentDeletionStatus", true},
    {"ListAccountAssignments", true},
    {"ListAccountAssignmentsForPrincipal", true},
    {"ProvisionPermissionSet", false},
    {"DescribePermissionSetProvisioningStatus", true},
    {"ListPermissionSetProvisioningStatus", true},
    {"ListPermissionSetsProvisionedToAccount", true},
    {"ListAccountsForProvisionedPermissionSet", true},
}};

result<std::string> instance_of(const json& req) {
  TRY(v, required_string(req, "InstanceArn"));
  TRY_VOID(domain::check_instance_arn("InstanceArn", v));
  return v;
}

result<std::string> field(const json& req, const char* key, result<void> (*check)(std::string_view, std::string_view)) {
  TRY(v, required_string(req, key));
  TRY_VOID(check(key, v));
  return v;
}

result<domain::principal_type> principal_type_of(const json& req) {
  TRY(v, required_string(req, "PrincipalType"));
  auto t = domain::parse_principal_type(v);
  if (!t) return fail(errc::validation, "PrincipalType must be USER or GROUP.");
  return *t;
}

result<service::assignment_request> assignment_of(const json& req) {
  TRY_VOID(only_members(req, {"InstanceArn", "TargetId", "TargetType", "PermissionSetArn", "PrincipalType", "PrincipalId"}));
  service::assignment_request r;
  TRY(instance, instance_of(req));
  TRY(target, field(req, "TargetId", domain::check_account_id));
  TRY(type, required_string(req, "TargetType"));
  if (type != "AWS_ACCOUNT") return fail(errc::validation, "TargetType must be AWS_ACCOUNT.");
  TRY(ps, field(req, "PermissionSetArn", domain::check_permission_set_arn));
  TRY(kind, principal_type_of(req));
  TRY(principal, field(req, "PrincipalId", domain::check_principal_id));
  r.instance_arn = instance;
  r.account_id = target;
  r.permission_set_arn = ps;
  r.principal_kind = kind;
  r.principal_id = principal;
  return r;
}

// AccountAssignmentOperationStatus / PermissionSetProvisioningStatus. Dates are epoch seconds,
// the JSON 1.1 timestamp form.
json status_json(const domain::request_record& r) {
  json j = {{"Status", domain::to_string(r.status)}, {"RequestId", r.request_id},
            {"PermissionSetArn", r.permission_set_arn}, {"CreatedDate", epoch_seconds(r.created_at)}};
  if (!r.failure_reason.empty()) j["FailureReason"] = r.failure_reason;
  if (r.kind == domain::request_kind::provision_permission_set) {
    if (!r.account_id.empty()) j["AccountId"] = r.account_id;
    return j;
  }
  j["TargetId"] = r.account_id;
  j["TargetType"] = "AWS_ACCOUNT";
  j["PrincipalType"] = domain::to_string(r.principal_kind);
  j["PrincipalId"] = r.principal_id;
  return j;
}

json assignment_json(const domain::account_assignment& a) {
  return {{"AccountId", a.account_id}, {"PermissionSetArn", a.permission_set_arn},
          {"PrincipalType", domain::to_string(a.principal_kind)}, {"PrincipalId", a.principal_id}};
}

template <class T, class Encode>
json listing_json(const service::listing<T>& l, const char* key, Encode&& encode) {
  json items = json::array();
  for (const auto& x : l.items) items.push_back(encode(x));
  json out = {{key, items}};
  if (l.next_token) out["NextToken"] = *l.next_token;
  return out;
}

// OperationStatusFilter {Status}; CreatedAfter is accepted too (newer API versions).
result<store::request_filter> status_filter(const json& req, domain::request_kind kind) {
  store::request_filter f;
  f.kind = kind;
  auto it = req.find("Filter");
  if (it == req.end() || it->is_null()) return f;
  if (!it->is_object()) return fail(errc::validation, "Filter must be an object.");
  TRY_VOID(only_members(*it, {"Status", "CreatedAfter"}));
  TRY(status, optional_string(*it, "Status"));
  if (status) {
    f.status = domain::parse_request_status(*status);
    if (!f.status) return fail(errc::validation, "Filter.Status must be IN_PROGRESS, FAILED or SUCCEEDED.");
  }
  if (auto c = it->find("CreatedAfter"); c != it->end() && !c->is_null()) {
    if (!c->is_number()) return fail(errc::validation, "Filter.CreatedAfter must be a timestamp.");
    f.created_after = from_epoch_millis(static_cast<int64_t>(c->get<double>() * 1000.0));
  }
  return f;
}

result<service::provisioning_filter> provisioning_status_of(const json& req) {
  TRY(v, optional_string(req, "ProvisioningStatus"));
  if (!v) return service::provisioning_filter::any;
  if (*v == "LATEST_PERMISSION_SET_PROVISIONED") return service::provisioning_filter::latest_provisioned;
  if (*v == "LATEST_PERMISSION_SET_NOT_PROVISIONED") return service::provisioning_filter::latest_not_provisioned;
  return fail(errc::validation,
              "ProvisioningStatus must be LATEST_PERMISSION_SET_PROVISIONED or LATEST_PERMISSION_SET_NOT_PROVISIONED.");
}

}  // namespace

bool sso_admin_assignments::has(std::string_view operation) const {
  for (const auto& o : operations)
    if (o.name == operation) return true;
  return false;
}

bool sso_admin_assignments::is_read_only(std::string_view operation) const {
  for (const auto& o : operations)
    if (o.name == operation) return o.read_only;
  return false;
}

result<json> sso_admin_assignments::call(std::string_view op, const json& req, const service::call_context& ctx) {
  if (!req.is_object()) return fail(errc::validation, "The request body must be a JSON object.");
  if (op.find("Status") != std::string_view::npos && op.find("AccountAssignment") != std::string_view::npos)
    return statuses(op, req, ctx);
  if (op.find("AccountAssignment") != std::string_view::npos) return assignments(op, req, ctx);
  return provisioning(op, req, ctx);
}

result<json> sso_admin_assignments::assignments(std::string_view op, const json& req, const service::call_context& ctx) {
  if (op == "CreateAccountAssignment") {
    TRY(r, assignment_of(req));
    TRY(rec, svc_.create_assignment(ctx, r));
    return json{{"AccountAssignmentCreationStatus", status_json(rec)}};
  }
  if (op == "DeleteAccountAssignment") {
    TRY(r, assignment_of(req));
    TRY(rec, svc_.delete_assignment(ctx, r));
    return json{{"AccountAssignmentDeletionStatus", status_json(rec)}};
  }
  TRY(instance, instance_of(req));
  TRY(max, max_results(req));
  TRY(token, next_token(req));
  if (op == "ListAccountAssignments") {
    TRY_VOID(only_members(req, {"InstanceArn", "AccountId", "PermissionSetArn", "MaxResults", "NextToken"}));
    TRY(account, field(req, "AccountId", domain::check_account_id));
    TRY(ps, field(req, "PermissionSetArn", domain::check_permission_set_arn));
    TRY(l, svc_.list_assignments(ctx, instance, account, ps, token, max));
    return listing_json(l, "AccountAssignments", assignment_json);
  }
  // ListAccountAssignmentsForPrincipal (newer than botocore 1.29's model).
  TRY_VOID(only_members(req, {"InstanceArn", "PrincipalId", "PrincipalType", "Filter", "MaxResults", "NextToken"}));
  TRY(kind, principal_type_of(req));
  TRY(principal, field(req, "PrincipalId", domain::check_principal_id));
  std::optional<std::string> account;
  if (auto it = req.find("Filter"); it != req.end() && !it->is_null()) {
    if (!it->is_object()) return fail(errc::validation, "Filter must be an object.");
    TRY_VOID(only_members(*it, {"AccountId"}));
    TRY(a, optional_string(*it, "AccountId"));
    if (a) TRY_VOID(domain::check_account_id("Filter.AccountId", *a));
    account = a;
  }
  TRY(l, svc_.list_assignments_for_principal(ctx, instance, kind, principal, account, token, max));
  return listing_json(l, "AccountAssignments", assignment_json);
}

result<json> sso_admin_assignments::statuses(std::string_view op, const json& req, const service::call_context& ctx) {
  TRY(instance, instance_of(req));
  bool creation = op.find("Creation") != std::string_view::npos;
  auto kind = creation ? domain::request_kind::create_assignment : domain::request_kind::delete_assignment;
  const char* one_key = creation ? "AccountAssignmentCreationStatus" : "AccountAssignmentDeletionStatus";
  if (op.starts_with("Describe")) {
    const char* id_key = creation ? "AccountAssignmentCreationRequestId" : "AccountAssignmentDeletionRequestId";
    TRY_VOID(only_members(req, {"InstanceArn", id_key}));
    TRY(id, field(req, id_key, domain::check_request_id));
    TRY(rec, svc_.describe_request(ctx, instance, kind, id));
    return json{{one_key, status_json(rec)}};
  }
  TRY_VOID(only_members(req, {"InstanceArn", "Filter", "MaxResults", "NextToken"}));
  TRY(max, max_results(req));
  TRY(token, next_token(req));
  TRY(f, status_filter(req, kind));
  TRY(l, svc_.list_requests(ctx, instance, f, token, max));
  // The list shape is AccountAssignmentOperationStatusMetadata: Status, RequestId, CreatedDate.
  return listing_json(l, creation ? "AccountAssignmentsCreationStatus" : "AccountAssignmentsDeletionStatus",
                      [](const domain::request_record& r) {
                        return json{{"Status", domain::to_string(r.status)}, {"RequestId", r.request_id},
                                    {"CreatedDate", epoch_seconds(r.created_at)}};
                      });
}

result<json> sso_admin_assignments::provisioning(std::string_view op, const json& req, const service::call_context& ctx) {
  TRY(instance, instance_of(req));
  if (op == "ProvisionPermissionSet") {
    TRY_VOID(only_members(req, {"InstanceArn", "PermissionSetArn", "TargetId", "TargetType"}));
    TRY(ps, field(req, "PermissionSetArn", domain::check_permission_set_arn));
    TRY(type, required_string(req, "TargetType"));
    TRY(target, optional_string(req, "TargetId"));
    service::provision_request r{instance, ps, std::nullopt};
    if (type == "AWS_ACCOUNT") {
      if (!target) return fail(errc::validation, "TargetId is required when TargetType is AWS_ACCOUNT.");
      TRY_VOID(domain::check_account_id("TargetId", *target));
      r.account_id = *target;
    } else if (type == "ALL_PROVISIONED_ACCOUNTS") {
      if (target) return fail(errc::validation, "TargetId must not be given when TargetType is ALL_PROVISIONED_ACCOUNTS.");
    } else {
      return fail(errc::validation, "TargetType must be AWS_ACCOUNT or ALL_PROVISIONED_ACCOUNTS.");
    }
    TRY(rec, svc_.provision_permission_set(ctx, r));
    return json{{"PermissionSetProvisioningStatus", status_json(rec)}};
  }
  if (op == "DescribePermissionSetProvisioningStatus") {
    TRY_VOID(only_members(req, {"InstanceArn", "ProvisionPermissionSetRequestId"}));
    TRY(id, field(req, "ProvisionPermissionSetRequestId", domain::check_request_id));
    TRY(rec, svc_.describe_request(ctx, instance, domain::request_kind::provision_permission_set, id));
    return json{{"PermissionSetProvisioningStatus", status_json(rec)}};
  }
  TRY(max, max_results(req));
  TRY(token, next_token(req));
  if (op == "ListPermissionSetProvisioningStatus") {
    TRY_VOID(only_members(req, {"InstanceArn", "Filter", "MaxResults", "NextToken"}));
    TRY(f, status_filter(req, domain::request_kind::provision_permission_set));
    TRY(l, svc_.list_requests(ctx, instance, f, token, max));
    return listing_json(l, "PermissionSetsProvisioningStatus", [](const domain::request_record& r) {
      return json{{"Status", domain::to_string(r.status)}, {"RequestId", r.request_id},
                  {"CreatedDate", epoch_seconds(r.created_at)}};
    });
  }
  TRY(filter, provisioning_status_of(req));
  auto ids = [](const std::string& s) { return json(s); };
  if (op == "ListPermissionSetsProvisionedToAccount") {
    TRY_VOID(only_members(req, {"InstanceArn", "AccountId", "ProvisioningStatus", "MaxResults", "NextToken"}));
    TRY(account, field(req, "AccountId", domain::check_account_id));
    TRY(l, svc_.permission_sets_provisioned_to_account(ctx, instance, account, filter, token, max));
    return listing_json(l, "PermissionSets", ids);
  }
  // ListAccountsForProvisionedPermissionSet
  TRY_VOID(only_members(req, {"InstanceArn", "PermissionSetArn", "ProvisioningStatus", "MaxResults", "NextToken"}));
  TRY(ps, field(req, "PermissionSetArn", domain::check_permission_set_arn));
  TRY(l, svc_.accounts_for_provisioned_permission_set(ctx, instance, ps, filter, token, max));
  return listing_json(l, "AccountIds", ids);
}

void add_assignment_operations(sso_admin_api& api, service::assignment_service& svc) {
  for (const auto& o : operations) {
    std::string name(o.name);
    api.add({name, o.read_only, [&svc, name](const json& req, const service::call_context& ctx) {
               return sso_admin_assignments(svc).call(name, req, ctx);
             }});
  }
}

}  // namespace atrium::proto::aws
