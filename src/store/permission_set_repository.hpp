#pragma once
// Permission sets with their policies, boundary and tags, and the instance (issue 4 item 3).
// The interface is reached through transaction::permission_sets(); store/sqlite implements it in
// permission_set_repo.cpp. Names are unique (case-sensitive, as the service compares them);
// insert and a rename-free update report errc::conflict for a duplicate name.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "domain/permission_set.hpp"
#include "store/repositories.hpp"

namespace atrium::store {

// The deployment's one sso-admin instance (DescribeInstance): id, name, creation time, tags.
struct instance_record {
  std::string id;  // ssoins-<16 hex>
  std::string name;
  sys_time created_at{};
  std::vector<domain::resource_tag> tags;
};

class permission_set_repository {
 public:
  virtual ~permission_set_repository() = default;

  virtual result<std::optional<instance_record>> instance(const std::string& id) = 0;
  // Insert or replace.
  virtual result<void> put_instance(const instance_record& r) = 0;

  // By ARN (the key every sso-admin operation uses; ARNs are case-sensitive).
  virtual result<std::optional<domain::permission_set>> get(const std::string& arn) = 0;
  virtual result<void> insert(const domain::permission_set& ps) = 0;
  // Replaces the stored permission set with the same ARN; false when there is none.
  virtual result<bool> update(const domain::permission_set& ps) = 0;
  virtual result<bool> remove(const std::string& arn) = 0;
  // In creation order (ids are random, so the key is (created_at, arn)); page_request::after_id
  // is the ARN of the last item of the previous page.
  virtual result<page<domain::permission_set>> list(const page_request& p) = 0;
  virtual result<int64_t> count() = 0;
};

}  // namespace atrium::store
