#include "proto/aws/organizations_api.hpp"

#include <array>

#include "base/json_text.hpp"
#include "base/strings.hpp"

namespace atrium::proto::aws {

using nlohmann::json;

namespace {

struct org_op_info {
  std::string_view name;
  bool read_only;
};

constexpr std::array<org_op_info, 13> org_operations = {{
    {"ListAccounts", true},
    {"ListRoots", true},
    {"ListOrganizationalUnitsForParent", true},
    {"ListAccountsForParent", true},
    {"ListChildren", true},
    {"ListParents", true},
    {"DescribeAccount", true},
    {"DescribeOrganization", true},
    {"DescribeOrganizationalUnit", true},
    {"CreateOrganizationalUnit", false},
    {"UpdateOrganizationalUnit", false},
    {"DeleteOrganizationalUnit", false},
    {"MoveAccount", false},
}};

// Kept as sent in CloudTrail's requestParameters (json_api.hpp).
const std::vector<std::string_view> organizations_audited = {"AccountId", "ParentId", "ChildId", "ChildType", "OrganizationalUnitId",
                                        "SourceParentId", "DestinationParentId", "MaxResults"};

// Organizations' MaxResults is 1-20 on every list operation (API reference).
constexpr int max_page = 20;
constexpr std::size_t max_token_length = 512;
constexpr std::string_view token_prefix = "atrium-org1:";

std::unexpected<error> org_invalid(const char* reason, std::string message) {
  return domain::invalid_input(reason, std::move(message));
}

result<std::string> org_required_string(const json& req, const char* key, std::size_t max_len = 256) {
  auto it = req.find(key);
  if (it == req.end() || it->is_null()) return org_invalid("INPUT_REQUIRED", std::string(key) + " is required.");
  if (!it->is_string()) return org_invalid("INVALID_PATTERN", std::string(key) + " must be a string.");
  auto s = it->get<std::string>();
  if (s.size() > max_len) return org_invalid("MAX_LENGTH_EXCEEDED", std::string(key) + " is too long.");
  return s;
}

result<void> org_only_members(const json& req, std::initializer_list<const char*> allowed) {
  for (const auto& [k, v] : req.items()) {
    bool known = false;
    for (const char* a : allowed) known = known || k == a;
    if (!known) return org_invalid("INVALID_INPUT", "Unknown parameter " + k.substr(0, 64) + ".");
  }
  return {};
}

// NextToken is opaque to clients: base64url of a prefix and the last id of the previous page.
std::string encode_token(const std::string& after_id) {
  return base64url_encode(std::string(token_prefix) + after_id);
}

result<store::page_request> paging(const json& req) {
  store::page_request p;
  p.limit = max_page;
  if (auto it = req.find("MaxResults"); it != req.end() && !it->is_null()) {
    if (!it->is_number_integer()) return org_invalid("INVALID_PATTERN", "MaxResults must be an integer.");
    auto n = it->get<int64_t>();
    if (n < 1) return org_invalid("MIN_VALUE_EXCEEDED", "MaxResults must be at least 1.");
    if (n > max_page) return org_invalid("MAX_VALUE_EXCEEDED", "MaxResults must be at most 20.");
    p.limit = static_cast<int>(n);
  }
  if (auto it = req.find("NextToken"); it != req.end() && !it->is_null()) {
    std::optional<std::string> raw;
    if (it->is_string() && it->get_ref<const std::string&>().size() <= max_token_length)
      raw = base64url_decode(it->get<std::string>());
    if (!raw || !raw->starts_with(token_prefix))
      return org_invalid("INVALID_NEXT_TOKEN", "The NextToken is not valid.");
    p.after_id = raw->substr(token_prefix.size());
    if (!domain::is_account_id(p.after_id) && !domain::is_ou_id(p.after_id))
      return org_invalid("INVALID_NEXT_TOKEN", "The NextToken is not valid.");
  }
  return p;
}

template <class T, class Fn>
json listed(const store::page<T>& page, const char* key, Fn&& to_json) {
  json items = json::array();
  for (const auto& x : page.items) items.push_back(to_json(x));
  json out{{key, items}};
  if (page.more && !page.items.empty()) out["NextToken"] = encode_token(page.items.back().id);
  return out;
}

}  // namespace

aws_error organizations_error(const error& e) {
  aws_error out;
  out.message = e.message;
  const std::string& kind = e.resource_type;
  switch (e.code) {
    case errc::not_found:
      out.type = kind == "ACCOUNT"              ? "AccountNotFoundException"
                 : kind == "ORGANIZATIONAL_UNIT" ? "OrganizationalUnitNotFoundException"
                 : kind == "PARENT"              ? "ParentNotFoundException"
                 : kind == "CHILD"               ? "ChildNotFoundException"
                 : kind == "SOURCE_PARENT"       ? "SourceParentNotFoundException"
                 : kind == "DESTINATION_PARENT"  ? "DestinationParentNotFoundException"
                 : kind == "ORGANIZATION"        ? "AWSOrganizationsNotInUseException"
                                                 : "TargetNotFoundException";
      return out;
    case errc::conflict:
      out.type = kind == "DUPLICATE_OU"           ? "DuplicateOrganizationalUnitException"
                 : kind == "OU_NOT_EMPTY"         ? "OrganizationalUnitNotEmptyException"
                 : kind == "DUPLICATE_ACCOUNT"    ? "DuplicateAccountException"
                 : kind == "CONSTRAINT_VIOLATION" ? "ConstraintViolationException"
                                                  : "ConcurrentModificationException";
      return out;
    case errc::concurrent_modification: out.type = "ConcurrentModificationException"; return out;
    case errc::validation:
      out.type = "InvalidInputException";
      out.extra["Reason"] = kind.empty() ? "INVALID_INPUT" : kind;
      return out;
    case errc::access_denied: out.type = "AccessDeniedException"; return out;
    case errc::throttled: out.type = "TooManyRequestsException"; return out;
    default: break;
  }
  auto generic = to_aws_error(e);  // unauthenticated, quota, internal (500 with generic text)
  if (e.code == errc::internal) generic.type = "ServiceException";
  return generic;
}

// The reads share their checks and the writes the organization they act on, so one function
// each serves its rows.
organizations_api::organizations_api(service::organization_service& svc)
    : json_api({"AWSOrganizationsV20161128", "organizations", "organizations", "organizations.amazonaws.com", organizations_audited},
               organizations_error),
      svc_(svc) {
  for (const auto& o : org_operations)
    add({std::string(o.name), o.read_only,
         [this, name = o.name, read_only = o.read_only](const json& req, const service::call_context& ctx) {
           return read_only ? read(name, req, ctx) : write(name, req, ctx);
         }});
}

result<json> organizations_api::describe_organization(const service::call_context& ctx) {
  auto o = svc_.describe_organization(ctx);
  if (!o) return std::unexpected(o.error());
  auto mgmt = svc_.account(o->management_account_id);
  if (!mgmt) return std::unexpected(mgmt.error());
  std::string email = *mgmt ? (*mgmt)->email : std::string(service::default_management_email);
  return json{{"Organization", from_json_text(service::organization_json(*o, email))}};
}

result<json> organizations_api::list_children(const json& req, const service::call_context& ctx) {
  if (auto r = org_only_members(req, {"ParentId", "ChildType", "NextToken", "MaxResults"}); !r) return std::unexpected(r.error());
  auto parent = org_required_string(req, "ParentId", 100);
  if (!parent) return std::unexpected(parent.error());
  auto type = org_required_string(req, "ChildType", 32);
  if (!type) return std::unexpected(type.error());
  auto p = paging(req);
  if (!p) return std::unexpected(p.error());
  auto child = [&](const auto& x) { return json{{"Id", x.id}, {"Type", *type}}; };
  if (*type == "ACCOUNT") {
    auto page = svc_.accounts_for_parent(ctx, *parent, *p);
    if (!page) return std::unexpected(page.error());
    return listed(*page, "Children", child);
  }
  if (*type == "ORGANIZATIONAL_UNIT") {
    auto page = svc_.units_for_parent(ctx, *parent, *p);
    if (!page) return std::unexpected(page.error());
    return listed(*page, "Children", child);
  }
  return org_invalid("INVALID_ENUM", "ChildType must be ACCOUNT or ORGANIZATIONAL_UNIT.");
}

result<json> organizations_api::read(std::string_view op, const json& req, const service::call_context& ctx) {
  if (op == "DescribeOrganization") {
    if (auto r = org_only_members(req, {}); !r) return std::unexpected(r.error());
    return describe_organization(ctx);
  }
  if (op == "ListChildren") return list_children(req, ctx);
  if (op == "DescribeAccount") {
    if (auto r = org_only_members(req, {"AccountId"}); !r) return std::unexpected(r.error());
    auto id = org_required_string(req, "AccountId", 12);
    if (!id) return std::unexpected(id.error());
    auto a = svc_.describe_account(ctx, *id);
    if (!a) return std::unexpected(a.error());
    auto o = svc_.ensure(ctx);
    if (!o) return std::unexpected(o.error());
    return json{{"Account", from_json_text(service::account_json(*o, *a))}};
  }
  if (op == "DescribeOrganizationalUnit") {
    if (auto r = org_only_members(req, {"OrganizationalUnitId"}); !r) return std::unexpected(r.error());
    auto id = org_required_string(req, "OrganizationalUnitId", 68);
    if (!id) return std::unexpected(id.error());
    auto u = svc_.describe_unit(ctx, *id);
    if (!u) return std::unexpected(u.error());
    auto o = svc_.ensure(ctx);
    if (!o) return std::unexpected(o.error());
    return json{{"OrganizationalUnit", from_json_text(service::unit_json(*o, *u))}};
  }
  if (op == "ListParents") {
    if (auto r = org_only_members(req, {"ChildId", "NextToken", "MaxResults"}); !r) return std::unexpected(r.error());
    auto id = org_required_string(req, "ChildId", 100);
    if (!id) return std::unexpected(id.error());
    if (auto p = paging(req); !p) return std::unexpected(p.error());
    auto parent = svc_.parent_of(ctx, *id);
    if (!parent) return std::unexpected(parent.error());
    return json{{"Parents", json::array({{{"Id", parent->id}, {"Type", parent->type}}})}};
  }
  if (auto r = org_only_members(req, {"ParentId", "NextToken", "MaxResults"}); !r) return std::unexpected(r.error());
  auto p = paging(req);
  if (!p) return std::unexpected(p.error());
  auto o = svc_.ensure(ctx);
  if (!o) return std::unexpected(o.error());
  auto account = [&](const domain::account& a) { return from_json_text(service::account_json(*o, a)); };
  if (op == "ListRoots") {
    if (req.contains("ParentId")) return org_invalid("INVALID_INPUT", "Unknown parameter ParentId.");
    auto d = svc_.describe_organization(ctx);  // audited as this call's read
    if (!d) return std::unexpected(d.error());
    return json{{"Roots", json::array({from_json_text(service::root_json(*d))})}};
  }
  if (op == "ListAccounts") {
    if (req.contains("ParentId")) return org_invalid("INVALID_INPUT", "Unknown parameter ParentId.");
    auto page = svc_.list_accounts(ctx, *p);
    if (!page) return std::unexpected(page.error());
    return listed(*page, "Accounts", account);
  }
  auto parent = org_required_string(req, "ParentId", 100);
  if (!parent) return std::unexpected(parent.error());
  if (op == "ListAccountsForParent") {
    auto page = svc_.accounts_for_parent(ctx, *parent, *p);
    if (!page) return std::unexpected(page.error());
    return listed(*page, "Accounts", account);
  }
  auto page = svc_.units_for_parent(ctx, *parent, *p);  // ListOrganizationalUnitsForParent
  if (!page) return std::unexpected(page.error());
  return listed(*page, "OrganizationalUnits", [&](const domain::org_unit& u) { return from_json_text(service::unit_json(*o, u)); });
}

result<json> organizations_api::write(std::string_view op, const json& req, const service::call_context& ctx) {
  auto o = svc_.ensure(ctx);
  if (!o) return std::unexpected(o.error());
  if (op == "CreateOrganizationalUnit") {
    if (auto r = org_only_members(req, {"ParentId", "Name", "Tags"}); !r) return std::unexpected(r.error());
    if (req.contains("Tags") && !(req["Tags"].is_array() && req["Tags"].empty()))
      return org_invalid("INVALID_INPUT", "Tags on organizational units are not supported.");
    auto parent = org_required_string(req, "ParentId", 100);
    if (!parent) return std::unexpected(parent.error());
    auto name = org_required_string(req, "Name", 1024);
    if (!name) return std::unexpected(name.error());
    auto u = svc_.create_unit(ctx, *parent, *name);
    if (!u) return std::unexpected(u.error());
    return json{{"OrganizationalUnit", from_json_text(service::unit_json(*o, *u))}};
  }
  if (op == "UpdateOrganizationalUnit") {
    if (auto r = org_only_members(req, {"OrganizationalUnitId", "Name"}); !r) return std::unexpected(r.error());
    auto id = org_required_string(req, "OrganizationalUnitId", 68);
    if (!id) return std::unexpected(id.error());
    if (!req.contains("Name")) {  // Name is optional: nothing changes
      auto u = svc_.describe_unit(ctx, *id);
      if (!u) return std::unexpected(u.error());
      return json{{"OrganizationalUnit", from_json_text(service::unit_json(*o, *u))}};
    }
    auto name = org_required_string(req, "Name", 1024);
    if (!name) return std::unexpected(name.error());
    auto u = svc_.rename_unit(ctx, *id, *name);
    if (!u) return std::unexpected(u.error());
    return json{{"OrganizationalUnit", from_json_text(service::unit_json(*o, *u))}};
  }
  if (op == "DeleteOrganizationalUnit") {
    if (auto r = org_only_members(req, {"OrganizationalUnitId"}); !r) return std::unexpected(r.error());
    auto id = org_required_string(req, "OrganizationalUnitId", 68);
    if (!id) return std::unexpected(id.error());
    if (auto r = svc_.delete_unit(ctx, *id); !r) return std::unexpected(r.error());
    return json::object();
  }
  // MoveAccount
  if (auto r = org_only_members(req, {"AccountId", "SourceParentId", "DestinationParentId"}); !r) return std::unexpected(r.error());
  auto id = org_required_string(req, "AccountId", 12);
  if (!id) return std::unexpected(id.error());
  auto source = org_required_string(req, "SourceParentId", 100);
  if (!source) return std::unexpected(source.error());
  auto dest = org_required_string(req, "DestinationParentId", 100);
  if (!dest) return std::unexpected(dest.error());
  if (auto r = svc_.move_account(ctx, *id, *source, *dest); !r) return std::unexpected(r.error());
  return json::object();
}

}  // namespace atrium::proto::aws
