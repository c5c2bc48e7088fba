#include "service/organization/organization_resources.hpp"

#include <algorithm>

#include "domain/org.hpp"
#include "service/organization/organization_service.hpp"

namespace atrium::service {

result<std::optional<std::string>> organization_resources::arn_of(const std::string& id) {
  std::optional<std::string> out;
  auto r = db_.read([&](store::transaction& tx) -> result<void> {
    auto o = organization_service::organization(tx);
    if (!o) return std::unexpected(o.error());
    if (!*o) return {};
    const auto& org = **o;
    if (id == org.root_id) out = domain::root_arn(org);
    else if (domain::is_parent_id(id) && id.starts_with("ou-")) out = domain::ou_arn(org, id);
    else if (id.size() == 12 && std::all_of(id.begin(), id.end(), [](char c) { return c >= '0' && c <= '9'; }))
      out = domain::account_arn(org, id);
    return {};
  });
  if (!r) return std::unexpected(r.error());
  return out;
}

}  // namespace atrium::service
