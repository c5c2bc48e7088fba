#pragma once
// org_resource_source over the organization store: one read transaction per lookup.
#include "service/organization/org_resource_source.hpp"
#include "store/repositories.hpp"

namespace atrium::service {

class organization_resources final : public org_resource_source {
 public:
  explicit organization_resources(store::database& db) : db_(db) {}
  result<std::optional<std::string>> arn_of(const std::string& id) override;

 private:
  store::database& db_;
};

}  // namespace atrium::service
