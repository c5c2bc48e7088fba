// store_lookups: assignment_lookups over the permission-set and organization stores.
#include "service/sso_admin/assignment_lookups.hpp"

#include "store/organization_repository.hpp"
#include "store/permission_set_repository.hpp"

namespace atrium::service {

namespace {

permission_set_facts facts_of(const domain::permission_set& ps) {
  permission_set_facts f;
  f.arn = ps.arn;
  f.name = ps.name;
  f.description = ps.description.value_or("");
  f.version = ps.version;
  f.managed_policy_arns = ps.managed_policy_arns;
  f.inline_policy = ps.inline_policy;
  for (const auto& c : ps.customer_managed) f.customer_managed.push_back({c.name, c.path});
  if (ps.boundary) {
    boundary_spec b;
    b.managed_policy_arn = ps.boundary->managed_policy_arn;
    if (ps.boundary->customer_managed)
      b.customer_managed = customer_policy_ref{ps.boundary->customer_managed->name, ps.boundary->customer_managed->path};
    f.boundary = b;
  }
  return f;
}

}  // namespace

assignment_lookups store_lookups(std::string instance_arn, std::function<std::string()> idp_metadata) {
  assignment_lookups l;
  l.instance_exists = [instance_arn](store::transaction&, const std::string& arn) -> result<bool> {
    return arn == instance_arn;
  };
  l.permission_set = [](store::transaction& tx, const std::string& arn) -> result<std::optional<permission_set_facts>> {
    auto ps = tx.permission_sets().get(arn);
    if (!ps) return std::unexpected(ps.error());
    if (!*ps) return std::optional<permission_set_facts>();
    return std::optional<permission_set_facts>(facts_of(**ps));
  };
  // Suspended accounts still hold their roles; only accounts unknown to the organization are refused.
  l.account_exists = [](store::transaction& tx, const std::string& id) -> result<bool> {
    auto a = tx.organization().get_account(id);
    if (!a) return std::unexpected(a.error());
    return a->has_value();
  };
  l.idp_metadata = std::move(idp_metadata);
  return l;
}

}  // namespace atrium::service
