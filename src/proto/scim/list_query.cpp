#include "proto/scim/list_query.hpp"

#include <vector>

#include "base/strings.hpp"
#include "domain/identity.hpp"
#include "proto/scim/resources.hpp"
#include "proto/scim/schemas.hpp"

namespace atrium::proto::scim {

namespace {

struct condition {
  std::string attribute;  // canonical lower-case: "username", "members.value", ...
  std::string value;
};

scim_error unsupported(std::string detail) { return {400, scim_type::invalid_filter, std::move(detail)}; }

// attrPath -> "name" or "name.sub" in lower case, without the core or enterprise URN.
std::string canonical(const attr_path& p) {
  std::string name = to_lower_ascii(p.name);
  if (!p.sub_attr.empty()) name += "." + to_lower_ascii(p.sub_attr);
  return name;
}

bool urn_allowed(const attr_path& p, resource_kind kind) {
  if (p.urn.empty()) return true;
  if (kind == resource_kind::group) return iequals_ascii(p.urn, group_schema_urn);
  return iequals_ascii(p.urn, user_schema_urn) || iequals_ascii(p.urn, enterprise_user_urn);
}

// Flattens `a eq "x" and b eq "y" and ...` into conditions; anything else is refused.
scim_result<void> collect(const filter& f, resource_kind kind, std::string_view supported,
                          std::vector<condition>& out) {
  switch (f.k) {
    case filter::kind::logical_and:
      if (auto r = collect(*f.lhs, kind, supported, out); !r) return r;
      return collect(*f.rhs, kind, supported, out);
    case filter::kind::compare:
      break;
    default:
      return std::unexpected(unsupported("Only the eq operator joined by and is supported in list filters (" +
                                         std::string(supported) + ")."));
  }
  if (f.op != compare_op::eq)
    return std::unexpected(unsupported("Only the eq operator is supported in list filters (" + std::string(supported) + ")."));
  if (!urn_allowed(f.path, kind))
    return std::unexpected(unsupported("Unsupported schema in filter attribute '" + f.path.urn + "'."));
  if (!f.value.is_string())
    return std::unexpected(unsupported("Filter values must be strings (attribute '" + canonical(f.path) + "')."));
  out.push_back({canonical(f.path), f.value.get<std::string>()});
  return {};
}

// Sets a filter field, or notes a contradiction (the same attribute with two values).
template <class T>
void set_or_contradict(std::optional<T>& field, T value, bool& nothing) {
  if (field && *field != value) nothing = true;
  field = std::move(value);
}

std::string scope_of(std::string_view text) { return std::string(trim(text)); }

constexpr std::string_view user_attributes = "userName, externalId, id, manager, groups.value";
constexpr std::string_view group_attributes = "displayName, externalId, id, members, members.value";

}  // namespace

scim_result<service::user_query> user_query_from(std::string_view text, const filter_limits& lim) {
  service::user_query q;
  q.scope = scope_of(text);
  if (q.scope.empty()) return q;
  auto f = parse_filter(text, lim);
  if (!f) return std::unexpected(f.error());
  std::vector<condition> conds;
  if (auto r = collect(**f, resource_kind::user, user_attributes, conds); !r) return std::unexpected(r.error());
  for (auto& c : conds) {
    if (c.attribute == "username") {
      set_or_contradict(q.filter.user_name_key, domain::fold_key(c.value), q.matches_nothing);
    } else if (c.attribute == "externalid") {
      set_or_contradict(q.filter.external_id, domain::external_id{std::string(scim_external_id_issuer), c.value},
                        q.matches_nothing);
    } else if (c.attribute == "id") {
      set_or_contradict(q.filter.id, c.value, q.matches_nothing);
    } else if (c.attribute == "manager" || c.attribute == "manager.value") {
      set_or_contradict(q.filter.manager_id, c.value, q.matches_nothing);
    } else if (c.attribute == "groups.value" || c.attribute == "groups") {
      set_or_contradict(q.in_group, c.value, q.matches_nothing);
    } else {
      return std::unexpected(unsupported("Filtering users on '" + c.attribute + "' is not supported; use " +
                                         std::string(user_attributes) + "."));
    }
  }
  return q;
}

scim_result<service::group_query> group_query_from(std::string_view text, const filter_limits& lim) {
  service::group_query q;
  q.scope = scope_of(text);
  if (q.scope.empty()) return q;
  auto f = parse_filter(text, lim);
  if (!f) return std::unexpected(f.error());
  std::vector<condition> conds;
  if (auto r = collect(**f, resource_kind::group, group_attributes, conds); !r) return std::unexpected(r.error());
  for (auto& c : conds) {
    if (c.attribute == "displayname") {
      set_or_contradict(q.filter.display_name_key, domain::fold_key(c.value), q.matches_nothing);
    } else if (c.attribute == "externalid") {
      set_or_contradict(q.filter.external_id, domain::external_id{std::string(scim_external_id_issuer), c.value},
                        q.matches_nothing);
    } else if (c.attribute == "id") {
      set_or_contradict(q.filter.id, c.value, q.matches_nothing);
    } else if (c.attribute == "members" || c.attribute == "members.value") {
      set_or_contradict(q.filter.member_id, c.value, q.matches_nothing);
    } else {
      return std::unexpected(unsupported("Filtering groups on '" + c.attribute + "' is not supported; use " +
                                         std::string(group_attributes) + "."));
    }
  }
  return q;
}

}  // namespace atrium::proto::scim
