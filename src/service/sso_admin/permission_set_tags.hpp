#pragma once
// resource_tag_source over the permission-set store: the aws:ResourceTag values delegated
// administration tests (docs/delegated-administration.md). One read transaction per lookup.
#include "service/sso_admin/permission_set_service.hpp"
#include "service/sso_admin/resource_tags.hpp"
#include "store/repositories.hpp"

namespace atrium::service {

class permission_set_tags final : public resource_tag_source {
 public:
  permission_set_tags(store::database& db, const permission_set_service& ps) : db_(db), ps_(ps) {}
  result<std::map<std::string, std::string>> tags_of(const std::string& arn) override;

 private:
  store::database& db_;
  const permission_set_service& ps_;
};

}  // namespace atrium::service
